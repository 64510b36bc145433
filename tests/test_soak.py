"""Issue 4.4: load with nothing lost.

A bounded soak on loopback: many concurrent TCP and AF_UNIX connections
through an accept loop built only on posixsock calls (poll on the int fds,
one thread per accepted connection), thousands of framed messages each way,
every byte accounted for (lengths and CRC-32 on both sides); then a UDP run
that counts every datagram sent and received.  Figures are printed (shown
by ``pytest -s`` and in the ``-rA`` summary) and recorded as properties.
"""
from __future__ import annotations

import os
import random
import select
import struct
import threading
import time
import zlib
from typing import Callable, Dict, List, Tuple

import posixsock as ps
from _robust_helpers import close_all, ok, tcp_listener, timeouts, udp_bound

# Full size by default; POSIXSOCK_QUICK=1 (set by .ci/run on every Python but
# the default one) soaks a quarter as many connections, messages, datagrams.
QUICK = bool(os.environ.get("POSIXSOCK_QUICK"))
CONNECTIONS = 8 if QUICK else 32  # per family
MESSAGES = 100 if QUICK else 400  # per connection, each way
MAX_SIZE = 6000
HEADER = struct.Struct("!I")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server: Dict[int, Tuple[int, int]] = {}  # conn id -> (bytes, crc)
        self.errors: List[str] = []

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def send_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = ok(ps.send(fd, view))
        view = view[n:]


def recv_exact(fd: int, size: int) -> bytes:
    parts, got = [], 0
    while got < size:
        chunk = ok(ps.recv(fd, min(size - got, 65536)))
        assert chunk, f"end of stream after {got} of {size} bytes"
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def serve(conn: int, tally: Tally) -> None:
    """Echo everything back; record what arrived."""
    total, crc = 0, 0
    try:
        timeouts(conn)
        while True:
            data = ok(ps.recv(conn, 65536))
            if not data:
                break
            total += len(data)
            crc = zlib.crc32(data, crc)
            send_all(conn, data)
        with tally.lock:
            tally.server[len(tally.server)] = (total, crc)
    except BaseException as exc:
        tally.error(f"server: {exc!r}")
    finally:
        os.close(conn)


def accept_loop(listeners: List[int], expected: int, tally: Tally, workers: List[threading.Thread]) -> None:
    poller = select.poll()
    for fd in listeners:
        poller.register(fd, select.POLLIN)
    accepted = 0
    deadline = time.monotonic() + 60
    while accepted < expected and time.monotonic() < deadline:
        for fd, _events in poller.poll(500):
            result = ps.accept(fd)
            if isinstance(result, ps.Error):
                tally.error(f"accept: {result}")
                continue
            conn, _peer = result
            worker = threading.Thread(target=serve, args=(conn, tally), daemon=True)
            workers.append(worker)
            worker.start()
            accepted += 1
    if accepted < expected:
        tally.error(f"accepted only {accepted} of {expected}")


def client(addr: ps.SockAddr, seed: int, results: List[Tuple[int, int, int]], tally: Tally) -> None:
    """Send MESSAGES framed messages in batches, read each echo back."""
    rng = random.Random(seed)
    fd = ok(ps.socket(addr["family"], ps.SOCK_STREAM, 0))
    try:
        timeouts(fd)
        ok(ps.connect(fd, addr))
        total, crc, sent = 0, 0, 0
        while sent < MESSAGES:
            batch = []
            for _ in range(min(rng.randint(1, 6), MESSAGES - sent)):
                body = rng.randbytes(rng.randint(0, MAX_SIZE))
                batch.append(HEADER.pack(len(body)) + body)
            wire = b"".join(batch)
            send_all(fd, wire)
            total += len(wire)
            crc = zlib.crc32(wire, crc)
            for frame in batch:  # the echo, message by message
                size = HEADER.unpack(recv_exact(fd, HEADER.size))[0]
                body = recv_exact(fd, size)
                assert HEADER.pack(size) + body == frame, "echo differs"
            sent += len(batch)
        ok(ps.shutdown(fd, ps.SHUT_WR))
        assert ok(ps.recv(fd, 10)) == b"", "data after the last echo"
        results.append((sent, total, crc))
    except BaseException as exc:
        tally.error(f"client {seed}: {exc!r}")
    finally:
        os.close(fd)


def test_soak_tcp_and_unix(tmp_path: object, record_property: Callable[[str, object], None]) -> None:
    start = time.monotonic()
    tally = Tally()
    tcp, tcp_addr = tcp_listener(ps.AF_INET, backlog=CONNECTIONS * 2)
    unix = ok(ps.socket(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    unix_addr: ps.SockAddr = {"family": ps.AF_UNIX, "path": os.path.join(str(tmp_path), "soak")}
    ok(ps.bind(unix, unix_addr))
    ok(ps.listen(unix, CONNECTIONS * 2))
    workers: List[threading.Thread] = []
    results: List[Tuple[int, int, int]] = []
    try:
        server = threading.Thread(target=accept_loop,
                                  args=([tcp, unix], 2 * CONNECTIONS, tally, workers), daemon=True)
        server.start()
        clients = [threading.Thread(target=client, args=(addr, n, results, tally), daemon=True)
                   for n, addr in enumerate([tcp_addr, unix_addr] * CONNECTIONS)]
        for t in clients:
            t.start()
        for t in clients:
            t.join(90)
        server.join(30)
        for w in list(workers):
            w.join(30)
    finally:
        close_all([tcp, unix])
    seconds = time.monotonic() - start
    assert not tally.errors, tally.errors[:5]
    assert len(results) == 2 * CONNECTIONS
    assert len(tally.server) == 2 * CONNECTIONS
    # every byte: what the clients sent is what the servers received
    assert sorted((t, c) for _, t, c in results) == sorted(tally.server.values())
    messages = sum(m for m, _, _ in results)
    nbytes = sum(t for _, t, _ in results)
    assert messages == 2 * CONNECTIONS * MESSAGES
    figures = {"connections": 2 * CONNECTIONS, "messages_each_way": messages,
               "bytes_each_way": nbytes, "seconds": round(seconds, 2)}
    for key, value in figures.items():
        record_property(key, value)
    print(f"\nsoak TCP+AF_UNIX: {figures['connections']} connections, {messages} messages and "
          f"{nbytes} bytes each way, all echoed and checksummed, {seconds:.1f} s")


def test_soak_udp(record_property: Callable[[str, object], None]) -> None:
    """Senders send in windows small enough for the receive buffer, so a
    lost datagram is a failure, not congestion; each one is checked."""
    senders, per_sender, window = 8, 500 if QUICK else 2000, 16
    start = time.monotonic()
    server, addr = udp_bound(ps.AF_INET)
    ok(ps.setsockopt(server, ps.SOL_SOCKET, ps.SO_RCVBUF, 1 << 20))
    cond = threading.Condition()
    received: Dict[int, List[int]] = {n: [] for n in range(senders)}
    sources: Dict[int, ps.SockAddr] = {}
    errors: List[str] = []
    sent_count = [0]
    sent_bytes = [0]

    def sender(n: int) -> None:
        rng = random.Random(1000 + n)
        fd, _ = udp_bound(ps.AF_INET)
        try:
            sources[n] = ok(ps.getsockname(fd))
            for seq in range(per_sender):
                with cond:  # at most ``window`` of ours in flight
                    assert cond.wait_for(lambda: seq - len(received[n]) < window, 20), "stalled"
                body = rng.randbytes(rng.randint(0, 1400))
                packet = struct.pack("!HII", n, seq, zlib.crc32(body)) + body
                assert ok(ps.sendto(fd, packet, addr)) == len(packet)
                with cond:
                    sent_count[0] += 1
                    sent_bytes[0] += len(packet)
        except BaseException as exc:
            errors.append(f"sender {n}: {exc!r}")
        finally:
            os.close(fd)

    threads = [threading.Thread(target=sender, args=(n,), daemon=True) for n in range(senders)]
    for t in threads:
        t.start()
    total = senders * per_sender
    got = 0
    try:
        while got < total:
            r = ps.recvfrom(server, 2048)
            assert not isinstance(r, ps.Error), f"{r} after {got} of {total} datagrams; {errors}"
            data, source = r
            n, seq, crc = struct.unpack("!HII", data[:10])
            assert zlib.crc32(data[10:]) == crc, "corrupt datagram"
            assert source == sources[n], (source, sources[n])
            with cond:
                assert seq == len(received[n]), f"sender {n}: got {seq}, expected {len(received[n])}"
                received[n].append(seq)
                cond.notify_all()
            got += 1
    finally:
        for t in threads:
            t.join(30)
        os.close(server)
    seconds = time.monotonic() - start
    assert not errors, errors
    assert sent_count[0] == got == total
    record_property("udp_datagrams", got)
    record_property("udp_bytes", sent_bytes[0])
    print(f"\nsoak UDP: {senders} senders, {sent_count[0]} datagrams sent, {got} received "
          f"in order and intact, {sent_bytes[0]} bytes, {seconds:.1f} s")
