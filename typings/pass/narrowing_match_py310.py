"""Type contract (issue 8): ``match`` on ``family`` narrows the address
(Python 3.10+; left out of the 3.9 checks and runs).

The subject is the ``family`` field and each case a constant: both checkers
narrow the address itself in each case.  Runs over 127.0.0.1 and AF_UNIX.
"""
from __future__ import annotations

import os

from typing_extensions import assert_type

import posixsock as ps


def where(sa: ps.SockAddr) -> str:
    match sa["family"]:
        case ps.AF_INET:
            assert_type(sa, ps.SockAddrInet)
            return f"{sa['addr']}:{sa['port']}"
        case ps.AF_INET6:
            return f"[{sa['addr']}]:{sa['port']} scope {sa['scope_id']}"
        case ps.AF_UNIX:
            return sa["path"] or "unnamed"
        case ps.AF_NETLINK:
            return f"pid {sa['pid']}"
        case ps.AF_PACKET:
            return f"ifindex {sa['ifindex']} hatype {sa['hatype']}"
        case ps.AF_VSOCK:
            assert_type(sa, ps.SockAddrVsock)
            return f"cid {sa['cid']}"
        case _:
            return "no address"


def main() -> None:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    try:
        ps.check(ps.bind(fd, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
        assert where(ps.check(ps.getsockname(fd))).startswith("127.0.0.1:")
        assert where(ps.check(ps.getsockname(one))) == "unnamed"
        assert where({"family": ps.AF_UNSPEC}) == "no address"
    finally:
        for each in (fd, one, two):
            os.close(each)


if __name__ == "__main__":
    main()
