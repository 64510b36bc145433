"""Misuse mypy and pyright must reject (issue 5): unnarrowed results of the new calls,
text where bytes go, malformed Cmsg items.  (Marking convention: see
bad_unnarrowed.py.)"""
from __future__ import annotations

import posixsock as ps

got = ps.recvmsg(3, 16)
data, items, flags, source = got  # type: ignore[misc]
fds = ps.recv_fds(3, 16, 1)
fds[1].append(4)  # type: ignore[union-attr]
ps.send_fds(3, "text", [4])  # type: ignore[arg-type]
ps.send_fds(3, b"x", ["4"])  # type: ignore[list-item]
ps.sendmsg(3, ["text"])  # type: ignore[list-item]
ps.sendmsg(3, [b"x"], [{"level": 1, "type": 1}])  # type: ignore[typeddict-item]
ps.sendmsg(3, [b"x"], [{"level": 1, "type": 1, "data": "s"}])  # type: ignore[typeddict-item]
ps.recvmsg(3, 16, flags=0)  # type: ignore[call-arg]
host, service = ps.getnameinfo({"family": ps.AF_INET, "port": 1, "addr": "127.0.0.1"})  # type: ignore[misc]
ps.getnameinfo(("127.0.0.1", 80))  # type: ignore[arg-type]
ps.inet_pton(ps.AF_INET, b"127.0.0.1")  # type: ignore[arg-type]
ps.inet_ntop(ps.AF_INET, "1234")  # type: ignore[arg-type]
ps.if_indextoname("1")  # type: ignore[arg-type]
name: str = ps.if_indextoname(1)  # type: ignore[assignment]
for entry in ps.check(ps.if_nameindex()):
    entry["ifname"]  # type: ignore[typeddict-item]
ps.CMSG_LEN(4.0)  # type: ignore[arg-type]
