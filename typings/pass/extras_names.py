"""Type contract (issue 5): name helpers, structured options, new constants.
"""
from __future__ import annotations

import os
from typing import List, Tuple

from typing_extensions import assert_type

import posixsock as ps


def names() -> Tuple[str, str]:
    found = ps.getnameinfo({"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1"},
                           ps.NI_NUMERICHOST | ps.NI_NUMERICSERV)
    if isinstance(found, ps.Error):
        return "", found.message
    host, service = found
    assert_type(host, str)
    return host, service


def interfaces() -> List[str]:
    table = ps.if_nameindex()
    if isinstance(table, ps.Error):
        return []
    assert_type(table, List[ps.IfNameIndex])
    named = [ps.if_indextoname(entry["index"]) for entry in table]
    return [name for name in named if not isinstance(name, ps.Error)]


def packed() -> str:
    raw = ps.check(ps.inet_pton(ps.AF_INET6, "::1"))
    assert_type(raw, bytes)
    return ps.check(ps.inet_ntop(ps.AF_INET6, bytearray(raw)))


def peer() -> ps.PeerCred:
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    value = ps.check(ps.getsockopt(one, ps.SOL_SOCKET, ps.SO_PEERCRED))
    assert_type(value, ps.PeerCred)  # SO_PEERCRED's own type, no narrowing
    os.close(one)
    os.close(two)
    return value


def join_on_lo() -> int:
    fd = ps.check(ps.socket(ps.AF_INET6, ps.SOCK_DGRAM | ps.SOCK_CLOEXEC, 0))
    index = ps.check(ps.if_nametoindex("lo"))
    joined = ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, "ff02::1:3", index)
    os.close(fd)
    return 0 if isinstance(joined, ps.Error) else joined


if __name__ == "__main__":
    assert names() == ("127.0.0.1", "80")
    assert "lo" in interfaces()
    assert packed() == "::1"
    assert peer()["pid"] == os.getpid()
    join_on_lo()
    constants: List[int] = [ps.MSG_WAITALL, ps.MSG_OOB, ps.SOCK_SEQPACKET, ps.IP_TTL, ps.NI_NAMEREQD]
    assert all(isinstance(value, int) for value in constants)
