"""Type contract: every option constant has its value's type.  setsockopt
takes what the option takes (issue 15: overloads per kind of option);
getsockopt returns the option's own type -- ``int`` for the C int options
(SO_ERROR, SO_RCVBUF, IP_MULTICAST_TTL, TCP_NODELAY, ...), ``Timeval`` for
SO_RCVTIMEO/SO_SNDTIMEO, ``Linger`` for SO_LINGER, ``str`` for
SO_BINDTODEVICE and IP_MULTICAST_IF (a dotted IPv4 address, issue 15),
``PeerCred`` for SO_PEERCRED -- and the whole ``OptValue`` union only for
an option chosen at run time, to narrow before use -- no casts.  An option
posixsock has no constant for is named ``IntOption(number)``."""
from __future__ import annotations

import os
import socket
from typing import List, Union

from typing_extensions import assert_type

import posixsock as ps


def timeout_seconds(fd: int) -> float:
    value = ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO)
    if isinstance(value, ps.Error):
        raise OSError(value.errnum, value.message)
    assert_type(value, ps.Timeval)
    return value["tv_sec"] + value["tv_usec"] / 1e6


def linger(fd: int) -> ps.Linger:
    value = ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER))
    assert_type(value, ps.Linger)  # check() keeps the option's type
    return value


def peer(fd: int) -> int:
    cred = ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_PEERCRED))
    assert_type(cred, ps.PeerCred)
    return cred["pid"]


def device(fd: int) -> str:
    name = ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE))
    assert_type(name, str)
    return name


def by_number(fd: int, level: int, option: int) -> float:
    """An option chosen at run time: the union, narrowed by isinstance and
    a key test (the option TypedDicts are final)."""
    value = ps.check(ps.getsockopt(fd, level, option))
    assert_type(value, ps.OptValue)
    if isinstance(value, (int, str)):
        return float(len(value)) if isinstance(value, str) else float(value)
    if "tv_sec" in value:
        assert_type(value, ps.Timeval)
        return value["tv_sec"] + value["tv_usec"] / 1e6
    return -1.0


def reuse(fd: int) -> bool:
    value: Union[ps.OptValue, ps.Error] = ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR)
    return isinstance(value, int) and value != 0


def pending_error(fd: int) -> str:
    """The issue's example: SO_ERROR is an int, so strerror takes it."""
    return os.strerror(ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_ERROR)))


def int_options(tcp: int, udp6: int) -> List[int]:
    values = [
        ps.check(ps.getsockopt(tcp, ps.SOL_SOCKET, ps.SO_RCVBUF)),
        ps.check(ps.getsockopt(tcp, ps.SOL_SOCKET, ps.SO_TYPE)),
        ps.check(ps.getsockopt(tcp, ps.IPPROTO_IP, ps.IP_MULTICAST_TTL)),
        ps.check(ps.getsockopt(tcp, ps.IPPROTO_TCP, ps.TCP_NODELAY)),
        ps.check(ps.getsockopt(udp6, ps.IPPROTO_IPV6, ps.IPV6_V6ONLY)),
    ]
    for value in values:
        assert_type(value, int)
    return values


def multicast_interface(udp: int) -> str:
    """IP_MULTICAST_IF takes and gives the interface's dotted address."""
    ps.check(ps.setsockopt(udp, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, "127.0.0.1"))
    ps.check(ps.setsockopt(udp, ps.IPPROTO_IP, ps.IP_MULTICAST_TTL, 1))
    ps.check(ps.setsockopt(udp, ps.IPPROTO_IP, ps.IP_ADD_MEMBERSHIP, "239.1.2.3", "127.0.0.1"))
    interface = ps.check(ps.getsockopt(udp, ps.IPPROTO_IP, ps.IP_MULTICAST_IF))
    assert_type(interface, str)
    return interface


def passcred(fd: int) -> int:
    """An option posixsock has no constant for: IntOption(number), a C int."""
    option = ps.IntOption(socket.SO_PASSCRED)
    ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, option, 1))
    value = ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, option))
    assert_type(value, int)
    return value


def main() -> None:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    udp = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    udp6 = ps.check(ps.socket(ps.AF_INET6, ps.SOCK_DGRAM, 0))
    try:
        assert pending_error(fd) == "Success"
        assert int_options(fd, udp6)[1] == ps.SOCK_STREAM
        assert multicast_interface(udp) == "127.0.0.1"
        assert passcred(one) == 1
        assert ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1)) == 0
        assert ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 2, 500000)) == 0
        assert ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER, 1, 0)) == 0
        assert timeout_seconds(fd) == 2.5
        assert by_number(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO) == 2.5
        assert by_number(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR) == 1.0
        assert reuse(fd)
        assert linger(fd) == {"l_onoff": 1, "l_linger": 0}
        assert device(fd) == ""
        assert peer(one) == os.getpid()
    finally:
        for d in (fd, one, two, udp, udp6):
            os.close(d)


if __name__ == "__main__":
    main()
