"""Issue 4.5: interruption.

EINTR is retried when a signal handler returns; a handler that raises
propagates out of the blocking call and the descriptor still works, same
descriptor, same flags, nothing lost; SIGPIPE never kills the process.
Every blocking call is bounded by SO_RCVTIMEO/SO_SNDTIMEO; helper threads
block SIGALRM so that it interrupts the main thread's call.
"""
from __future__ import annotations

import errno as E
import os
import signal
import socket as stdlib
import subprocess
import sys
import threading
from types import FrameType, TracebackType
from typing import Callable, Iterator, List, Optional

import pytest

import posixsock as ps
from _robust_helpers import (
    close_all, flags, helper, identity, ok, set_flags, tcp_listener, tcp_pair, timeouts,
)

# --- blocking operations, each with what unblocks it ---------------------------


class Op:
    """A blocking call on ``fd`` (the main thread) and the action, run from
    another thread, that lets it complete; ``check`` verifies the result."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fds: List[int] = []
        self.sent = 0  # bytes queued towards ``peer`` before the call
        if name in ("recv", "recvfrom", "recv huge", "send"):
            self.fd, self.peer = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
            self.fds += [self.fd, self.peer]
        elif name == "recv tcp":
            self.fd, self.peer = tcp_pair()
            self.fds += [self.fd, self.peer]
        elif name == "accept":
            self.fd, self.addr = tcp_listener()
            self.fds.append(self.fd)
        timeouts(self.fd)
        if name == "send":  # fill the send buffer: the next send blocks
            ok(ps.setsockopt(self.fd, ps.SOL_SOCKET, ps.SO_SNDBUF, 4096))
            while True:
                n = ps.send(self.fd, b"f" * 4096, stdlib.MSG_DONTWAIT)
                if isinstance(n, ps.Error):
                    assert n.errnum == E.EAGAIN, n
                    break
                self.sent += n

    def call(self) -> object:
        if self.name in ("recv", "recv tcp"):
            return ps.recv(self.fd, 100)
        if self.name == "recvfrom":
            return ps.recvfrom(self.fd, 100)
        if self.name == "recv huge":
            return ps.recv(self.fd, 2**70)
        if self.name == "accept":
            return ps.accept(self.fd)
        return ps.send(self.fd, b"s" * 10)

    def unblock(self) -> None:
        if self.name == "accept":
            fd = ok(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
            timeouts(fd)
            ok(ps.connect(fd, self.addr))
            self.fds.append(fd)
        elif self.name == "send":
            self.drained = self.drain()
        else:
            assert ok(ps.send(self.peer, b"data")) == 4

    def drain(self) -> int:
        """Read everything queued towards the peer (send case)."""
        total = 0
        while total < self.sent:
            data = ok(ps.recv(self.peer, 65536))
            assert data and set(data) <= {ord("f")}
            total += len(data)
        return total

    def check(self, result: object) -> None:
        if self.name == "accept":
            conn, peer = ok(result)  # type: ignore[misc]
            self.fds.append(conn)
            assert peer == ok(ps.getsockname(self.fds[-2]))
        elif self.name == "send":
            assert ok(result) == 10
            assert self.drained == self.sent
            assert ok(ps.recv(self.peer, 100)) == b"s" * 10
        elif self.name == "recvfrom":
            assert ok(result) == (b"data", {"family": ps.AF_UNSPEC})
        else:
            assert result == b"data", result

    def still_works(self) -> None:
        """After an interrupted call: the descriptor does its job, nothing
        was lost or duplicated."""
        self.unblock()
        self.check(self.call())

    def close(self) -> None:
        close_all(self.fds)


OPS = ["recv", "recv tcp", "recvfrom", "recv huge", "accept", "send"]


@pytest.mark.parametrize("name", OPS)
def test_eintr_is_retried(name: str, alarm: Callable[..., None]) -> None:
    """A handler that returns: the call goes on and gets what comes later."""
    op = Op(name)
    interrupted = threading.Event()
    hits = []

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        hits.append(signum)
        if len(hits) >= 5:
            interrupted.set()

    def later() -> None:
        interrupted.wait(10)  # only after several interruptions
        op.unblock()

    before = identity(op.fd), flags(op.fd)
    alarm(handler)
    try:
        thread = helper(later)
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        result = op.call()
        signal.setitimer(signal.ITIMER_REAL, 0)
        thread.join(10)
        assert len(hits) >= 5, "the call was never interrupted"
        op.check(result)
        assert (identity(op.fd), flags(op.fd)) == before
    finally:
        op.close()


class Boom(Exception):
    pass


RAISES = [Boom, TimeoutError, InterruptedError, KeyboardInterrupt]


@pytest.mark.parametrize("exc", RAISES, ids=[e.__name__ for e in RAISES])
@pytest.mark.parametrize("name", OPS)
def test_raising_handler_propagates(name: str, exc: type, alarm: Callable[..., None]) -> None:
    """The handler's exception -- whatever its class, OSError subclasses
    included (an alarm-based timeout raising TimeoutError is common) --
    comes out of the call; the descriptor is untouched and still works."""
    op = Op(name)
    set_flags(op.fd, False, OPS.index(name) % 2 == 0)  # both FD_CLOEXEC states
    before = identity(op.fd), flags(op.fd)

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise exc("from the handler")

    alarm(handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(exc, match="from the handler"):
            result = op.call()
            pytest.fail(f"the handler's {exc.__name__} did not propagate; got {result!r}")
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert (identity(op.fd), flags(op.fd)) == before
        op.still_works()  # (send: the interrupted send sent nothing)
        assert (identity(op.fd), flags(op.fd)) == before
    finally:
        op.close()


def test_handler_failing_inside_posixsock_propagates(alarm: Callable[..., None]) -> None:
    """A handler whose own posixsock call fails (``check`` raising OSError from
    posixsock's code) still propagates: any frame outside posixsock in the
    traceback marks the exception as the handler's, not the call's."""
    op = Op("recv")

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        ps.check(ps.recv(-1, 1))

    alarm(handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(OSError) as info:
            result = op.call()
            pytest.fail(f"the handler's OSError did not propagate; got {result!r}")
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert info.value.errno == 9 and "handler" in "".join(
            str(tb.tb_frame.f_code.co_name) for tb in _frames(info.value.__traceback__))
        op.still_works()
    finally:
        op.close()


def _frames(tb: Optional[TracebackType]) -> Iterator[TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next


# --- SIGPIPE -------------------------------------------------------------------------

def test_send_to_closed_unix_peer_is_epipe() -> None:
    a, b = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    os.close(b)
    try:
        assert ps.send(a, b"x") == ps.Error(None, "send: Broken pipe", 32)
        assert ps.send(a, b"x", 0) == ps.Error(None, "send: Broken pipe", 32)
    finally:
        os.close(a)


def test_send_to_closed_tcp_peer_is_epipe_or_reset() -> None:
    c, s = tcp_pair()
    os.close(s)
    try:
        errors = []
        for _ in range(1000):  # the first sends may succeed until the RST
            r = ps.send(c, b"x" * 1000)
            if isinstance(r, ps.Error):
                errors.append(r)
                if r.errnum == E.EPIPE:
                    break
        assert errors, "send never failed"
        assert errors[-1] == ps.Error(None, "send: Broken pipe", 32), errors
        assert all(e.errnum in (E.ECONNRESET, E.EPIPE) for e in errors), errors
    finally:
        os.close(c)


SIGPIPE_CHILD = r"""
import os, signal, sys
import posixsock as ps
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # as C programs and many CLIs have it
a, b = ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0)
os.close(b)
print(tuple(ps.send(a, b"x")), flush=True)
c, d = ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0)
os.close(d)
print(tuple(ps.sendto(c, b"x", {"family": ps.AF_UNIX, "path": ""})), flush=True)
"""


def test_sigpipe_default_action_does_not_kill() -> None:
    """Even where SIGPIPE has its default action (killing the process), a
    send to a closed peer returns the EPIPE triple."""
    proc = subprocess.run([sys.executable, "-c", SIGPIPE_CHILD], capture_output=True, text=True,
                          timeout=60, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.returncode == 0, f"child died: rc {proc.returncode} (-13 is SIGPIPE) {proc.stderr}"
    lines = proc.stdout.splitlines()
    assert lines[0] == repr((None, "send: Broken pipe", 32))
    assert lines[1].startswith("(None, 'sendto: "), lines
