"""Misuse mypy and pyright must reject: str buffers, wrong argument types and counts.
(Marking convention: see bad_unnarrowed.py.)"""
from __future__ import annotations

import posixsock as ps

ps.send(3, "text")  # type: ignore[arg-type]
ps.sendto(3, "text", {"family": ps.AF_INET, "port": 9, "addr": "127.0.0.1"})  # type: ignore[arg-type]
ps.socket("AF_INET", ps.SOCK_STREAM, 0)  # type: ignore[arg-type]
ps.socket(ps.AF_INET, ps.SOCK_STREAM)  # type: ignore[call-arg]
ps.recv(3)  # type: ignore[call-arg]
ps.recv(3, 1.5)  # type: ignore[arg-type]
ps.recv("3", 16)  # type: ignore[arg-type]
ps.recv(fd=3, count=16)  # type: ignore[call-arg]
ps.listen(3, None)  # type: ignore[arg-type]
ps.shutdown(3, "SHUT_RD")  # type: ignore[arg-type]
ps.setsockopt(3, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1.0)  # type: ignore[call-overload]
ps.setsockopt(3, ps.SOL_SOCKET, ps.SO_LINGER, 1, "0")  # type: ignore[call-overload]
ps.getsockopt(3, ps.SOL_SOCKET)  # type: ignore[call-overload]
ps.getaddrinfo(b"127.0.0.1", "80")  # type: ignore[arg-type]
ps.getaddrinfo("127.0.0.1", 80.0)  # type: ignore[arg-type]
ps.if_nametoindex(b"lo")  # type: ignore[arg-type]
ps.check(ps.recv(3, 16)).encode()  # type: ignore[attr-defined]
ps.Error("not None", "message", 1)  # type: ignore[arg-type]

# getsockopt's SOL_SOCKET structured options have their own types: a field of
# another option's value is refused.
ps.check(ps.getsockopt(3, ps.SOL_SOCKET, ps.SO_LINGER))["tv_sec"]  # type: ignore[typeddict-item]
timeout: ps.Timeval = ps.check(ps.getsockopt(3, ps.SOL_SOCKET, ps.SO_PEERCRED))  # type: ignore[assignment]
ps.check(ps.getsockopt(3, ps.SOL_SOCKET, ps.SO_BINDTODEVICE))["l_onoff"]  # type: ignore[index]
ps.accept(3, "SOCK_NONBLOCK")  # type: ignore[arg-type]
ps.accept(3, 0, 0)  # type: ignore[call-arg]
