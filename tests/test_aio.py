"""posixsock.aio against real peers on asyncio's default loop, uvloop and trio:
results as the sync calls give them, several waiters, close while waiting,
cancellation at every point a call waits, blocking descriptors, 1,000
concurrent echo connections."""
from __future__ import annotations

import errno
import os
import resource
import select
import socket
from typing import Any, List, Tuple

import pytest

if os.environ.get("POSIXSOCK_SIMULATE"):  # trio picks its I/O (epoll, kqueue) by sys.platform
    pytest.skip("posixsock.aio runs on the real platform's frameworks", allow_module_level=True)

import posixsock as ps  # noqa: E402
from posixsock import aio  # noqa: E402
from _aio_kit import CANCELLED, FRAMEWORKS, Kit, run  # noqa: E402
from _robust_helpers import close_all  # noqa: E402
from conftest import Fds, loopback

pytestmark = pytest.mark.parametrize("fw", FRAMEWORKS)

EBADF_RECV = ps.Error(None, os.strerror(errno.EBADF), errno.EBADF)


def nonblocking_pair(fds: Fds, socktype: int = ps.SOCK_STREAM) -> Tuple[int, int]:
    a, b = ps.check(ps.socketpair(ps.AF_UNIX, socktype | ps.SOCK_NONBLOCK, 0))
    return fds.track(a), fds.track(b)


def fill(fd: int) -> int:
    """Send until ``fd``'s buffers are full; the byte count."""
    total = 0
    chunk = b"f" * 65536
    while True:
        sent = ps.send(fd, chunk, ps.MSG_DONTWAIT)
        if isinstance(sent, ps.Error):
            assert sent.errnum == errno.EAGAIN
            return total
        total += sent


def drain(fd: int) -> bytes:
    got = b""
    while True:
        data = ps.recv(fd, 1 << 20, ps.MSG_DONTWAIT)
        if isinstance(data, ps.Error):
            assert data.errnum == errno.EAGAIN
            return got
        if not data:
            return got
        got += data


# --- the calls, ready at once and after a wait -------------------------------------

def test_results_as_sync(fw: str, fds: Fds) -> None:
    a, b = fds.pair()  # blocking descriptors: MSG_DONTWAIT keeps the loop going

    async def body(kit: Kit) -> None:
        assert await aio.send(a, b"ready") == 5
        assert await aio.recv(b, 100) == b"ready"
        reader = kit.spawn(aio.recv, b, 100)
        await kit.settle()
        assert not reader.done
        assert await aio.sendall(a, memoryview(b"later")) == 5
        assert await reader.wait() == b"later"
        ps.send(a, b"from")
        assert await aio.recvfrom(b, 10) == (b"from", {"family": ps.AF_UNSPEC})
        assert await aio.sendmsg(a, [b"ab", b"cd"]) == 4
        msg = await aio.recvmsg(b, 10)
        assert not isinstance(msg, ps.Error) and msg[0] == b"abcd"
    run(fw, body)


def test_errors_are_values(fw: str, fds: Fds) -> None:
    a, b = nonblocking_pair(fds)
    refused = fds.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK)
    probe, port_addr = fds.bound(ps.SOCK_STREAM, loopback(ps.AF_INET))  # bound, not listening

    async def body(kit: Kit) -> None:
        res = await aio.connect(refused, port_addr)
        assert res == ps.Error(None, "connect: Connection refused", errno.ECONNREFUSED)
        os.close(b)
        sent = await aio.send(a, b"x")
        assert sent == ps.Error(None, "send: Broken pipe", errno.EPIPE)
        assert await aio.sendall(a, b"x" * 100000) == sent
        closed = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
        os.close(closed)
        assert await aio.recv(closed, 1) == EBADF_RECV
        assert await aio.accept(closed) == ps.Error(None, "accept: Bad file descriptor", errno.EBADF)
        assert (await aio.connect(closed, loopback(ps.AF_INET, 1)))[2] == errno.EBADF  # type: ignore[index]
        assert await aio.close(closed) == ps.Error(None, "close: Bad file descriptor", errno.EBADF)
        with pytest.raises(TypeError, match="bad argument #1 to 'recv'"):
            await aio.recv("3", 1)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="bad argument #3 to 'send'"):
            await aio.send(a, b"x", "0")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="bad argument #2 to 'sendall'"):
            await aio.sendall(a, "text")  # type: ignore[arg-type]
    run(fw, body)
    del probe


def test_connect_in_progress_then_so_error(fw: str, fds: Fds) -> None:
    """A non-blocking connect: EINPROGRESS, wait writable, SO_ERROR 0."""
    listener, addr = fds.listener(loopback(ps.AF_INET))

    async def body(kit: Kit) -> None:
        for _ in range(20):
            fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK)
            assert await aio.connect(fd, addr) == 0
            assert ps.getpeername(fd) == addr
            conn = await aio.accept(listener)
            assert not isinstance(conn, ps.Error)
            fds.track(conn[0])
    run(fw, body)


# --- several waiters, both directions, close -----------------------------------------

def test_two_readers_on_one_datagram_fd(fw: str, fds: Fds) -> None:
    a, b = nonblocking_pair(fds, ps.SOCK_DGRAM)

    async def body(kit: Kit) -> None:
        first = kit.spawn(aio.recv, b, 100)
        second = kit.spawn(aio.recvfrom, b, 100)
        await kit.settle()
        assert not first.done and not second.done
        assert ps.send(a, b"one") == 3
        assert ps.send(a, b"two") == 3
        got = [await first.wait(), await second.wait()]
        datagrams = sorted(g if isinstance(g, bytes) else g[0] for g in got)
        assert datagrams == [b"one", b"two"]
    run(fw, body)


def test_many_readers_and_a_writer_on_one_fd(fw: str, fds: Fds) -> None:
    a, b = nonblocking_pair(fds)
    filled = fill(b)

    async def body(kit: Kit) -> None:
        readers = [kit.spawn(aio.recv, b, 1) for _ in range(5)]
        writer = kit.spawn(aio.sendall, b, b"w" * 1000)
        await kit.settle()
        assert not writer.done and not any(r.done for r in readers)
        assert ps.send(a, b"12345") == 5  # readers wake, the writer still waits
        got = sorted([await r.wait() for r in readers])
        assert got == [b"1", b"2", b"3", b"4", b"5"]
        assert not writer.done
        assert len(drain(a)) >= filled - 65536  # room: the writer goes on
        assert await writer.wait() == 1000
        assert len(drain(a)) + 0 >= 0
    run(fw, body)


def test_close_wakes_every_waiter(fw: str, fds: Fds) -> None:
    a, b = nonblocking_pair(fds)
    fill(b)

    async def body(kit: Kit) -> None:
        readers = [kit.spawn(aio.recv, b, 10) for _ in range(3)]
        receivers = [kit.spawn(aio.recv_fds, b, 10, 1), kit.spawn(aio.recvmsg, b, 10)]
        writers = [kit.spawn(aio.send, b, b"x"), kit.spawn(aio.sendall, b, b"y" * 10)]
        await kit.settle()
        assert await aio.close(b) == 0
        assert [await r.wait() for r in readers] == [EBADF_RECV] * 3
        assert [(await r.wait())[2] for r in receivers] == [errno.EBADF] * 2
        assert [await w.wait() for w in writers] == [
            ps.Error(None, "send: Bad file descriptor", errno.EBADF)] * 2
        with pytest.raises(OSError):
            os.fstat(b)
        # the number is free again and serves a new descriptor
        c, d = nonblocking_pair(fds)
        assert b in (c, d)
        late = kit.spawn(aio.recv, b, 10)
        await kit.settle()
        ps.send(d if b == c else c, b"new")
        assert await late.wait() == b"new"
    run(fw, body)


def test_os_close_while_waiting(fw: str, fds: Fds) -> None:
    """os.close wakes nobody: epoll forgets a closed descriptor without an
    event.  The waiter waits until it is cancelled; the number then serves
    a new descriptor normally."""
    a, b = nonblocking_pair(fds)

    async def body(kit: Kit) -> None:
        reader = kit.spawn(aio.recv, b, 10)
        await kit.settle()
        os.close(b)
        await kit.sleep(0.2)
        assert not reader.done  # not woken
        reader.cancel()
        assert await reader.wait() is CANCELLED
        c, d = nonblocking_pair(fds)
        assert b in (c, d)
        late = kit.spawn(aio.recv, b, 10)
        await kit.settle()
        ps.send(d if b == c else c, b"reused")
        assert await late.wait() == b"reused"
    run(fw, body)


def test_os_close_then_reuse_between_waits(fw: str, fds: Fds) -> None:
    """A wait that ended, os.close, a new descriptor with the same number,
    a wait at once: the new descriptor is waited for (not the old one)."""
    async def body(kit: Kit) -> None:
        for _ in range(20):
            a, b = nonblocking_pair(fds)
            reader = kit.spawn(aio.recv, b, 10)
            await kit.settle()
            ps.send(a, b"x")
            assert await reader.wait() == b"x"
            os.close(b)
            c, d = nonblocking_pair(fds)
            assert b in (c, d)
            other = d if b == c else c
            again = kit.spawn(aio.recv, b, 10)
            await kit.sleep(0)
            ps.send(other, b"y")
            assert await again.wait() == b"y"
    run(fw, body)


# --- cancellation: nothing consumed, nothing sent -----------------------------------

def test_cancelled_receives_consume_nothing(fw: str, fds: Fds) -> None:
    a, b = nonblocking_pair(fds)
    u, v = nonblocking_pair(fds, ps.SOCK_DGRAM)

    async def body(kit: Kit) -> None:
        calls: List[Tuple[Any, ...]] = [
            (aio.recv, b, 10), (aio.recvfrom, b, 10), (aio.recvmsg, b, 10, 64),
            (aio.recv_fds, b, 10, 2), (aio.recv, v, 10), (aio.recvfrom, v, 10),
        ]
        for fn, *args in calls:
            task = kit.spawn(fn, *args)
            await kit.settle()
            task.cancel()
            assert await task.wait() is CANCELLED, fn
            peer = a if args[0] == b else u
            ps.send(peer, b"kept")
            assert ps.recv(args[0], 10, ps.MSG_DONTWAIT) == b"kept"  # still there
    run(fw, body)


def test_cancelled_woken_receive_consumes_nothing(fw: str, fds: Fds) -> None:
    """Cancelled after the data arrived but before the task ran again."""
    a, b = nonblocking_pair(fds)

    async def body(kit: Kit) -> None:
        task = kit.spawn(aio.recv, b, 10)
        await kit.settle()
        ps.send(a, b"data")
        task.cancel()  # no await in between: the wake-up is pending
        result = await task.wait()
        if result is CANCELLED:
            assert ps.recv(b, 10, ps.MSG_DONTWAIT) == b"data"
        else:  # (a framework may have run the task before the cancel)
            assert result == b"data"
    run(fw, body)


def test_cancelled_sends_send_nothing(fw: str, fds: Fds) -> None:
    a, b = nonblocking_pair(fds)
    u, v = nonblocking_pair(fds, ps.SOCK_DGRAM)
    filled = fill(a)
    dgrams = 0
    while not isinstance(ps.send(u, b"d", ps.MSG_DONTWAIT), ps.Error):
        dgrams += 1
    r, w = os.pipe()
    fds.track(r)
    fds.track(w)
    # an unconnected sender to a bound receiver whose queue is full
    receiver = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM | ps.SOCK_NONBLOCK)
    named: ps.SockAddr = {"family": ps.AF_UNIX, "path": f"\0posixsock-aio-{os.getpid()}"}
    ps.check(ps.bind(receiver, named))
    lone = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM | ps.SOCK_NONBLOCK)
    queued = 0
    while not isinstance(ps.sendto(lone, b"q", named, ps.MSG_DONTWAIT), ps.Error):
        queued += 1

    async def body(kit: Kit) -> None:
        calls: List[Tuple[Any, ...]] = [
            (aio.send, a, b"S"), (aio.sendall, a, b"S" * 10), (aio.sendmsg, a, [b"S"]),
            (aio.send_fds, a, b"S", [r]), (aio.send, u, b"S"),
            (aio.sendto, lone, b"S", named), (aio.sendmsg, lone, [b"S"], (), 0, named),
        ]
        for fn, *args in calls:
            task = kit.spawn(fn, *args)
            await kit.settle()
            task.cancel()
            assert await task.wait() is CANCELLED, fn
        assert drain(b) == b"f" * filled  # nothing after the filling
        got = 0
        while True:
            d = ps.recv(v, 10, ps.MSG_DONTWAIT)
            if isinstance(d, ps.Error):
                break
            assert d == b"d"
            got += 1
        assert got == dgrams
        assert len(drain(receiver)) == queued
    run(fw, body)


def test_cancelled_accept_takes_nothing(fw: str, fds: Fds) -> None:
    listener = fds.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK)
    ps.check(ps.bind(listener, loopback(ps.AF_INET)))
    ps.check(ps.listen(listener, 4))
    addr = ps.check(ps.getsockname(listener))

    async def body(kit: Kit) -> None:
        task = kit.spawn(aio.accept, listener)
        await kit.settle()
        task.cancel()
        assert await task.wait() is CANCELLED
        client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
        ps.check(ps.connect(client, addr))
        conn = ps.accept(listener)  # the connection waits for the next accept
        assert not isinstance(conn, ps.Error)
        fds.track(conn[0])
    run(fw, body)


def test_cancelled_connect_goes_on(fw: str, fds: Fds) -> None:
    """A connect cancelled while it waits (the listener's queue is full,
    so the handshake waits): the cancellation propagates; the connection
    is made once the queue has room, as a non-blocking connect in C."""
    listener = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    ps.check(ps.bind(listener, loopback(ps.AF_INET)))
    ps.check(ps.listen(listener, 0))
    addr = ps.check(ps.getsockname(listener))
    queued: List[int] = []
    while True:  # fill the accept queue: the next SYN is dropped
        fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK)
        res = ps.connect(fd, addr)
        queued.append(fd)
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        if not poller.poll(200):
            break
        assert len(queued) < 10

    async def body(kit: Kit) -> None:
        fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK)
        task = kit.spawn(aio.connect, fd, addr)
        await kit.settle()
        assert not task.done
        task.cancel()
        assert await task.wait() is CANCELLED
        assert ps.getpeername(fd)[2] == errno.ENOTCONN  # type: ignore[index]
    run(fw, body)
    del res


# --- blocking descriptors: the loop goes on ----------------------------------------------

async def ticking(kit: Kit, ticks: List[int]) -> None:
    while True:
        ticks.append(1)
        await kit.sleep(0.005)


def test_blocking_fds_never_block_the_loop(fw: str, fds: Fds) -> None:
    """recv/send (MSG_DONTWAIT), accept (readiness, then a thread) and
    connect (a thread) on descriptors without O_NONBLOCK: a ticker task
    keeps ticking while each waits, and no flag changes."""
    listener = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    ps.check(ps.bind(listener, loopback(ps.AF_INET)))
    ps.check(ps.listen(listener, 0))
    addr = ps.check(ps.getsockname(listener))
    a, b = fds.pair()

    async def body(kit: Kit) -> None:
        ticks: List[int] = []
        ticker = kit.spawn(ticking, kit, ticks)
        # accept waits (nothing comes) while the ticker ticks
        accepting = kit.spawn(aio.accept, listener)
        reading = kit.spawn(aio.recv, b, 10)
        await kit.sleep(0.2)
        assert len(ticks) >= 10 and not accepting.done and not reading.done
        # connect on a blocking fd: waits on a thread; then accept takes it
        client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
        assert await aio.connect(client, addr) == 0
        conn = await accepting.wait()
        assert not isinstance(conn, ps.Error)
        fds.track(conn[0])
        ps.send(a, b"hi")
        assert await reading.wait() == b"hi"
        for fd in (listener, client, a, b, conn[0]):
            assert os.get_blocking(fd)
        # a blocking connect that waits (the accept queue is full): the
        # ticker goes on; the connect completes once accept makes room
        queued = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
        ps.check(ps.connect(queued, addr))
        slow = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
        waiting = kit.spawn(aio.connect, slow, addr)
        before = len(ticks)
        await kit.sleep(0.3)
        assert len(ticks) >= before + 10
        for _ in range(2):
            c = await aio.accept(listener)
            assert not isinstance(c, ps.Error)
            fds.track(c[0])
        assert await waiting.wait() == 0
        assert os.get_blocking(slow) and os.get_blocking(listener)
        ticker.cancel()
    run(fw, body)


def test_cancelled_blocking_accept_keeps_the_connection(fw: str, fds: Fds) -> None:
    """A cancelled accept on a blocking listener takes nothing, or, if its
    thread took a connection, the next aio.accept returns it."""
    listener = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    ps.check(ps.bind(listener, loopback(ps.AF_INET)))
    ps.check(ps.listen(listener, 8))
    addr = ps.check(ps.getsockname(listener))

    async def body(kit: Kit) -> None:
        peers = []
        for _ in range(5):
            task = kit.spawn(aio.accept, listener)
            await kit.settle()
            client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
            ps.check(ps.connect(client, addr))
            peers.append(ps.check(ps.getsockname(client)))
            await kit.sleep(0)
            task.cancel()  # before or after its thread accepted
            got = await task.wait()
            if got is not CANCELLED:
                fds.track(got[0])
                peers.remove(got[1])
        for peer in list(peers):  # every connection is accepted once
            conn = await aio.accept(listener)
            assert not isinstance(conn, ps.Error)
            fds.track(conn[0])
            peers.remove(conn[1])
        assert not peers
    run(fw, body)


# --- descriptors passed, the 1,000-connection echo ------------------------------------------

def test_fd_passing(fw: str, fds: Fds) -> None:
    a, b = nonblocking_pair(fds)
    r, w = os.pipe()
    fds.track(r)
    fds.track(w)

    async def body(kit: Kit) -> None:
        receiving = kit.spawn(aio.recv_fds, b, 10, 2)
        await kit.settle()
        assert await aio.send_fds(a, b"fd", (w,)) == 2
        data, got, flags, _ = await receiving.wait()
        assert data == b"fd" and len(got) == 1 and flags == 0
        fds.track(got[0])
        os.write(got[0], b"through")
        assert os.read(r, 10) == b"through"
    run(fw, body)


class _LyingLength:
    """An iterable whose ``__len__`` and ``__length_hint__`` lie (2**62)."""

    def __init__(self, *items: Any) -> None:
        self.items = items

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return 2**62

    def __length_hint__(self) -> int:
        return 2**62


def test_sequence_arguments_read_as_the_sync_calls_read_them(fw: str, fds: Fds) -> None:
    # A lying __len__ never sizes anything (list() would raise MemoryError),
    # a one-shot iterator given to a call that has to wait is still sent
    # whole after the wait, and what the sync call refuses it words itself.
    a, b = nonblocking_pair(fds)
    r, w = os.pipe()
    fds.track(r)
    fds.track(w)

    async def body(kit: Kit) -> None:
        assert await aio.sendmsg(a, _LyingLength(b"x")) == 1
        assert await aio.send_fds(a, b"y", _LyingLength(w)) == 1
        data, got, _, _ = await aio.recv_fds(b, 10, 1)
        assert data == b"xy" and len(got) == 1
        fds.track(got[0])
        queued = fill(a)
        while ps.send(a, b"f", ps.MSG_DONTWAIT) == 1:  # not even a byte's room
            queued += 1
        sending = kit.spawn(aio.sendmsg, a, (part for part in (b"one", b"-", b"shot")))
        await kit.settle()
        assert len(drain(b)) == queued  # it waited: nothing of it was sent yet
        assert await sending.wait() == 8
        assert drain(b) == b"one-shot"
        for bad in (b"bytes", 5):
            with pytest.raises(TypeError) as sync_error:
                ps.sendmsg(a, bad)  # type: ignore[arg-type]
            with pytest.raises(TypeError) as aio_error:
                await aio.sendmsg(a, bad)  # type: ignore[arg-type]
            assert str(aio_error.value) == str(sync_error.value)
    run(fw, body)


N_CONNECTIONS = 1000


def test_echo_1000_connections(fw: str) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * N_CONNECTIONS + 200
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    opened: List[int] = []

    def track(fd: int) -> int:
        opened.append(fd)
        return fd

    async def serve(kit: Kit, conn: int) -> None:
        while True:
            data = await aio.recv(conn, 65536)
            assert not isinstance(data, ps.Error), data
            if not data:
                opened.remove(conn)
                assert await aio.close(conn) == 0
                return
            assert await aio.sendall(conn, data) == len(data)

    async def client(addr: ps.SockAddr, i: int) -> bool:
        fd = track(ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0)))
        assert await aio.connect(fd, addr) == 0
        payload = i.to_bytes(4, "big") * 5000  # 20,000 bytes, this connection's own
        assert await aio.sendall(fd, payload) == len(payload)
        ps.check(ps.shutdown(fd, ps.SHUT_WR))
        got = bytearray()
        while True:
            data = await aio.recv(fd, 65536)
            assert not isinstance(data, ps.Error), data
            if not data:
                break
            got += data
        opened.remove(fd)
        assert await aio.close(fd) == 0
        return bytes(got) == payload

    async def body(kit: Kit) -> None:
        listener = track(ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0)))
        ps.check(ps.bind(listener, loopback(ps.AF_INET)))
        ps.check(ps.listen(listener, N_CONNECTIONS))
        addr = ps.check(ps.getsockname(listener))

        async def acceptor() -> None:
            for _ in range(N_CONNECTIONS):
                conn = await aio.accept(listener)
                assert not isinstance(conn, ps.Error), conn
                kit.spawn(serve, kit, track(conn[0]))
        accepting = kit.spawn(acceptor)
        clients = [kit.spawn(client, addr, i) for i in range(N_CONNECTIONS)]
        results = [await c.wait() for c in clients]
        assert results == [True] * N_CONNECTIONS
        assert await accepting.wait() is None
    try:
        run(fw, body)
    finally:
        close_all(opened)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_no_framework_running(fw: str, fds: Fds) -> None:
    """Outside a loop the call is made; only a wait needs a framework."""
    a, b = nonblocking_pair(fds)
    ps.send(a, b"x")
    coro = aio.recv(b, 1)
    with pytest.raises(StopIteration) as stop:
        coro.send(None)
    assert stop.value.value == b"x"
    coro = aio.recv(b, 1)
    with pytest.raises(RuntimeError, match="no running asyncio event loop or trio run"):
        coro.send(None)
    coro.close()


def test_close_lets_a_handlers_exception_through(fw: str, fds: Fds) -> None:
    """An OSError a signal handler raises while close(2) runs is the
    handler's, not close's: it propagates (a real EBADF is a triple)."""
    a, b = nonblocking_pair(fds)
    real_close = os.close

    def close_then_handler_raises(fd: int) -> None:
        real_close(fd)
        raise TimeoutError("mine")  # as a SIGALRM handler would, in the call

    async def body(kit: Kit) -> None:
        os.close = close_then_handler_raises
        try:
            with pytest.raises(TimeoutError, match="mine"):
                await aio.close(b)
        finally:
            os.close = real_close
        assert await aio.close(b) == ps.Error(None, "close: Bad file descriptor", errno.EBADF)
    run(fw, body)


def test_a_trio_without_in_trio_task(fw: str, fds: Fds, monkeypatch: pytest.MonkeyPatch) -> None:
    """trio releases before ``lowlevel.in_trio_task`` (Debian 12 ships 0.22)
    are found as well, and with such a trio imported the asyncio loops are
    still found first: waits, close and the no-framework error all work."""
    import trio
    monkeypatch.delattr(trio.lowlevel, "in_trio_task", raising=False)
    a, b = nonblocking_pair(fds)

    async def body(kit: Kit) -> None:
        reader = kit.spawn(aio.recv, b, 10)
        await kit.settle()
        ps.send(a, b"late")
        assert await reader.wait() == b"late"
        waiting = kit.spawn(aio.recv, b, 10)
        await kit.settle()
        assert await aio.close(b) == 0
        assert await waiting.wait() == EBADF_RECV
    run(fw, body)
    _, idle = nonblocking_pair(fds)
    coro = aio.recv(idle, 1)
    with pytest.raises(RuntimeError, match="no running asyncio event loop or trio run"):
        coro.send(None)
    coro.close()


def test_signatures_mirror_the_sync_calls(fw: str) -> None:
    """Same names, positional parameters, defaults and result types."""
    import inspect
    for name in aio.__all__:
        if name in ("sendall", "close"):
            continue
        mine, sync = getattr(aio, name), getattr(ps, name)
        assert inspect.iscoroutinefunction(mine), name
        assert str(inspect.signature(mine)) == str(inspect.signature(sync)), name
