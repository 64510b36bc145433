"""Type contract: setsockopt takes one or two values; getsockopt returns the
option's own type for SOL_SOCKET's structured options (SO_RCVTIMEO and
SO_SNDTIMEO a ``Timeval``, SO_LINGER a ``Linger``, SO_BINDTODEVICE a ``str``,
SO_PEERCRED a ``PeerCred``) and the whole ``OptValue`` union (int, Timeval,
Linger, str, ...) for any other option, to narrow before use -- no casts."""
from __future__ import annotations

import os
from typing import Union

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


def main() -> None:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    try:
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
        for d in (fd, one, two):
            os.close(d)


if __name__ == "__main__":
    main()
