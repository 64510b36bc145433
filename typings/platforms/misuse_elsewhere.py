"""Misuse both checkers must reject for macOS and FreeBSD (mypy
``--platform darwin``/``freebsd14``, pyright ``pythonPlatform`` Darwin;
tests/test_types.py): constants those platforms lack are Optional there,
AF_VSOCK's address is Linux's, and comparing ``family`` does not narrow
(the families are plain ``int`` there).  On Linux the block is unreachable
for both checkers, so ``mypy --strict posixsock typings`` stays clean."""
from __future__ import annotations

import sys

import posixsock as ps

if sys.platform != "linux":
    ps.socket(ps.AF_PACKET, ps.SOCK_RAW, 0)  # type: ignore[arg-type]
    ps.send(3, b"x", ps.MSG_NOSIGNAL)  # type: ignore[arg-type]
    ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0)  # type: ignore[operator]
    ps.bind(3, {"family": 40, "cid": 2, "port": 1024})  # type: ignore[arg-type]
    sa = ps.check(ps.getsockname(3))
    if sa["family"] == ps.AF_INET:
        sa["port"]  # type: ignore[typeddict-item]
