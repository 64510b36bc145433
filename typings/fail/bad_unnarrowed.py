"""Misuse mypy and pyright must reject: a result used before the Error case
is ruled out.

Each rejected line carries ``# type: ignore[<code>]``: ``mypy --strict``
passes on this file only if every marked line is rejected with exactly that
code (an ignore that is not needed is itself an error under --strict), and
tests/test_types.py also checks each line with the ignores removed, with
mypy (the code) and with pyright (an error on exactly the marked lines).
"""
from __future__ import annotations

import posixsock as ps

fd = ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0)
ps.listen(fd, 1)  # type: ignore[arg-type]
port: int = fd  # type: ignore[assignment]

data = ps.recv(3, 16)
data.decode()  # type: ignore[union-attr]
if data:  # an Error is a non-empty tuple: truthiness does not narrow
    data.decode()  # type: ignore[union-attr]
data + b"tail"  # type: ignore[operator]

conn, peer = ps.accept(3)  # type: ignore[misc]
one, two = ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0)  # type: ignore[misc]
payload, source = ps.recvfrom(3, 16)  # type: ignore[misc]

name = ps.getsockname(3)
name["family"]  # type: ignore[call-overload]
found = ps.getaddrinfo("127.0.0.1", "80")
for entry in found:  # an Error is a tuple, so this iterates...
    entry["port"]  # type: ignore[index]

sent: int = ps.send(3, b"x")  # type: ignore[assignment]
index: int = ps.if_nametoindex("lo")  # type: ignore[assignment]

err = ps.recv(-1, 1)
if isinstance(err, ps.Error):
    err.errnum + ""  # type: ignore[operator]
    err.message.decode()  # type: ignore[attr-defined]
