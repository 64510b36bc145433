"""Waiting for a descriptor to be ready, for ``posixsock.aio``: the one place
that owns the waiters of each descriptor.

``aio`` makes each call at once and comes here only after EAGAIN.  The wait
is taken from the framework that is running, found on every wait with no
import of either (no runtime dependency; before 3.12 the last asyncio loop
stands in for asyncio's lookup while it runs in the calling thread, see
``_OWN_THREAD``):

* **asyncio** (any loop: the default selector loop, uvloop, ...): one
  ``_Watch`` per loop and descriptor holds every waiting task's future, per
  direction.  The loop gets one reader (writer) callback per descriptor,
  added when the first task starts waiting, kept while woken tasks come
  back to wait again, and removed when a cancelled last waiter leaves, when
  it fires for nobody, or by the sweep (``_Loop``) two loop iterations
  after the last wake-up; the callback wakes *every* waiter, which then
  makes its call again.
  (``loop.add_reader`` keeps one callback per descriptor: a second
  ``add_reader`` silently replaces the first, whose task then waits for
  ever.  That is why nothing but this module calls it.)
* **trio**: ``trio.lowlevel.wait_readable``/``wait_writable`` allow one
  task per descriptor and direction (BusyResourceError).  The first waiter
  waits there; the others wait on an Event the first sets when it returns
  -- ready, cancelled or closed -- and whoever still needs to wait then
  takes its place.

A wake-up is only a hint: every caller makes its call again and waits again
on EAGAIN, so a task woken for data another task took loses nothing.

``close`` (``aio.close``) wakes every waiter on the descriptor, which then
reports EBADF without touching the number again (it may already name
another descriptor), tells trio (``notify_closing``), and closes.

``offload`` runs one blocking call (accept or connect on a descriptor
without O_NONBLOCK) on a thread of its own, on a duplicate of the
descriptor, so the loop never blocks and the caller's descriptor is never
re-flagged.
"""
from __future__ import annotations

import os
import sys
import threading
import weakref
from asyncio import AbstractEventLoop, Future
from asyncio.base_events import BaseEventLoop as _BaseLoop
from asyncio.selector_events import BaseSelectorEventLoop as _SelectorLoop
from asyncio.events import _get_running_loop
from types import ModuleType
from typing import Any, Callable, Dict, Generic, List, Optional, Tuple, TypeVar

__all__ = ["wait", "close_waiters", "offload", "framework"]

_T = TypeVar("_T")

# --- which framework is running ------------------------------------------------


def framework() -> Optional[str]:
    """``"asyncio"``, ``"trio"`` or None: what runs the current task.

    asyncio's running loop is asked first (one C call); trio only if it has
    been imported (sys.modules), as sniffio does, without importing it.
    """
    if _get_running_loop() is not None:
        return "asyncio"
    if _running_trio() is not None:
        return "trio"
    return None


def _running_trio() -> Optional[ModuleType]:
    """The ``trio`` module if a trio task runs in this thread, else None.

    trio is looked up in sys.modules (as sniffio does), never imported.
    ``current_task`` (every trio release; ``in_trio_task`` is newer, so
    older trios -- Debian 12 ships 0.22 -- are served too) raises
    RuntimeError outside a trio run.
    """
    trio = sys.modules.get("trio")
    if trio is None:
        return None
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return None
    return trio


def _no_framework() -> RuntimeError:
    return RuntimeError("posixsock.aio: no running asyncio event loop or trio run in this thread")


# --- asyncio -------------------------------------------------------------------


class _Loop:
    """posixsock's state on one asyncio loop: the watches, by descriptor, and
    the sweep that retires the ones nobody waits on any more.

    One sweep serves every descriptor: it is scheduled (``call_soon``) when
    a callback woke somebody and the previous sweep has run, so it runs at
    most once per loop iteration, however many descriptors woke.  Each run
    counts the iteration (``gen``) and unregisters the directions woken two
    sweeps ago that nobody waits on again: by then every task woken has run
    (a request/response loop has waited again, and keeps its registration).
    It stops scheduling itself when nothing is left to look at, so an idle
    loop sleeps in its selector.
    """

    __slots__ = ("loop", "table", "selector", "gen", "woken", "checking", "scheduled")

    def __init__(self, loop: AbstractEventLoop) -> None:
        # weak: this is the value of _states, whose key is the loop
        self.loop: Callable[[], Optional[AbstractEventLoop]] = weakref.ref(loop)
        self.table: Dict[int, _Watch] = {}
        # A selector loop (asyncio's own) selects before it runs the tasks
        # woken in the previous iteration: in the iteration after a wake-up
        # its readiness report is stale (the woken task had not read yet).
        # It is ignored there (``_Watch.readable``); the descriptor stays
        # registered and level-triggered, so a real one is reported again
        # in the next iteration.  uvloop runs the woken tasks before it polls.
        self.selector = isinstance(loop, _SelectorLoop)
        self.gen = 0  # sweeps so far: the loop iteration, while anything is watched
        self.woken: List[_Watch] = []  # woken since the last sweep
        self.checking: List[_Watch] = []  # woken before it: retired at the next sweep
        self.scheduled = False

    # (a watch that woke its waiters appends itself to ``woken`` once per
    # iteration and calls ``schedule`` unless ``scheduled``: _Watch.readable)

    def schedule(self) -> None:
        loop = self.loop()
        if loop is not None:  # (None: the loop is being collected)
            self.scheduled = True
            try:
                loop.call_soon(self.sweep)
            except BaseException:  # a signal handler's: the next wake-up schedules
                self.scheduled = False
                raise

    def sweep(self) -> None:
        # A sweep scheduled in iteration i runs in i+1, before the readiness
        # callbacks of i+1 (call_soon's handles come first), once per
        # iteration while anything woken needs it.
        self.scheduled = False
        gen = self.gen - 1  # when ``checking`` was woken
        self.gen += 1
        due, self.checking, self.woken = self.checking, self.woken, []
        for watch in due:
            if watch.queued == gen:  # (woken again since: on a later list)
                watch.idle()
        if self.checking:
            self.schedule()


class _Watch:
    """The waiters of one descriptor on one asyncio loop.

    The loop's reader (writer) callback stays registered after it woke the
    waiters, while they come back (a request/response loop waits again at
    once and reuses it instead of removing and adding it again); the sweep
    (``_Loop``) removes it when nobody does, and a callback that finds
    nobody waiting removes it at once.  Reusing it first checks (fstat)
    that the number still names the descriptor it was added for:
    ``os.close`` and a new descriptor with the same number make epoll
    forget the old registration silently.
    """

    __slots__ = ("fd", "state", "loop", "readers", "writers", "reading", "writing",
                 "identity", "rgen", "wgen", "queued", "closed")

    def __init__(self, fd: int, state: _Loop, loop: AbstractEventLoop) -> None:
        self.fd = fd
        self.state = state
        self.loop = loop
        self.readers: List[Future[None]] = []
        self.writers: List[Future[None]] = []
        self.reading = False  # the loop has our reader callback
        self.writing = False
        self.identity: Optional[Tuple[int, int]] = None  # (st_dev, st_ino) when registered
        self.rgen = self.wgen = -2  # state.gen when readers (writers) were last woken
        self.queued = -1  # state.gen when last put on state.woken
        self.closed = False

    def readable(self) -> None:
        """The loop's reader callback: wake every reader (they call again)."""
        state = self.state
        if state.gen == self.rgen + 1 and state.selector:  # stale: see _Loop
            return
        readers = self.readers
        if not readers:  # woken for nobody: stop listening now
            self.unregister(False)
            return
        self.readers = []
        try:
            for fut in readers:
                if not fut.done():
                    fut.set_result(None)
        except BaseException:  # a signal handler's: see _wake_later
            _wake_later(self.readers, readers)
            raise
        gen = self.rgen = state.gen
        if self.queued != gen:  # state.woke(self), inline
            self.queued = gen
            state.woken.append(self)
        if not state.scheduled:
            state.schedule()

    def writable(self) -> None:
        state = self.state
        if state.gen == self.wgen + 1 and state.selector:
            return
        writers = self.writers
        if not writers:
            self.unregister(True)
            return
        self.writers = []
        try:
            for fut in writers:
                if not fut.done():
                    fut.set_result(None)
        except BaseException:
            _wake_later(self.writers, writers)
            raise
        gen = self.wgen = state.gen
        if self.queued != gen:
            self.queued = gen
            state.woken.append(self)
        if not state.scheduled:
            state.schedule()

    def idle(self) -> None:
        """Two sweeps after a wake-up: unregister the directions nobody
        waits on again."""
        if self.reading and not self.readers:
            self.unregister(False)
        if self.writing and not self.writers:
            self.unregister(True)

    def unregister(self, write: bool) -> None:
        # (a flag is cleared only once the loop has let go of the callback,
        # and set before it is given one: a signal handler's exception in
        # between leaves a flag set, whose removal is then harmless, never a
        # callback the flags do not know of, which would run for nobody at
        # every loop iteration)
        if write:
            if self.writing:
                self.loop.remove_writer(self.fd)
                self.writing = False
        elif self.reading:
            self.loop.remove_reader(self.fd)
            self.reading = False
        if not self.reading and not self.writing:
            self.identity = None
            table = self.state.table
            if not self.readers and not self.writers and table.get(self.fd) is self:
                del table[self.fd]

    def register(self, write: bool) -> None:
        """Make sure the loop calls back for ``write`` (reading otherwise)."""
        try:
            st = os.fstat(self.fd)
            identity: Optional[Tuple[int, int]] = (st.st_dev, st.st_ino)
        except OSError:
            identity = None
        if self.reading or self.writing:
            if self.identity == identity:
                if write and self.writing or not write and self.reading:
                    return  # still registered, for this very descriptor
            else:  # closed and reused meanwhile: epoll forgot it
                self.loop.remove_reader(self.fd)
                self.loop.remove_writer(self.fd)
                self.reading = self.writing = False
        self.identity = identity
        # libuv (uvloop) sets O_NONBLOCK on a descriptor it polls; the
        # caller's flag is put back at once (principle: never re-flag).
        blocking = not self.state.selector and os.get_blocking(self.fd)
        if write:
            self.writing = True
            self.loop.add_writer(self.fd, self.writable)
        else:
            self.reading = True
            self.loop.add_reader(self.fd, self.readable)
        if blocking:
            os.set_blocking(self.fd, True)


# loop -> its state (a loop per thread; weak: a closed loop's state goes)
_states: weakref.WeakKeyDictionary[AbstractEventLoop, _Loop] = weakref.WeakKeyDictionary()
# the last loop and its state, one tuple (rebound whole: threads with loops
# of their own never see one loop with another's state); the third item is
# the loop again where it may stand in for _get_running_loop (_OWN_THREAD)
_last: Tuple[Any, Optional[_Loop], Any] = (None, None, None)

# Before 3.12 CPython's _get_running_loop makes a getpid() system call each
# time (the fork check, gh-100363; 3.12 resets the loop in the child at
# fork instead).  There, the last loop stands for the running one when it
# is asyncio's own (BaseEventLoop) and runs in this thread: run_forever
# sets its _thread_id to the running thread's ident and clears it when it
# stops, and no other loop can run in a thread while it does.  Other loops
# (uvloop) are asked each time.
_OWN_THREAD = sys.version_info < (3, 12)
_get_ident = threading.get_ident


def _forget_last() -> None:
    """In a forked child: the parent's loop is not running here (its copy
    keeps the _thread_id of the forking thread, which is the child's own
    ident), so it must not stand in for the child's loop: ask again, as
    asyncio's own fork check (before 3.12) and fork reset (3.12) do."""
    global _last
    _last = (None, None, None)


os.register_at_fork(after_in_child=_forget_last)


def _state(loop: AbstractEventLoop) -> _Loop:
    global _last
    state = _states.get(loop)
    if state is None:
        state = _states[loop] = _Loop(loop)
    _last = (loop, state, loop if _OWN_THREAD and isinstance(loop, _BaseLoop) else None)
    return state


def _wake_later(queue: List[Future[None]], woken: List[Future[None]]) -> None:
    """A signal handler raised while ``woken`` (a queue handed over) was being
    woken: those not woken yet go back to the head of ``queue``, whose
    callback stays registered, so the loop wakes them at its next report
    instead of never."""
    queue[:0] = [fut for fut in woken if not fut.done()]


def _leave(watch: _Watch, fut: Future[None], write: bool) -> None:
    """A cancelled waiter (or one a signal handler's exception reached)
    leaves the queue; the last one unregisters."""
    waiters = watch.writers if write else watch.readers
    try:
        waiters.remove(fut)
    except ValueError:  # already woken (the list was handed over)
        return
    if not waiters and not watch.closed:
        watch.unregister(write)


def _close_asyncio(loop: AbstractEventLoop, fd: int) -> None:
    state = _states.get(loop)
    watch = None if state is None else state.table.pop(fd, None)
    if watch is None:
        return
    # unregister while the number is still ours
    watch.unregister(False)
    watch.unregister(True)
    watch.closed = True
    waiters = watch.readers + watch.writers
    watch.readers, watch.writers = [], []
    try:
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)
    finally:  # a signal handler's exception: the rest are woken all the same
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)


# --- trio ----------------------------------------------------------------------


class _Side:
    """One direction of a descriptor under trio: whether a task waits in
    trio's own wait, and the Event the other waiters wait on."""

    __slots__ = ("busy", "event")

    def __init__(self) -> None:
        self.busy = False
        self.event: Any = None  # trio.Event while someone waits behind the first


class _TrioWatch:
    __slots__ = ("fd", "table", "read", "write", "closed")

    def __init__(self, fd: int, table: Dict[int, _TrioWatch]) -> None:
        self.fd = fd
        self.table = table
        self.read = _Side()
        self.write = _Side()
        self.closed = False

    def forget(self) -> None:
        idle = not (self.read.busy or self.write.busy or self.read.event or self.write.event)
        if idle and self.table.get(self.fd) is self:
            del self.table[self.fd]


_trio_tables: Any = None  # trio.lowlevel.RunVar, made on first use: fd -> _TrioWatch


def _trio_table(trio: Any) -> Dict[int, _TrioWatch]:
    global _trio_tables
    if _trio_tables is None:
        _trio_tables = trio.lowlevel.RunVar("posixsock.aio waiters")
    table: Optional[Dict[int, _TrioWatch]] = _trio_tables.get(None)
    if table is None:
        table = {}
        _trio_tables.set(table)
    return table


async def _wait_trio(trio: Any, fd: int, write: bool) -> bool:
    table = _trio_table(trio)
    watch = table.get(fd)
    if watch is None:
        watch = table[fd] = _TrioWatch(fd, table)
    side = watch.write if write else watch.read
    if side.busy:  # another task waits in trio: wait for its news
        event = side.event
        if event is None:
            event = side.event = trio.Event()
        try:
            await event.wait()
        finally:
            watch.forget()
        return watch.closed
    side.busy = True
    try:
        if write:
            await trio.lowlevel.wait_writable(fd)
        else:
            await trio.lowlevel.wait_readable(fd)
    except trio.ClosedResourceError:  # notify_closing (aio.close)
        watch.closed = True
    finally:
        side.busy = False
        event, side.event = side.event, None
        if event is not None:
            try:
                event.set()  # ready, cancelled or closed: the others look again
            except BaseException:  # a signal handler's, as set() began: set it still,
                event.set()  # or the tasks behind would wait for ever
                raise
        watch.forget()
    return watch.closed


def _close_trio(trio: Any, fd: int) -> None:
    watch = _trio_table(trio).pop(fd, None)
    if watch is not None:
        watch.closed = True
        events = [side.event for side in (watch.read, watch.write) if side.event is not None]
        watch.read.event = watch.write.event = None
        try:
            for event in events:
                event.set()
        finally:  # a signal handler's exception: the rest are set all the same
            for event in events:
                event.set()
    trio.lowlevel.notify_closing(fd)


# --- the entry points ------------------------------------------------------------


async def wait(fd: int, write: bool) -> bool:
    """Wait until ``fd`` may be readable (writable); True if ``aio.close``
    closed it meanwhile.  Raises the framework's cancellation."""
    last = _last
    loop = last[2]
    if loop is not None and loop._thread_id == _get_ident():
        state = last[1]
    else:
        loop = _get_running_loop()
        if loop is None:
            return await _wait_trio_or_none(fd, write)
        state = last[1] if last[0] is loop else _state(loop)
    # asyncio, inline (one coroutine less per wait)
    watch = state.table.get(fd)  # type: ignore[union-attr]  # last[1] is set with last[0]
    if watch is None:
        watch = state.table[fd] = _Watch(fd, state, loop)  # type: ignore[union-attr,arg-type]
    fut: Future[None] = loop.create_future()
    waiters = watch.writers if write else watch.readers
    waiters.append(fut)
    try:
        if len(waiters) == 1:  # the first waiter of this direction
            watch.register(write)
        await fut
    except BaseException:  # cancelled, or a signal handler's: leave the queue
        _leave(watch, fut, write)
        raise
    return watch.closed


async def _wait_trio_or_none(fd: int, write: bool) -> bool:
    trio = _running_trio()
    if trio is not None:
        return await _wait_trio(trio, fd, write)
    raise _no_framework()


def close_waiters(fd: int) -> None:
    """Wake every task of the running framework waiting on ``fd`` (they
    report EBADF) and forget its registrations, before ``fd`` is closed."""
    loop = _get_running_loop()
    if loop is not None:
        _close_asyncio(loop, fd)
        return
    trio = _running_trio()
    if trio is not None:
        _close_trio(trio, fd)
        return
    raise _no_framework()


# --- blocking calls on a thread ----------------------------------------------------


class _Job(Generic[_T]):
    """One blocking call on a thread.  If the task that started it is
    cancelled before it ends, its result goes to ``keep`` (aio.accept keeps a
    connection for the next accept) instead of being lost."""

    __slots__ = ("call", "lock", "done", "result", "error", "abandoned", "keep", "wake")

    def __init__(self, call: Callable[[], _T], keep: Optional[Callable[[_T], None]]) -> None:
        self.call = call
        self.lock = threading.Lock()
        self.done = False
        self.result: Optional[_T] = None
        self.error: Optional[BaseException] = None
        self.abandoned = False
        self.keep = keep
        self.wake: Callable[[], None] = lambda: None

    def run(self) -> None:
        try:
            result = self.call()
        except BaseException as exc:  # returned to the task, raised there
            self.error = exc
            result = None
        with self.lock:
            self.done = True
            self.result = result
            if self.abandoned:
                if result is not None and self.keep is not None:
                    self.keep(result)
                return
        try:
            self.wake()
        except RuntimeError:  # the loop or the run has ended meanwhile
            pass

    def abandon(self) -> None:
        """The task was cancelled: what the thread returns is kept, now or
        when it ends."""
        with self.lock:
            self.abandoned = True
            if self.done and self.result is not None and self.keep is not None:
                self.keep(self.result)

    def outcome(self) -> _T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]  # done: set by run


async def offload(call: Callable[[], _T], keep: Optional[Callable[[_T], None]] = None) -> _T:
    """Run the blocking ``call`` on a new daemon thread and wait for it
    without blocking the loop.  Cancellation propagates at once; the
    thread's result then goes to ``keep`` (dropped if None)."""
    job: _Job[_T] = _Job(call, keep)
    loop = _get_running_loop()
    if loop is not None:
        fut: Future[None] = loop.create_future()

        def done() -> None:
            if not fut.done():
                fut.set_result(None)

        def wake() -> None:
            loop.call_soon_threadsafe(done)
        job.wake = wake
        threading.Thread(target=job.run, name="posixsock.aio", daemon=True).start()
        try:
            await fut
        except BaseException:
            job.abandon()
            raise
        return job.outcome()
    trio = _running_trio()
    if trio is None:
        raise _no_framework()
    event = trio.Event()
    token = trio.lowlevel.current_trio_token()
    job.wake = lambda: token.run_sync_soon(event.set)
    threading.Thread(target=job.run, name="posixsock.aio", daemon=True).start()
    try:
        await event.wait()
    except BaseException:
        job.abandon()
        raise
    return job.outcome()


def duplicate(fd: int) -> int:
    """A close-on-exec duplicate of ``fd`` for a thread's blocking call: the
    thread never uses the caller's number (which the caller may close and
    reuse meanwhile); raises OSError (EBADF)."""
    return os.dup(fd)  # PEP 446: not inheritable
