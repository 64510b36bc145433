"""Application code that must type-check for every platform: mypy
``--platform linux/darwin/freebsd14`` and pyright ``pythonPlatform``
Linux/Darwin (tests/test_types.py).  These are the portable idioms of the
README's Platforms section: a key test narrows an address everywhere
(comparing ``family`` narrows only on Linux, where the families are
literal types), and a constant some platform lacks is checked for None."""
from __future__ import annotations

import os
import sys
from typing import Optional

import posixsock as ps


def describe(sa: ps.SockAddr) -> str:
    """Key tests narrow on every platform (the TypedDicts are final)."""
    if "addr" in sa:  # AF_INET or AF_INET6
        return f"{sa['addr']}:{sa['port']}"
    if "path" in sa:  # AF_UNIX
        return repr(sa["path"]) if sa["path"] else "unnamed"
    if "ifindex" in sa:  # AF_PACKET (Linux)
        return f"ifindex {sa['ifindex']}, protocol {sa['protocol']:#06x}"
    family: int = sa["family"]
    return f"family {family}"


def peer_uid(fd: int) -> Optional[int]:
    """SO_PEERCRED on Linux, LOCAL_PEERCRED (level 0) on macOS and FreeBSD:
    both give a PeerCred.  A ``sys.platform`` test (which both checkers
    evaluate) keeps Linux's ``int`` constants from a None test that strict
    pyright calls unnecessary there."""
    if sys.platform == "linux":
        cred = ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_PEERCRED)
        return None if isinstance(cred, ps.Error) else cred["uid"]
    if ps.LOCAL_PEERCRED is not None:
        value = ps.getsockopt(fd, 0, ps.LOCAL_PEERCRED)
        if not isinstance(value, (int, str, ps.Error)) and "uid" in value:
            return value["uid"]
    return None


def nonblocking_socket(family: int, kind: int) -> int:
    """SOCK_NONBLOCK where there is one (not macOS), O_NONBLOCK after."""
    if sys.platform == "linux":
        return ps.check(ps.socket(family, kind | ps.SOCK_NONBLOCK, 0))
    if ps.SOCK_NONBLOCK is not None:  # FreeBSD
        return ps.check(ps.socket(family, kind | ps.SOCK_NONBLOCK, 0))
    fd = ps.check(ps.socket(family, kind, 0))
    os.set_blocking(fd, False)
    return fd


def main() -> None:
    rx = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    tx = nonblocking_socket(ps.AF_INET, ps.SOCK_DGRAM)
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    try:
        ps.check(ps.bind(rx, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
        where = ps.check(ps.getsockname(rx))
        assert describe(where).startswith("127.0.0.1:") and "addr" in where
        assert ps.check(ps.sendto(tx, b"ping", where)) == 4
        data, source = ps.check(ps.recvfrom(rx, 16))
        assert data == b"ping" and describe(source).startswith("127.0.0.1:")
        assert describe(ps.check(ps.getsockname(one))) == "unnamed"
        assert peer_uid(one) == os.getuid()
    finally:
        for fd in (rx, tx, one, two):
            os.close(fd)


if __name__ == "__main__":
    main()
