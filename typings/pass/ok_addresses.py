"""Type contract: addresses are TypedDicts, one per family.

``SockAddr`` is their union; once ``family`` has been compared with a
constant, the fields of that family are plain ``int``/``str``.  Each
family's TypedDict, ``AddrInfo`` (getaddrinfo) and ``AddrInfoHints`` can be
written as literals.
"""
from __future__ import annotations

from typing import List

from typing_extensions import assert_type

import posixsock as ps

INET: ps.SockAddrInet = {"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1"}
INET6: ps.SockAddrInet6 = {"family": ps.AF_INET6, "port": 80, "addr": "::1", "flowinfo": 0,
                           "scope_id": 0}
INET6_ARG: ps.SockAddrInet6Arg = {"family": ps.AF_INET6, "port": 80, "addr": "::1"}
UNIX: ps.SockAddrUnix = {"family": ps.AF_UNIX, "path": "\0abstract"}
NETLINK: ps.SockAddrNetlink = {"family": ps.AF_NETLINK, "pid": 0, "groups": 0}
PACKET: ps.SockAddrPacketArg = {"family": ps.AF_PACKET, "ifindex": 1}
PACKET_FULL: ps.SockAddrPacket = {"family": ps.AF_PACKET, "ifindex": 1, "protocol": 0x0800,
                                  "pkttype": 0, "hatype": 772, "haddr": bytes(6)}
PACKET_TO: ps.SockAddrPacketArg = {"family": ps.AF_PACKET, "ifindex": 1, "protocol": 0x88B5,
                                   "haddr": b"\xff" * 6}
VSOCK: ps.SockAddrVsock = {"family": ps.AF_VSOCK, "cid": 2, "port": 1024}
NONE: ps.SockAddrUnspec = {"family": ps.AF_UNSPEC}
ANY: ps.SockAddr = {"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1"}
HINTS: ps.AddrInfoHints = {"family": ps.AF_INET, "socktype": ps.SOCK_STREAM, "flags": ps.AI_NUMERICHOST}


def describe(addr: ps.SockAddr) -> str:
    family: int = addr["family"]  # every member has it (a literal type on Linux)
    if addr["family"] == ps.AF_INET or addr["family"] == ps.AF_INET6:
        return f"{addr['addr']}:{addr['port']}"
    if addr["family"] == ps.AF_UNIX:
        return repr(addr["path"])
    return f"family {family}"


def ports(host: str) -> List[int]:
    found = ps.getaddrinfo(host, "80", HINTS)
    if isinstance(found, ps.Error):
        return []
    assert_type(found, List[ps.AddrInfo])
    return [entry["port"] for entry in found if entry["socktype"] == ps.SOCK_STREAM]


def send_frame(fd: int) -> int:
    """A packet socket's sendto with the whole address (issue 17)."""
    return ps.check(ps.sendto(fd, b"frame", PACKET_TO)) + ps.check(ps.bind(fd, PACKET))


def main() -> None:
    assert describe(INET) == "127.0.0.1:80"
    assert describe(UNIX) == repr("\0abstract")
    assert describe(ANY) == "127.0.0.1:80"
    assert ports("127.0.0.1") == [80]
    assert ps.getaddrinfo(None, 80) != []
    assert isinstance(ps.getaddrinfo("x y", None, {"flags": ps.AI_NUMERICHOST}), ps.Error)
    for addr in (INET6, NETLINK, PACKET_FULL, VSOCK, NONE):
        assert describe(addr)
    assert INET6_ARG["port"] == 80


if __name__ == "__main__":
    main()
