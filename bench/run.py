#!/usr/bin/env python3
"""posixsock against stdlib socket objects (and luaposix) on the same workloads.

    python3 bench/run.py [--quick] [--json] [--workload NAME] [--lua PATH]

posixsock and the stdlib run in this process, interleaved: rounds of ``n``
operations, ``posixsock, stdlib, stdlib, posixsock, ...`` (ABBA, so neither
side always runs second), gc disabled during rounds, after a warm-up.  The
figure is the median over rounds of (round time / n), in microseconds per
operation.  The stdlib side uses ``socket.socket`` objects made once, called
the ordinary way (``s.send(b"x")``, public ``socket.getaddrinfo``); the
posixsock side uses integer fds.  Both make the same system calls, except
what a library adds on its own: in tcp_connect posixsock's ``socket()``
reads O_NONBLOCK (fcntl) and the stdlib's ``accept()`` checks the new fd
(getsockname).  luaposix runs the same loops in a Lua
process (bench/luaposix_bench.lua) with the same ``n``; its medians are
parsed from its output.  Goals are printed, never asserted.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import posixsock as ps  # noqa: E402

Round = Callable[[int], None]
BULK = 65536
BUFSIZE = 1 << 20  # SO_SNDBUF/SO_RCVBUF for the bulk pair: 64 KiB fits at once
LOOPBACK = "127.0.0.1"
NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


class Workload(NamedTuple):
    setup: Callable[[], Tuple[Round, Round, Callable[[], None]]]
    max_ops: Optional[int]  # cap on n * rounds (TCP: ephemeral ports, TIME_WAIT)


def _bounded(fds: List[int], socks: List[socket.socket]) -> None:
    """A 5 s receive/send timeout on everything, so no wait is unbounded."""
    for fd in fds:
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO, 5, 0))
    for s in socks:
        s.settimeout(None)
        tv = (5).to_bytes(8, sys.byteorder) + bytes(8)  # struct timeval {5, 0}
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


def _closer(fds: List[int], socks: List[socket.socket]) -> Callable[[], None]:
    def close() -> None:
        for fd in fds:
            os.close(fd)
        for s in socks:
            s.close()
    return close


def pingpong() -> Tuple[Round, Round, Callable[[], None]]:
    a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    sa, sb = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    _bounded([a, b], [sa, sb])

    def with_ps(n: int) -> None:
        for _ in range(n):
            ps.send(a, b"x")
            ps.recv(b, 1)

    def with_std(n: int) -> None:
        for _ in range(n):
            sa.send(b"x")
            sb.recv(1)
    assert ps.send(a, b"x") == 1 and ps.recv(b, 1) == b"x"
    return with_ps, with_std, _closer([a, b], [sa, sb])


def _udp_pair() -> Tuple[int, int, socket.socket, socket.socket]:
    a, b = (ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0)) for _ in range(2))
    sa, sb = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
    for fd in (a, b):
        ps.check(ps.bind(fd, {"family": ps.AF_INET, "port": 0, "addr": LOOPBACK}))
    for s in (sa, sb):
        s.bind((LOOPBACK, 0))
    _bounded([a, b], [sa, sb])
    return a, b, sa, sb


def udp() -> Tuple[Round, Round, Callable[[], None]]:
    a, b, sa, sb = _udp_pair()
    dest = ps.check(ps.getsockname(b))
    sdest = sb.getsockname()

    def with_ps(n: int) -> None:
        for _ in range(n):
            ps.sendto(a, b"x", dest)
            ps.recvfrom(b, 64)

    def with_std(n: int) -> None:
        for _ in range(n):
            sa.sendto(b"x", sdest)
            sb.recvfrom(64)
    ps.sendto(a, b"x", dest)
    assert ps.check(ps.recvfrom(b, 64))[0] == b"x"
    return with_ps, with_std, _closer([a, b], [sa, sb])


def getsockname() -> Tuple[Round, Round, Callable[[], None]]:
    a, b, sa, sb = _udp_pair()

    def with_ps(n: int) -> None:
        for _ in range(n):
            ps.getsockname(b)

    def with_std(n: int) -> None:
        for _ in range(n):
            sb.getsockname()
    assert ps.check(ps.getsockname(b))["port"] > 0
    return with_ps, with_std, _closer([a, b], [sa, sb])


def bulk64k() -> Tuple[Round, Round, Callable[[], None]]:
    a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    sa, sb = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    _bounded([a, b], [sa, sb])
    for fd in (a, b):
        for opt in (ps.SO_SNDBUF, ps.SO_RCVBUF):
            ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, opt, BUFSIZE))
    for s in (sa, sb):
        for opt in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            s.setsockopt(socket.SOL_SOCKET, opt, BUFSIZE)
    payload = bytes(BULK)
    view = memoryview(payload)

    # Both sides: one send (more only if partial), recv until all 65536 arrived.
    # Hot loops do not check results: a failure raises TypeError soon after.
    def with_ps(n: int) -> None:
        for _ in range(n):
            sent: int = ps.send(a, payload)  # type: ignore[assignment]
            while sent < BULK:
                sent += ps.check(ps.send(a, view[sent:]))
            got = len(ps.check(ps.recv(b, BULK)))
            while got < BULK:
                got += len(ps.check(ps.recv(b, BULK - got)))

    def with_std(n: int) -> None:
        for _ in range(n):
            sent = sa.send(payload)
            while sent < BULK:
                sent += sa.send(view[sent:])
            got = len(sb.recv(BULK))
            while got < BULK:
                got += len(sb.recv(BULK - got))
    assert ps.send(a, payload) == BULK and sa.send(payload) == BULK, "64 KiB does not fit"
    assert len(ps.check(ps.recv(b, BULK))) == BULK and len(sb.recv(BULK)) == BULK
    return with_ps, with_std, _closer([a, b], [sa, sb])


def tcp_connect() -> Tuple[Round, Round, Callable[[], None]]:
    lfd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    ps.check(ps.bind(lfd, {"family": ps.AF_INET, "port": 0, "addr": LOOPBACK}))
    ps.check(ps.listen(lfd, 128))
    addr = ps.check(ps.getsockname(lfd))
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind((LOOPBACK, 0))
    ls.listen(128)
    saddr = ls.getsockname()
    _bounded([lfd], [ls])

    def with_ps(n: int) -> None:
        for _ in range(n):
            c: int = ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0)  # type: ignore[assignment]
            ps.connect(c, addr)
            conn, _peer = ps.accept(lfd)  # type: ignore[misc]
            os.close(conn)
            os.close(c)

    def with_std(n: int) -> None:
        for _ in range(n):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.connect(saddr)
            conn, _peer = ls.accept()
            conn.close()
            c.close()
    return with_ps, with_std, _closer([lfd], [ls])


def getaddrinfo() -> Tuple[Round, Round, Callable[[], None]]:
    hints: ps.AddrInfoHints = {"flags": ps.AI_NUMERICHOST | ps.AI_NUMERICSERV}

    def with_ps(n: int) -> None:
        for _ in range(n):
            ps.getaddrinfo(LOOPBACK, "80", hints)

    def with_std(n: int) -> None:
        for _ in range(n):
            socket.getaddrinfo(LOOPBACK, "80", 0, 0, 0, NUMERIC)
    assert len(ps.check(ps.getaddrinfo(LOOPBACK, "80", hints))) == len(
        socket.getaddrinfo(LOOPBACK, "80", 0, 0, 0, NUMERIC))
    return with_ps, with_std, lambda: None


def sockopt() -> Tuple[Round, Round, Callable[[], None]]:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def with_ps(n: int) -> None:
        for _ in range(n):
            ps.setsockopt(fd, ps.IPPROTO_TCP, ps.TCP_NODELAY, 1)
            ps.getsockopt(fd, ps.IPPROTO_TCP, ps.TCP_NODELAY)

    def with_std(n: int) -> None:
        for _ in range(n):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    with_ps(1)
    assert ps.getsockopt(fd, ps.IPPROTO_TCP, ps.TCP_NODELAY) != 0
    return with_ps, with_std, _closer([fd], [s])


WORKLOADS: Dict[str, Workload] = {
    "pingpong": Workload(pingpong, None),
    "udp": Workload(udp, None),
    "getsockname": Workload(getsockname, None),
    "bulk64k": Workload(bulk64k, None),
    "tcp_connect": Workload(tcp_connect, 8000),
    "getaddrinfo": Workload(getaddrinfo, None),
    "sockopt": Workload(sockopt, None),
}
# (workload, against, ratio limit); posixsock/stdlib <= 1.15 everywhere
GOALS: List[Tuple[str, str, float]] = [
    *((name, "stdlib", 1.05 if name == "bulk64k" else 1.15) for name in WORKLOADS),
    ("pingpong", "luaposix", 1.0), ("udp", "luaposix", 1.0), ("getsockname", "luaposix", 1.0),
]


def timed(fn: Round, n: int) -> float:
    """Microseconds per operation of one round of ``n``."""
    t0 = time.perf_counter_ns()
    fn(n)
    return (time.perf_counter_ns() - t0) / n / 1000


def calibrate(fn: Round, target_us: float) -> int:
    n = 1
    while n * timed(fn, n) < target_us and n < 1 << 20:
        n *= 2
    return n


@dataclass
class Result:
    n: int
    rounds: int
    posixsock: float
    stdlib: float
    luaposix: Optional[float] = None
    ratios: Dict[str, Optional[float]] = field(default_factory=dict)
    goals: List[Dict[str, object]] = field(default_factory=list)

    def judge(self, name: str) -> None:
        for against in ("stdlib", "luaposix"):
            base = self.stdlib if against == "stdlib" else self.luaposix
            self.ratios[against] = self.posixsock / base if base else None
        for goal_name, against, limit in GOALS:
            ratio = self.ratios[against]
            if goal_name == name:
                self.goals.append({"against": against, "max": limit,
                                   "met": ratio is not None and ratio <= limit})


def measure(name: str, rounds: int, target_ms: float) -> Result:
    work = WORKLOADS[name]
    with_ps, with_std, close = work.setup()
    sides = {"posixsock": with_ps, "stdlib": with_std}
    samples: Dict[str, List[float]] = {side: [] for side in sides}
    try:
        n = calibrate(with_std, target_ms * 1000)
        if work.max_ops:
            n = max(1, min(n, work.max_ops // rounds))
        order = list(sides)
        gc.collect()
        gc.disable()
        try:
            for fn in sides.values():  # warm-up
                fn(n)
            for r in range(rounds):
                for side in (order if r % 2 == 0 else order[::-1]):
                    samples[side].append(timed(sides[side], n))
        finally:
            gc.enable()
    finally:
        close()
    return Result(n, rounds, statistics.median(samples["posixsock"]),
                  statistics.median(samples["stdlib"]))


def run_lua(lua: str, rounds: int, ns: Dict[str, int]) -> Dict[str, float]:
    """Medians from bench/luaposix_bench.lua, one ``name median_us`` line each."""
    args = [lua, os.path.join(HERE, "luaposix_bench.lua"), str(rounds)]
    args += [f"{name}={n}" for name, n in ns.items()]
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=600).stdout
    return {name: float(value) for name, value in (line.split() for line in out.splitlines())}


def table(results: Dict[str, Result]) -> None:
    def num(v: Optional[float], width: int, digits: int = 2) -> str:
        return f"{'-' if v is None else format(v, f'.{digits}f'):>{width}}"
    print(f"{'workload':<12} {'n':>5} {'posixsock':>9} {'stdlib':>8} {'luaposix':>8}"
          f"  {'ps/std':>6} {'goal':<13} {'ps/lua':>6} goal")
    for name, r in results.items():
        line = f"{name:<12} {r.n:>5} {num(r.posixsock, 9)} {num(r.stdlib, 8)} {num(r.luaposix, 8)} "
        for against in ("stdlib", "luaposix"):
            goal = next((g for g in r.goals if g["against"] == against), None)
            mark = "" if goal is None else f"<={goal['max']:.2f} {'met' if goal['met'] else 'MISSED'}"
            line += f" {num(r.ratios[against], 6, 3)} {mark:<13}"
        print(line.rstrip())
    r = next(iter(results.values()))
    print(f"(median of {r.rounds} rounds of n operations; microseconds per operation)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="finish in well under a minute")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--workload", choices=list(WORKLOADS), action="append",
                        help="run only this workload (repeatable)")
    parser.add_argument("--lua", default=os.path.join(HERE, "..", "..", "shared", "tools", "luaposix"),
                        help="luaposix launcher (the column is skipped if it is missing)")
    opts = parser.parse_args()
    rounds, target_ms = (31, 8.0) if opts.quick else (101, 25.0)
    names = opts.workload or list(WORKLOADS)

    results: Dict[str, Result] = {}
    for name in names:
        results[name] = measure(name, rounds, target_ms)
        if sys.stderr.isatty():
            print(f"  {name} done", file=sys.stderr)
    if os.path.exists(opts.lua):
        lua = run_lua(opts.lua, rounds, {name: r.n for name, r in results.items()})
        for name, r in results.items():
            r.luaposix = lua.get(name)
    for name, r in results.items():
        r.judge(name)
    if opts.json:
        json.dump({"mode": "quick" if opts.quick else "full", "unit": "us/op",
                   "workloads": {name: asdict(r) for name, r in results.items()}},
                  sys.stdout, indent=2)
        print()
    else:
        table(results)


if __name__ == "__main__":
    main()
