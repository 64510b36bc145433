#!/usr/bin/env python3
"""Where posixsock's per-call time goes: python3 bench/profile.py

For getsockname, send+recv (1 byte, AF_UNIX stream), sendto+recvfrom
(1 byte, UDP loopback) and set/getsockopt (TCP_NODELAY) it times, interleaved, the median and the minimum over rounds, in ns/op:

* ``posixsock``  -- the public call;
* ``floor``      -- bench/floor.py's function: the least Python with
  posixsock's API (``posixsock - floor`` is what its checks cost);
* ``borrowed``   -- the C methods of the cached ``_Borrowed`` object posixsock
  calls (the floor for its design: the system call plus CPython's method);
* ``stdlib``     -- the same C methods on a ``socket.socket`` object;
* the pieces of the wrapper measured alone (descriptor lookup, address
  conversions).

``posixsock - borrowed`` is the wrapper's cost.  Uses posixsock's private
modules, so it follows their names (``_fd.plain``, ``_sockaddr``).
"""
from __future__ import annotations

import gc
import os
import socket
import statistics
import sys
import time
from typing import Callable, Dict, List

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import posixsock as ps  # noqa: E402
from posixsock import _args, _fd, _sockaddr, _sockopt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floor as fl  # noqa: E402

N, ROUNDS = 2000, 41


def compare(title: str, cases: Dict[str, Callable[[], object]]) -> None:
    samples: Dict[str, List[float]] = {k: [] for k in cases}
    gc.disable()
    for r in range(ROUNDS + 1):
        for name in (list(cases) if r % 2 else list(cases)[::-1]):
            fn = cases[name]
            t0 = time.perf_counter_ns()
            for _ in range(N):
                fn()
            if r:  # round 0 is the warm-up
                samples[name].append((time.perf_counter_ns() - t0) / N)
    gc.enable()
    # the loop and the lambda call, measured alone, are taken off every row
    empty = min(_loop_cost() for _ in range(5))
    print(f"{title}  (ns/op, median and min of rounds; loop+lambda {empty:.0f} ns removed)")
    for name, values in samples.items():
        print(f"  {name:<34} {statistics.median(values) - empty:8.0f} {min(values) - empty:8.0f}")


def _loop_cost() -> float:
    fn: Callable[[], None] = lambda: None  # noqa: E731
    t0 = time.perf_counter_ns()
    for _ in range(N * 10):
        fn()
    return (time.perf_counter_ns() - t0) / (N * 10)


def _noop(fd: int, data: bytes) -> None:
    pass


def _busy(k: int) -> int:
    total = 0
    for i in range(k):
        total += i
    return total


def main() -> None:
    a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    sa, sb = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    u1, u2 = (ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0)) for _ in range(2))
    for fd in (u1, u2):
        ps.check(ps.bind(fd, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
    su1, su2 = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
    for s in (su1, su2):
        s.bind(("127.0.0.1", 0))
    dest = ps.check(ps.getsockname(u2))
    sdest = su2.getsockname()
    pdest = (dest["addr"], dest["port"])  # u2's address, as the stdlib writes it
    tv = (5).to_bytes(8, sys.byteorder) + bytes(8)  # 5 s: no unbounded wait
    for s in (sa, sb, su1, su2):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    for fd in (a, b, u1, u2):
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
    ps.sendto(u1, b"x", dest)  # builds the AF_INET object for u1 in the cache
    ps.recvfrom(u2, 64)
    ps.send(a, b"x"), ps.recv(b, 1)  # builds the plain objects for a and b
    ba, bb, bu2 = _fd.plain[a], _fd.plain[b], _fd.plain[u2]
    bu1 = _fd.by_family[ps.AF_INET][u1]
    tup = bu2.getsockname()

    compare("getsockname (AF_INET)", {
        "posixsock getsockname": lambda: ps.getsockname(u2),
        "floor getsockname": lambda: fl.getsockname(u2),
        "borrowed .getsockname": bu2.getsockname,
        "stdlib .getsockname": su2.getsockname,
        "  piece: _fd.plain.get(fd)": lambda: _fd.plain.get(u2),
        "  piece: sockaddr(tuple)": lambda: _sockaddr.sockaddr(tup, bu2),
        "  piece: dict literal only": lambda: {"family": 2, "port": tup[1], "addr": tup[0]},
    })
    compare("send 1 + recv 1 (AF_UNIX stream)", {
        "posixsock send+recv": lambda: (ps.send(a, b"x"), ps.recv(b, 1)),
        "floor send+recv": lambda: (fl.send(a, b"x"), fl.recv(b, 1)),
        "borrowed .send+.recv": lambda: (ba.send(b"x"), bb.recv(1)),
        "stdlib .send+.recv": lambda: (sa.send(b"x"), sb.recv(1)),
        "  piece: empty 2-arg function": lambda: _noop(a, b"x"),
    })
    compare("sendto 1 + recvfrom (UDP 127.0.0.1)", {
        "posixsock sendto+recvfrom": lambda: (ps.sendto(u1, b"x", dest), ps.recvfrom(u2, 64)),
        "floor sendto+recvfrom": lambda: (fl.sendto(u1, b"x", dest), fl.recvfrom(u2, 64)),
        "borrowed .sendto+.recvfrom": lambda: (bu1.sendto(b"x", pdest), bu2.recvfrom(64)),
        "stdlib .sendto+.recvfrom": lambda: (su1.sendto(b"x", sdest), su2.recvfrom(64)),
        "  piece: native(dest)": lambda: _sockaddr.native("sendto", 3, dest),
        "  piece: _is_numeric(AF_INET, addr)": lambda: _sockaddr._is_numeric(ps.AF_INET, "127.0.0.1"),
        "  piece: sockaddr(source)": lambda: _sockaddr.sockaddr(sdest, bu2),
    })
    tcp = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    ps.setsockopt(tcp, ps.IPPROTO_TCP, ps.TCP_NODELAY, 1)
    btcp = _fd.plain[tcp]
    compare("setsockopt + getsockopt TCP_NODELAY", {
        "posixsock set+get": lambda: (ps.setsockopt(tcp, ps.IPPROTO_TCP, ps.TCP_NODELAY, 1),
                                      ps.getsockopt(tcp, ps.IPPROTO_TCP, ps.TCP_NODELAY)),
        "floor set+get": lambda: (fl.setsockopt(tcp, 6, 1, 1), fl.getsockopt(tcp, 6, 1)),
        "borrowed .setsockopt+.getsockopt": lambda: (btcp.setsockopt(6, 1, 1), btcp.getsockopt(6, 1)),
        "  piece: _args.cint": lambda: _args.cint("setsockopt", 2, 6),
        "  piece: TABLE.get((level, name))": lambda: _sockopt.TABLE.get((6, 1)),
    })
    # The platform: does Python work between two system calls make the second
    # dearer?  (Under gVisor a syscall that follows the previous one closely
    # can be much cheaper; then every ns of wrapper costs more than 1 ns.)
    compare("platform: getsockopt after k iterations of a pure-Python loop", {
        "busy(0)": lambda: _busy(0),
        "busy(8)": lambda: _busy(8),
        "busy(0) + .getsockopt": lambda: (_busy(0), btcp.getsockopt(6, 1)),
        "busy(8) + .getsockopt": lambda: (_busy(8), btcp.getsockopt(6, 1)),
    })
    for fd in (a, b, u1, u2, tcp):
        os.close(fd)


if __name__ == "__main__":
    main()
