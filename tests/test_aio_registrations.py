"""posixsock.aio's readiness registrations on asyncio loops (the default
selector loop and uvloop), counted, not timed: a request/response loop keeps
one reader registration per descriptor instead of adding and removing it on
every wait; a selector loop's stale readiness report (made before the woken
task read) wakes nobody; and once nobody waits, the registration is removed
within a few loop iterations."""
from __future__ import annotations

import asyncio
import os
from typing import Any, Callable, List, Tuple

import pytest

if os.environ.get("POSIXSOCK_SIMULATE"):  # as test_aio: the real platform's loops only
    pytest.skip("posixsock.aio runs on the real platform's frameworks", allow_module_level=True)

import uvloop  # noqa: E402

import posixsock as ps  # noqa: E402
from posixsock import aio  # noqa: E402
from conftest import Fds  # noqa: E402

ROUNDS = 200


def counting(base: Any) -> Any:
    """``base`` (a loop class) recording add_reader/remove_reader calls."""
    class Counting(base):  # type: ignore[misc]
        calls: List[Tuple[str, int]]

        def add_reader(self, fd: Any, callback: Callable[..., Any], *args: Any) -> Any:
            self.calls.append(("add", fd))
            return super().add_reader(fd, callback, *args)

        def remove_reader(self, fd: Any) -> Any:
            self.calls.append(("remove", fd))
            return super().remove_reader(fd)
    return Counting


@pytest.mark.parametrize("base", [asyncio.SelectorEventLoop, uvloop.Loop],
                         ids=["asyncio", "uvloop"])
def test_request_response_keeps_one_registration(base: Any, fds: Fds,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    fds.track(a)
    fds.track(b)
    tries: List[int] = []
    sync_recv = aio._recv

    def counted(fd: int, count: int, flags: int) -> Any:
        tries.append(fd)
        return sync_recv(fd, count, flags)
    monkeypatch.setattr(aio, "_recv", counted)

    async def echo() -> None:
        while True:
            data = await aio.recv(b, 10)
            if isinstance(data, ps.Error) or not data:
                return
            assert await aio.sendall(b, data) == len(data)

    async def body() -> List[Tuple[str, int]]:
        server = asyncio.ensure_future(echo())
        for _ in range(ROUNDS):
            assert await aio.send(a, b"x") == 1
            assert await aio.recv(a, 10) == b"x"
        during = list(loop.calls)
        for _ in range(10):  # the client's registration goes once idle
            if ("remove", a) in loop.calls:
                break
            await asyncio.sleep(0)
        assert ("remove", a) in loop.calls
        assert ("remove", b) not in loop.calls  # the server still waits
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        return during

    loop = counting(base)()
    loop.calls = []
    try:
        during = loop.run_until_complete(asyncio.wait_for(body(), 30))
    finally:
        loop.close()
    assert sorted(during) == sorted([("add", a), ("add", b)])
    # each receive: one try that met EAGAIN, one after the wake-up, never a
    # third after a stale report (the server's first receive finds the data
    # there at once; its last meets EAGAIN and is cancelled while it waits)
    assert tries.count(a) == 2 * ROUNDS
    assert tries.count(b) == 2 * ROUNDS


def test_loops_in_two_threads_keep_to_their_own(fds: Fds) -> None:
    """Each thread's waits go to the loop running in that thread, however the
    threads interleave (before 3.12 the last loop used stands in for
    asyncio's running-loop lookup only while it runs in the calling thread)."""
    import threading
    pairs = [ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
             for _ in range(2)]
    for a, b in pairs:
        fds.track(a)
        fds.track(b)
    loops = [counting(asyncio.SelectorEventLoop)() for _ in pairs]
    errors: List[BaseException] = []

    async def rounds(a: int, b: int) -> None:
        async def echo() -> None:
            while True:
                data = await aio.recv(b, 10)
                if isinstance(data, ps.Error) or not data:
                    return
                await aio.sendall(b, data)
        server = asyncio.ensure_future(echo())
        for _ in range(ROUNDS):
            assert await aio.send(a, b"x") == 1
            assert await aio.recv(a, 10) == b"x"
            await asyncio.sleep(0)  # let the other thread's loop interleave
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)

    def main(loop: Any, a: int, b: int) -> None:
        loop.calls = []
        try:
            loop.run_until_complete(asyncio.wait_for(rounds(a, b), 30))
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)
        finally:
            loop.close()
    threads = [threading.Thread(target=main, args=(loop, a, b))
               for loop, (a, b) in zip(loops, pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    for loop, (a, b) in zip(loops, pairs):
        assert {fd for _, fd in loop.calls} == {a, b}


@pytest.mark.parametrize("base", [asyncio.SelectorEventLoop, uvloop.Loop],
                         ids=["asyncio", "uvloop"])
def test_sweeps_go_on_after_a_handler_raised_while_one_was_scheduled(
        base: Any, fds: Fds) -> None:
    """A signal handler's exception while posixsock schedules its sweep
    (inside ``call_soon``) must not stop that loop's sweeps for good: an
    idle registration is still removed afterwards."""
    a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    fds.track(a)
    fds.track(b)

    class Raising(counting(base)):  # type: ignore[misc]
        armed = True

        def call_soon(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            if self.armed and getattr(callback, "__name__", "") == "sweep":
                self.armed = False
                raise RuntimeError("a signal handler's exception")
            return super().call_soon(callback, *args, **kwargs)

    async def round_trip() -> None:
        reading = asyncio.ensure_future(aio.recv(a, 10))
        await asyncio.sleep(0)  # it waits (EAGAIN): a's reader is added
        assert ps.send(b, b"x") == 1
        assert await reading == b"x"  # woken: the sweep is scheduled

    async def body() -> None:
        await round_trip()  # its sweep's call_soon raised (the loop logs it)
        assert not loop.armed
        await round_trip()
        for _ in range(10):  # nobody waits on a any more: its reader goes
            if ("remove", a) in loop.calls:
                break
            await asyncio.sleep(0)
        assert ("remove", a) in loop.calls

    loop = Raising()
    loop.calls = []
    loop.set_exception_handler(lambda loop, context: None)  # the raise is expected
    try:
        loop.run_until_complete(asyncio.wait_for(body(), 30))
    finally:
        loop.close()
