"""One way to run a test body on asyncio's default loop, uvloop and trio:
``run(framework, body)`` calls ``await body(kit)`` with a ``Kit`` that
starts tasks, cancels them and sleeps the same way on each framework.
Every run is bounded (``LIMIT_S``)."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, List, Optional

import trio
import uvloop

FRAMEWORKS = ["asyncio", "uvloop", "trio"]
LIMIT_S = 30.0
CANCELLED = object()  # what Handle.wait returns for a task that was cancelled


class Handle:
    """A started task: its outcome, and a way to cancel it."""

    def __init__(self) -> None:
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.done = False
        self.cancelled = False
        self._cancel: Callable[[], None] = lambda: None
        self._wait: Callable[[], Awaitable[None]]

    def cancel(self) -> None:
        self._cancel()

    async def wait(self) -> Any:
        """The task's result, or CANCELLED; its exception raises here."""
        await self._wait()
        if self.error is not None:
            raise self.error
        return CANCELLED if self.cancelled else self.result


class Kit:
    def __init__(self, framework: str, nursery: Any = None) -> None:
        self.framework = framework
        self.nursery = nursery
        self.tasks: List[Any] = []

    async def sleep(self, seconds: float) -> None:
        if self.framework == "trio":
            await trio.sleep(seconds)
        else:
            await asyncio.sleep(seconds)

    async def settle(self) -> None:
        """Let every started task run until it waits."""
        for _ in range(5):
            await self.sleep(0)
        await self.sleep(0.02)

    def spawn(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Handle:
        handle = Handle()
        if self.framework == "trio":
            scope = trio.CancelScope()
            finished = trio.Event()

            async def runner() -> None:
                try:
                    with scope:
                        handle.result = await fn(*args)
                    if scope.cancelled_caught:
                        handle.cancelled = True
                except BaseException as exc:  # noqa: B902 - reported by wait()
                    handle.error = exc
                finally:
                    handle.done = True
                    finished.set()
            self.nursery.start_soon(runner)
            handle._cancel = scope.cancel
            handle._wait = finished.wait
            return handle
        task = asyncio.ensure_future(fn(*args))
        self.tasks.append(task)

        async def wait() -> None:
            try:
                handle.result = await asyncio.shield(task)
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise
                handle.cancelled = True
            except BaseException as exc:  # noqa: B902
                handle.error = exc
            handle.done = True
        handle._cancel = task.cancel
        handle._wait = wait
        return handle


def run(framework: str, body: Callable[[Kit], Awaitable[None]]) -> None:
    if framework == "trio":
        async def main() -> None:
            with trio.fail_after(LIMIT_S):
                async with trio.open_nursery() as nursery:
                    await body(Kit("trio", nursery))
                    nursery.cancel_scope.cancel()  # tasks the body left behind
        trio.run(main)
        return

    async def amain() -> None:
        kit = Kit(framework)
        try:
            await asyncio.wait_for(body(kit), LIMIT_S)
        finally:
            for task in kit.tasks:
                task.cancel()
            await asyncio.gather(*kit.tasks, return_exceptions=True)
    loop = uvloop.new_event_loop() if framework == "uvloop" else asyncio.new_event_loop()
    try:
        loop.run_until_complete(amain())
    finally:
        loop.close()
