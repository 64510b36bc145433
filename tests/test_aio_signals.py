"""posixsock.aio on asyncio, uvloop and trio when a signal handler raises at every point of
posixsock's waiting code (a ``setitimer`` storm hits them all sooner or
later): the handler's exception reaches someone, and no task is left
waiting for ever, nor a descriptor registered for nobody.

A point is each call a posixsock frame makes (``c_call``), each call of a
posixsock function, and each call posixsock makes of the loop's
``add_reader``/``add_writer``/``remove_reader``/``remove_writer``/
``create_future`` (under trio: of ``wait_readable``, ``Event.set``, ...).
(A handler raising inside asyncio's own machinery --
say inside the ``call_soon`` that ``Future.set_result`` makes from C --
can strand a task whatever posixsock does; those points are not counted.)
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from types import FrameType
from typing import Any, Dict, List, Optional

import pytest
import uvloop

import posixsock as ps
from posixsock import aio

PKG = os.path.dirname(os.path.abspath(ps.__file__)) + os.sep
LOOP_CALLS = {"add_reader", "add_writer", "remove_reader", "remove_writer", "create_future"}
LIMIT = 400  # points in one run (about 70 today)
WAIT_S = 2.0


class Boom(Exception):
    """Raised by the signal handler."""


def _resumed(frame: FrameType, entered: Dict[int, FrameType]) -> bool:
    """Whether a "call" event is a coroutine frame resumed, not entered.
    (Before 3.11 an exception raised by the profile function there leaves
    the frame without running its ``finally`` blocks, which no signal
    handler can do: it runs inside the frame's bytecode.  Not a point.)"""
    if entered.get(id(frame)) is frame:
        return True
    entered[id(frame)] = frame
    return False


def _ours(frame: FrameType, event: str) -> bool:
    if frame.f_code.co_filename.startswith(PKG):
        return True
    back = frame.f_back
    if event != "call" or back is None or not back.f_code.co_filename.startswith(PKG):
        return False
    # (call_soon only from _Loop.schedule: set_result's, from C, would count too)
    return frame.f_code.co_name in LOOP_CALLS or (
        frame.f_code.co_name == "call_soon" and back.f_code.co_name == "schedule")


async def _scenario(n: int, seen: List[int], problems: List[str], booms: List[BaseException]
                    ) -> None:
    """Wait, be woken, wait again and be cancelled, write — with the
    handler raising at the n-th point — then check the descriptor works."""
    loop = asyncio.get_running_loop()

    def on_error(loop: Any, context: Dict[str, Any]) -> None:
        if isinstance(context.get("exception"), Boom):
            booms.append(context["exception"])  # raised in a loop callback: reported
        else:  # pragma: no cover - the failure it describes
            problems.append(f"loop: {context!r}")

    loop.set_exception_handler(on_error)

    entered: Dict[int, FrameType] = {}

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event in ("call", "c_call") and arg is not sys.setprofile and _ours(frame, event):
            if event == "call" and _resumed(frame, entered):
                return
            seen[0] += 1
            if seen[0] == n:
                sys.setprofile(None)
                signal.raise_signal(signal.SIGUSR1)  # the handler raises here

    a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    tasks: List[asyncio.Future[Any]] = []
    sys.setprofile(profile)
    try:
        first = asyncio.ensure_future(aio.recv(b, 10))
        tasks.append(first)
        await asyncio.sleep(0)
        sys.setprofile(None)
        assert ps.send(a, b"x") == 1
        sys.setprofile(profile)
        if await asyncio.wait_for(first, WAIT_S) != b"x":  # pragma: no cover
            problems.append("woken reader got the wrong bytes")
        again = asyncio.ensure_future(aio.recv(b, 10))
        writer = asyncio.ensure_future(aio.send(b, b"y"))
        tasks += [again, writer]
        await asyncio.sleep(0)
        again.cancel()
        await asyncio.gather(again, writer, return_exceptions=True)
        for _ in range(3):
            await asyncio.sleep(0)
    except Boom as exc:
        booms.append(exc)
    except asyncio.TimeoutError:
        problems.append("a woken reader never returned")
    finally:
        sys.setprofile(None)
    for task in tasks:
        task.cancel()
    booms += [r for r in await asyncio.gather(*tasks, return_exceptions=True)
              if isinstance(r, Boom)]
    # Health: the descriptor works as if nothing had happened.
    while not isinstance(ps.recv(b, 100, ps.MSG_DONTWAIT), ps.Error):
        pass
    waiter = asyncio.ensure_future(aio.recv(b, 10))
    await asyncio.sleep(0.001)
    assert ps.send(a, b"z") == 1
    try:
        got = await asyncio.wait_for(waiter, WAIT_S)
        if got != b"z":  # pragma: no cover
            problems.append(f"a new reader got {got!r}")
    except asyncio.TimeoutError:
        problems.append("a new reader was never woken")
    for _ in range(4):
        await asyncio.sleep(0)
    selector = getattr(loop, "_selector", None)
    if selector is not None and selector.get_map().get(b) is not None:
        problems.append("registered while nobody waits")
    if await aio.close(b) != 0:  # pragma: no cover
        problems.append("aio.close failed")
    os.close(a)


@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_handler_raising_at_every_point_strands_no_task(loop_kind: str) -> None:
    """Before: an exception at ``len(waiters)`` left the future queued, so
    the next reader never registered (it waited for ever); one while
    ``readable`` woke the queue it had taken lost the rest of it (their
    tasks waited for ever, though the data was there)."""
    saved = signal.getsignal(signal.SIGUSR1)

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise Boom()

    signal.signal(signal.SIGUSR1, handler)
    failures: List[str] = []
    raised = 0
    try:
        for n in range(1, LIMIT):
            seen: List[int] = [0]
            problems: List[str] = []
            booms: List[BaseException] = []
            loop = asyncio.new_event_loop() if loop_kind == "asyncio" else uvloop.new_event_loop()
            try:
                loop.run_until_complete(_scenario(n, seen, problems, booms))
            finally:
                loop.close()
            failures += [f"point {n}: {problem}" for problem in problems]
            if seen[0] < n:  # the run ended before its n-th point: all visited
                break
            raised += len({id(exc) for exc in booms})
        else:  # pragma: no cover
            raise AssertionError(f"more than {LIMIT} points")
    finally:
        signal.signal(signal.SIGUSR1, saved)
    assert not failures, failures
    assert raised >= n - 1 > 20  # every point's exception reached someone


TRIO_CALLS = {"wait_readable", "wait_writable", "notify_closing", "set"}


async def _trio_scenario(n: int, seen: List[int], problems: List[str],
                         booms: List[BaseException]) -> None:
    """Two readers on one descriptor (one waits in trio, one behind it on
    an Event), woken by data, with the handler raising at the n-th point;
    then a new reader must be woken as usual."""
    import trio

    entered: Dict[int, FrameType] = {}

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and arg is sys.setprofile or event == "call" and _resumed(frame, entered):
            return
        back = frame.f_back
        ours = frame.f_code.co_filename.startswith(PKG) or (
            event == "call" and back is not None and frame.f_code.co_name in TRIO_CALLS
            and back.f_code.co_filename.startswith(PKG))
        if event in ("call", "c_call") and ours:
            seen[0] += 1
            if seen[0] == n:
                sys.setprofile(None)
                signal.raise_signal(signal.SIGUSR1)  # the handler raises here

    a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    results: List[List[object]] = [[], []]

    async def reader(out: List[object]) -> None:
        try:
            out.append(await aio.recv(b, 1))
        except Boom as exc:
            booms.append(exc)
            out.append(exc)

    sys.setprofile(profile)
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(reader, results[0])
            nursery.start_soon(reader, results[1])
            await trio.sleep(0.005)
            sys.setprofile(None)
            assert ps.send(a, b"xy") == 2  # one byte for each
            sys.setprofile(profile)
            with trio.move_on_after(WAIT_S):
                while not (results[0] and results[1]):
                    await trio.sleep(0.001)
            if not (results[0] and results[1]):
                problems.append(f"a reader was never woken: {results}")
                nursery.cancel_scope.cancel()
    except Boom as exc:
        booms.append(exc)
    finally:
        sys.setprofile(None)
    while not isinstance(ps.recv(b, 100, ps.MSG_DONTWAIT), ps.Error):
        pass
    got: List[object] = []
    async with trio.open_nursery() as nursery:
        async def new_reader() -> None:
            got.append(await aio.recv(b, 10))

        nursery.start_soon(new_reader)
        await trio.sleep(0.002)
        assert ps.send(a, b"z") == 1
        with trio.move_on_after(WAIT_S):
            while not got:
                await trio.sleep(0.001)
        if got != [b"z"]:
            problems.append(f"a new reader got {got}")
            nursery.cancel_scope.cancel()
    if await aio.close(b) != 0:  # pragma: no cover
        problems.append("aio.close failed")
    os.close(a)


def test_handler_raising_at_every_point_strands_no_trio_task() -> None:
    """Before: an exception as the first waiter's ``finally`` called
    ``Event.set`` left the Event unset and already forgotten, so the task
    waiting behind it waited for ever."""
    import trio

    saved = signal.getsignal(signal.SIGUSR1)

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise Boom()

    signal.signal(signal.SIGUSR1, handler)
    failures: List[str] = []
    try:
        for n in range(1, LIMIT):
            seen: List[int] = [0]
            problems: List[str] = []
            booms: List[BaseException] = []
            trio.run(_trio_scenario, n, seen, problems, booms)
            failures += [f"point {n}: {problem}" for problem in problems]
            if seen[0] < n:
                break
        else:  # pragma: no cover
            raise AssertionError(f"more than {LIMIT} points")
    finally:
        signal.signal(signal.SIGUSR1, saved)
    assert not failures, failures
    assert n > 20

