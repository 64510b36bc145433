#!/usr/bin/env python3
"""posixsock.aio against asyncio's own socket calls and streams.

    python3 bench/aio.py [--quick] [--json]

On the default event loop and on uvloop (if installed), in one process:

* ``rt_socketpair`` / ``rt_tcp`` -- 1-byte request/response round trips
  over an AF_UNIX socketpair and a TCP loopback connection (TCP_NODELAY);
  an echo task answers each byte.  Microseconds per round trip.
* ``echo100`` -- 100 TCP connections, each sending 4 KiB messages that an
  echo task returns; MiB/s echoed (sent and received back).

Sides, each with its own connections, made the way its users make them:

* ``aio`` -- ``posixsock.aio`` on integer fds (made non-blocking);
* ``sock`` -- ``loop.sock_sendall``/``loop.sock_recv`` on non-blocking
  ``socket.socket`` objects;
* ``streams`` -- asyncio streams (``open_connection``/``start_server``);
* ``floor`` -- the least Python with aio's way of waiting, on socket objects
  (``Floor``): try the call first, and on EAGAIN await one future that a
  reader registration kept for the descriptor resolves.  No error values,
  one waiter per descriptor, no close wake-up, no check that a kept
  registration still names the same descriptor, none ever removed.  Every
  design that tries first pays what it pays: a receive that meets EAGAIN
  before each wait, and a task wake-up, where streams read in the loop's
  callback.  aio/floor is what aio's guarantees and layers cost;
  floor/streams bounds what any try-first design can reach.

Rounds interleave the sides, in an order that changes every round, gc
disabled during rounds; the figure is the median over rounds.  Goals
(printed, never asserted): aio's round trip at most 1.0x ``sock``'s on the
same loop; aio's echo100 throughput at least that of streams.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import sys
import time
from typing import Any, Awaitable, Callable, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import posixsock as ps  # noqa: E402
from posixsock import aio  # noqa: E402

SIDES = ("aio", "sock", "streams", "floor")
MSG = 4096
CONNS = 100
Round = Callable[[int], Awaitable[None]]


def _tcp_pair() -> Tuple[socket.socket, socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        client = socket.create_connection(server.getsockname())
        conn, _ = server.accept()
    for s in (client, conn):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
    return client, conn


def _pair(kind: str) -> Tuple[socket.socket, socket.socket]:
    if kind == "tcp":
        return _tcp_pair()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    return a, b


class Floor:
    """aio's way of waiting with nothing else (see the module docstring)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: Dict[int, "asyncio.Future[None]"] = {}
        self.registered: set = set()  # type: ignore[type-arg]

    def _ready(self, fd: int) -> None:
        fut = self.waiting.pop(fd, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    async def recv(self, s: socket.socket, n: int) -> bytes:
        while True:
            try:
                return s.recv(n)
            except BlockingIOError:
                pass
            fd = s.fileno()
            fut = self.waiting[fd] = self.loop.create_future()
            if fd not in self.registered:
                self.registered.add(fd)
                self.loop.add_reader(fd, self._ready, fd)
            await fut

    async def sendall(self, s: socket.socket, data: bytes) -> None:
        # (the benchmark's messages always fit the socket buffer at once)
        if s.send(data) != len(data):
            raise AssertionError("floor: a partial send")


class Bench:
    """The connections of every side, made on the running loop, and their
    rounds; ``close`` ends the echo tasks and closes everything."""

    def __init__(self) -> None:
        self.keep: List[socket.socket] = []
        self.tasks: List["asyncio.Task[None]"] = []
        self.writers: List[asyncio.StreamWriter] = []
        self.floor = Floor(asyncio.get_running_loop())

    def pairs(self, kind: str, n: int) -> List[Tuple[socket.socket, socket.socket]]:
        made = [_pair(kind) for _ in range(n)]
        for a, b in made:
            self.keep += [a, b]
        return made

    def spawn(self, coro: Awaitable[None]) -> None:
        self.tasks.append(asyncio.ensure_future(coro))

    # --- echo servers, one per side ---
    async def aio_echo(self, fd: int) -> None:
        while True:
            data = await aio.recv(fd, 65536)
            if isinstance(data, ps.Error) or not data:
                return
            if isinstance(await aio.sendall(fd, data), ps.Error):
                return

    async def sock_echo(self, s: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            data = await loop.sock_recv(s, 65536)
            if not data:
                return
            await loop.sock_sendall(s, data)

    async def floor_echo(self, s: socket.socket) -> None:
        while True:
            data = await self.floor.recv(s, 65536)
            if not data:
                return
            await self.floor.sendall(s, data)

    async def stream_echo(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        while True:
            data = await reader.read(65536)
            if not data:
                return
            writer.write(data)
            await writer.drain()

    async def streams(self, a: socket.socket, b: socket.socket
                      ) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        r1, w1 = await asyncio.open_connection(sock=a)
        r2, w2 = await asyncio.open_connection(sock=b)
        self.writers += [w1, w2]
        self.spawn(self.stream_echo(r2, w2))
        return r1, w1

    # --- round trips ---
    async def round_trip(self, kind: str) -> Dict[str, Round]:
        loop = asyncio.get_running_loop()
        (a1, b1), (a2, b2), (a3, b3), (a4, b4) = self.pairs(kind, 4)
        afd, bfd = a1.fileno(), b1.fileno()
        self.spawn(self.aio_echo(bfd))
        self.spawn(self.sock_echo(b2))
        self.spawn(self.floor_echo(b4))
        floor = self.floor
        reader, writer = await self.streams(a3, b3)

        async def with_aio(n: int) -> None:
            for _ in range(n):
                await aio.send(afd, b"x")
                await aio.recv(afd, 1)

        async def with_sock(n: int) -> None:
            for _ in range(n):
                await loop.sock_sendall(a2, b"x")
                await loop.sock_recv(a2, 1)

        async def with_streams(n: int) -> None:
            for _ in range(n):
                writer.write(b"x")
                await writer.drain()
                await reader.readexactly(1)

        async def with_floor(n: int) -> None:
            for _ in range(n):
                await floor.sendall(a4, b"x")
                await floor.recv(a4, 1)
        return {"aio": with_aio, "sock": with_sock, "streams": with_streams, "floor": with_floor}

    # --- echo throughput ---
    async def echo100(self) -> Dict[str, Round]:
        loop = asyncio.get_running_loop()
        msg = os.urandom(MSG)
        aio_pairs = self.pairs("tcp", CONNS)
        sock_pairs = self.pairs("tcp", CONNS)
        stream_pairs = [await self.streams(a, b) for a, b in self.pairs("tcp", CONNS)]
        floor_pairs = self.pairs("tcp", CONNS)
        floor = self.floor
        for _, b in aio_pairs:
            self.spawn(self.aio_echo(b.fileno()))
        for _, b in sock_pairs:
            self.spawn(self.sock_echo(b))
        for _, b in floor_pairs:
            self.spawn(self.floor_echo(b))

        async def aio_client(fd: int, n: int) -> None:
            for _ in range(n):
                await aio.sendall(fd, msg)
                got = 0
                while got < MSG:
                    data = await aio.recv(fd, 65536)
                    assert isinstance(data, bytes) and data
                    got += len(data)

        async def sock_client(s: socket.socket, n: int) -> None:
            for _ in range(n):
                await loop.sock_sendall(s, msg)
                got = 0
                while got < MSG:
                    data = await loop.sock_recv(s, 65536)
                    assert data
                    got += len(data)

        async def floor_client(s: socket.socket, n: int) -> None:
            for _ in range(n):
                await floor.sendall(s, msg)
                got = 0
                while got < MSG:
                    got += len(await floor.recv(s, 65536))

        async def stream_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                                n: int) -> None:
            for _ in range(n):
                writer.write(msg)
                await writer.drain()
                await reader.readexactly(MSG)

        async def with_aio(n: int) -> None:
            await asyncio.gather(*(aio_client(a.fileno(), n) for a, _ in aio_pairs))

        async def with_sock(n: int) -> None:
            await asyncio.gather(*(sock_client(a, n) for a, _ in sock_pairs))

        async def with_streams(n: int) -> None:
            await asyncio.gather(*(stream_client(r, w, n) for r, w in stream_pairs))

        async def with_floor(n: int) -> None:
            await asyncio.gather(*(floor_client(a, n) for a, _ in floor_pairs))
        return {"aio": with_aio, "sock": with_sock, "streams": with_streams, "floor": with_floor}

    async def close(self) -> None:
        for fd in self.floor.registered:
            asyncio.get_running_loop().remove_reader(fd)
        for s in self.keep:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for w in self.writers:
            w.close()
        for s in self.keep:
            s.close()


async def timed(fn: Round, n: int) -> float:
    gc.disable()
    try:
        start = time.perf_counter()
        await fn(n)
        return time.perf_counter() - start
    finally:
        gc.enable()


async def measure(sides: Dict[str, Round], n: int, rounds: int) -> Dict[str, List[float]]:
    for fn in sides.values():  # warm-up
        await fn(max(1, n // 10))
    times: Dict[str, List[float]] = {name: [] for name in sides}
    # each rotation of the sides and of their reverse: every side takes every
    # place in the order equally often over len(orders) rounds
    names = list(sides)
    orders = [names[i:] + names[:i] for i in range(len(names))]
    orders += [list(reversed(order)) for order in orders]
    for i in range(rounds):
        for name in orders[i % len(orders)]:
            times[name].append(await timed(sides[name], n))
    return times


async def run_all(quick: bool) -> Dict[str, Dict[str, float]]:
    rounds = 8 if quick else 16
    bench = Bench()
    out: Dict[str, Dict[str, float]] = {}
    try:
        for kind in ("socketpair", "tcp"):
            n = 300 if quick else 2000
            times = await measure(await bench.round_trip(kind), n, rounds)
            out[f"rt_{kind}"] = {k: statistics.median(v) / n * 1e6 for k, v in times.items()}
        n = 4 if quick else 20
        times = await measure(await bench.echo100(), n, rounds)
        volume = 2 * CONNS * n * MSG / 2**20  # MiB sent and echoed back
        out["echo100"] = {k: volume / statistics.median(v) for k, v in times.items()}
    finally:
        await bench.close()
    return out


def loops() -> List[Tuple[str, Callable[[], asyncio.AbstractEventLoop]]]:
    found: List[Tuple[str, Callable[[], asyncio.AbstractEventLoop]]] = [
        ("asyncio", asyncio.new_event_loop)]
    try:
        import uvloop
    except ImportError:
        print("(uvloop not installed: default loop only)")
    else:
        found.append(("uvloop", uvloop.new_event_loop))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    results: Dict[str, Any] = {}
    print(f"{'loop':8} {'workload':14} {'aio':>9} {'sock':>9} {'streams':>9} {'floor':>9}"
          "  aio/sock  aio/streams  aio/floor  floor/streams")
    for name, factory in loops():
        loop = factory()
        try:
            figures = loop.run_until_complete(run_all(args.quick))
        finally:
            loop.close()
        results[name] = figures
        for workload, f in figures.items():
            unit = "MiB/s" if workload == "echo100" else "us"
            goal = ("goal >= 1.0 vs streams" if workload == "echo100"
                    else "goal <= 1.0 vs sock")
            print(f"{name:8} {workload:14} {f['aio']:9.2f} {f['sock']:9.2f} {f['streams']:9.2f}"
                  f" {f['floor']:9.2f}  {f['aio'] / f['sock']:8.2f}  {f['aio'] / f['streams']:11.2f}"
                  f"  {f['aio'] / f['floor']:9.2f}  {f['floor'] / f['streams']:13.2f}"
                  f"   ({unit}; {goal})")
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
