"""Misuse both checkers must reject (issue 17): the whole packet address and
AF_VSOCK, typed like the other families.  (Marking convention: see
bad_unnarrowed.py.)"""
from __future__ import annotations

import posixsock as ps

# arguments: sockaddr_ll's fields and types; sockaddr_vm's
ps.bind(3, {"family": ps.AF_PACKET, "ifindex": 1, "haddr": "00:11:22:33:44:55"})  # type: ignore[typeddict-item]
ps.sendto(3, b"x", {"family": ps.AF_PACKET, "protocol": 0x0800})  # type: ignore[arg-type]
ps.bind(3, {"family": ps.AF_VSOCK, "cid": "host", "port": 1})  # type: ignore[typeddict-item]
ps.connect(3, {"family": ps.AF_VSOCK, "cid": 2})  # type: ignore[arg-type]
full: ps.SockAddrPacket = {"family": ps.AF_PACKET, "ifindex": 1}  # type: ignore[typeddict-item]

# results: vsock and packet fields once family has said so, and no others
sa = ps.check(ps.getsockname(3))
sa["cid"]  # type: ignore[typeddict-item]
if sa["family"] == ps.AF_VSOCK:
    sa["addr"]  # type: ignore[typeddict-item]
if sa["family"] == ps.AF_PACKET:
    sa["pid"]  # type: ignore[typeddict-item]
    text: str = sa["haddr"]  # type: ignore[assignment]
