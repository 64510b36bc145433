"""Misuse both checkers must reject (issue 8): a field of another family, a
missing field, a wrong value type, AF_UNSPEC as an argument, and a result's
fields read before ``family`` has narrowed it.  (Marking convention: see
bad_unnarrowed.py; tests/test_types.py also requires pyright to report
exactly these lines.)"""
from __future__ import annotations

import posixsock as ps

# arguments: each family's own fields, all of them, of the right types
ps.connect(3, {"family": ps.AF_UNIX, "port": 80})  # type: ignore[arg-type]
ps.bind(3, {"family": ps.AF_INET, "path": "/x"})  # type: ignore[typeddict-item]
ps.sendto(3, b"x", {"family": ps.AF_INET, "port": 9})  # type: ignore[arg-type]
ps.connect(3, {"family": ps.AF_INET6, "addr": "::1"})  # type: ignore[arg-type]
ps.bind(3, {"family": ps.AF_NETLINK, "pid": 0})  # type: ignore[arg-type]
ps.bind(3, {"family": ps.AF_PACKET, "ifindex": "lo"})  # type: ignore[typeddict-item]
ps.connect(3, {"family": ps.AF_INET6, "port": 80, "addr": "::1", "scope_id": "eth0"})  # type: ignore[typeddict-item]
ps.connect(3, {"family": ps.AF_UNSPEC})  # type: ignore[arg-type]
ps.sendmsg(3, [b"x"], (), 0, {"family": ps.AF_UNIX, "port": 1})  # type: ignore[arg-type]
ps.getnameinfo({"family": ps.AF_INET, "port": 80})  # type: ignore[arg-type]
inet: ps.SockAddrInet = {"family": ps.AF_INET6, "port": 80, "addr": "::1"}  # type: ignore[typeddict-item]
unix: ps.SockAddrUnix = {"family": ps.AF_UNIX}  # type: ignore[typeddict-item]

# results: a field is there once family has said so
sa = ps.check(ps.getsockname(3))
sa["port"]  # type: ignore[typeddict-item]
if sa["family"] == ps.AF_INET:
    sa["path"]  # type: ignore[typeddict-item]
if sa["family"] != ps.AF_UNIX:
    sa["path"]  # type: ignore[typeddict-item]
mine: ps.SockAddrInet = sa  # type: ignore[assignment]

conn, peer = ps.check(ps.accept(3))
peer["addr"]  # type: ignore[typeddict-item]

data, source = ps.check(ps.recvfrom(3, 16))
ps.sendto(3, data, source)  # type: ignore[arg-type]

got, items, flags, origin = ps.check(ps.recvmsg(3, 16))
ps.sendto(3, got, origin)  # type: ignore[arg-type]

for ai in ps.check(ps.getaddrinfo("127.0.0.1", 80)):
    ai["path"]  # type: ignore[typeddict-item]
    ai["scope_id"]  # type: ignore[typeddict-item]
    if ai["family"] == ps.AF_INET:
        ai["flowinfo"]  # type: ignore[typeddict-item]
        ai["family"] = ps.AF_INET6  # type: ignore[typeddict-item]
