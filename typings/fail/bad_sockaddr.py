"""Misuse both checkers must reject: address / AddrInfoHints keys and value types.
(Marking convention: see bad_unnarrowed.py.)"""
from __future__ import annotations

import posixsock as ps

typo: ps.SockAddrInet = {"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1", "prot": 80}  # type: ignore[typeddict-unknown-key]
no_family: ps.SockAddr = {"port": 80, "addr": "127.0.0.1"}  # type: ignore[assignment]
str_family: ps.SockAddrUnspec = {"family": "AF_INET"}  # type: ignore[typeddict-item]
str_port: ps.SockAddrInet = {"family": ps.AF_INET, "port": "80", "addr": "127.0.0.1"}  # type: ignore[typeddict-item]
bytes_path: ps.SockAddrUnix = {"family": ps.AF_UNIX, "path": b"/tmp/s"}  # type: ignore[typeddict-item]

ps.connect(3, ("127.0.0.1", 80))  # type: ignore[arg-type]
ps.bind(3, {"family": ps.AF_INET, "host": "127.0.0.1"})  # type: ignore[arg-type]
ps.sendto(3, b"x", "127.0.0.1")  # type: ignore[arg-type]

addr: ps.SockAddrInet = {"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1"}
addr["host"]  # type: ignore[typeddict-item]
label: str = addr["port"]  # type: ignore[assignment]
addr["port"] = "80"  # type: ignore[typeddict-item]

ps.getaddrinfo("127.0.0.1", "80", {"flag": ps.AI_PASSIVE})  # type: ignore[arg-type]
ps.getaddrinfo("127.0.0.1", "80", {"family": "inet"})  # type: ignore[arg-type]
