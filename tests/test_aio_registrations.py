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
