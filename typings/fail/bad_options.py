"""Misuse both checkers must reject (issue 15): a value of the wrong type or
count for the option, an option at another level, a number where a dotted
address goes.  Each would raise TypeError (or set another option) at run
time.  (Marking convention: see bad_unnarrowed.py.)"""
from __future__ import annotations

import socket

import posixsock as ps

ps.setsockopt(3, ps.SOL_SOCKET, ps.SO_RCVBUF, "lots")  # type: ignore[call-overload]
ps.setsockopt(3, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, 1)  # type: ignore[call-overload]
ps.setsockopt(3, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 2)  # type: ignore[call-overload]
ps.setsockopt(3, ps.SOL_SOCKET, ps.SO_LINGER, 1, None)  # type: ignore[call-overload]
ps.setsockopt(3, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1, 0)  # type: ignore[call-overload]
ps.setsockopt(3, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, 0x0100007F)  # type: ignore[call-overload]
ps.setsockopt(3, ps.IPPROTO_IP, ps.IP_ADD_MEMBERSHIP, "239.1.2.3", 0)  # type: ignore[call-overload]
ps.setsockopt(3, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, "ff02::1", "lo")  # type: ignore[call-overload]
ps.setsockopt(3, ps.IPPROTO_TCP, ps.TCP_NODELAY, True, 1)  # type: ignore[call-overload]
# an option at another level than its own
ps.setsockopt(3, ps.SOL_SOCKET, ps.IPV6_V6ONLY, 1)  # type: ignore[call-overload]
ps.setsockopt(3, ps.IPPROTO_TCP, ps.SO_RCVTIMEO, 1, 0)  # type: ignore[call-overload]
# a number posixsock has no constant for: IntOption(number) says it is a C int
ps.setsockopt(3, ps.SOL_SOCKET, socket.SO_PASSCRED, 1)  # type: ignore[call-overload]
ps.setsockopt(3, ps.SOL_SOCKET, ps.IntOption(socket.SO_PASSCRED), "1")  # type: ignore[call-overload]

# getsockopt: each option's own type
rcvbuf: str = ps.check(ps.getsockopt(3, ps.SOL_SOCKET, ps.SO_RCVBUF))  # type: ignore[assignment]
ttl: str = ps.check(ps.getsockopt(3, ps.IPPROTO_IP, ps.IP_MULTICAST_TTL))  # type: ignore[assignment]
interface: int = ps.check(ps.getsockopt(3, ps.IPPROTO_IP, ps.IP_MULTICAST_IF))  # type: ignore[assignment]
ps.check(ps.getsockopt(3, ps.SOL_SOCKET, ps.SO_ERROR))["tv_sec"]  # type: ignore[index]
