"""posixsock.aio misuse mypy and pyright must reject: a result used before
the Error case is ruled out, an argument of the wrong type, a call not
awaited.  (Markers: see bad_unnarrowed.py.)"""
from __future__ import annotations

import posixsock as ps
from posixsock import aio


async def misuse(fd: int) -> None:
    (await aio.recv(fd, 10)).decode()  # type: ignore[union-attr]
    conn, peer = await aio.accept(fd)  # type: ignore[misc]
    total: int = await aio.sendall(fd, b"x")  # type: ignore[assignment]
    await aio.send(fd, "text")  # type: ignore[arg-type]
    await aio.connect(fd, ("127.0.0.1", 80))  # type: ignore[arg-type]
    data: bytes = aio.recv(fd, 10)  # type: ignore[assignment]
    got = await aio.recvfrom(fd, 10)
    got[0].hex()  # type: ignore[union-attr]
    print(conn, peer, total, data, ps.AF_INET)
