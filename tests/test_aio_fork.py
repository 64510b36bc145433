"""posixsock.aio in a child forked while the parent's asyncio loop ran.

Before 3.12 asyncio finds the running loop with a pid check, so a child
forked from inside a coroutine may start a loop of its own (``asyncio.run``
in its main thread; a fork-context ``ProcessPoolExecutor`` or
``multiprocessing`` worker started from the loop's thread does just that).
The parent's loop, copied into the child, still carries the ``_thread_id``
of the forking thread -- the child's own ident -- so it must not stand in
for the child's loop.  Run in a subprocess: forking pytest itself (with
the threads other tests leave) could deadlock the child.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import asyncio, os
    import posixsock as ps
    from posixsock import aio

    async def round_trip(tag: bytes) -> bytes:
        a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
        task = asyncio.ensure_future(aio.recv(b, 10))
        await asyncio.sleep(0.01)  # the task waits (EAGAIN)
        ps.check(ps.send(a, tag))
        got = ps.check(await asyncio.wait_for(task, 5))
        os.close(a)
        os.close(b)
        return got

    async def parent() -> None:
        print("parent", (await round_trip(b"p1")).decode(), flush=True)
        pid = os.fork()
        if pid == 0:
            try:
                print("child", asyncio.run(round_trip(b"c1")).decode(), flush=True)
            except BaseException as exc:
                print("child raised", type(exc).__name__, exc, flush=True)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        print("parent", (await round_trip(b"p2")).decode(), flush=True)

    asyncio.run(parent())
''')


def test_child_forked_from_a_running_loop_waits_on_its_own_loop() -> None:
    """Before: on 3.9-3.11 the child's wait used the parent's loop
    ("got Future attached to a different loop")."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["parent p1", "child c1", "parent p2"], done.stdout


KEPT_SCRIPT = textwrap.dedent('''
    import os
    import posixsock as ps
    from posixsock import aio

    # A connection kept for a cancelled blocking accept (as _keeper stores it).
    conn, other = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    aio._kept[(1, 2)] = [(conn, {"family": ps.AF_UNIX, "path": ""})]
    pid = os.fork()
    if pid == 0:
        try:
            os.fstat(conn)
            print("child open", flush=True)
        except OSError:
            print("child closed", flush=True)
        print("child kept", len(aio._kept), flush=True)
        with aio._kept_lock:  # not left held by the parent
            pass
        os._exit(0)
    os.waitpid(pid, 0)
    os.fstat(conn)  # the parent's copy is still open
    print("parent kept", len(aio._kept), flush=True)
''')


def test_child_leaves_the_parents_kept_connections_alone() -> None:
    """A connection a cancelled blocking accept kept is the parent's: the
    forked child closes its copy and forgets it (else both could return it)."""
    done = subprocess.run([sys.executable, "-c", KEPT_SCRIPT], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["child closed", "child kept 0", "parent kept 1"], done.stdout
