"""Shared fixtures: descriptors that are always closed, loopback endpoints,
short AF_UNIX paths and unique abstract names.

Every socket a test makes through ``fds`` is closed after the test, and every
endpoint the helpers build has receive/send timeouts, so no test can hang.
"""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import sys
import tempfile
from types import FrameType
from typing import Callable, Iterator, List, Optional, Set, Tuple

import pytest

# POSIXSOCK_SIMULATE=darwin|freebsd14: a platform-shaped stdlib on this
# kernel, applied before posixsock is imported (tests/_simulate.py;
# tests/test_platforms.py runs the suite that way).
if os.environ.get("POSIXSOCK_SIMULATE"):
    import _simulate
    _simulate.apply(os.environ["POSIXSOCK_SIMULATE"])

import posixsock as ps  # noqa: E402

LOOPBACK = {ps.AF_INET: "127.0.0.1", ps.AF_INET6: "::1"}
TIMEOUT_S = 5  # bound on every blocking call a helper sets up


def open_fds() -> Set[int]:
    """The descriptors open in this process now (Linux's /proc)."""
    return {int(name) for name in os.listdir("/proc/self/fd")}


def loopback(family: int, port: int = 0) -> ps.SockAddr:
    """The loopback address of ``family`` (AF_INET or AF_INET6)."""
    return {"family": family, "port": port, "addr": LOOPBACK[family]}


class Fds:
    """Descriptors one test opened; all closed at teardown."""

    def __init__(self) -> None:
        self.opened: List[int] = []

    def track(self, fd: int) -> int:
        """Close ``fd`` at teardown; return it."""
        self.opened.append(fd)
        return fd

    def close_all(self) -> None:
        for fd in self.opened:
            try:
                os.close(fd)
            except OSError:  # the test closed it already
                pass
        self.opened.clear()

    @staticmethod
    def timeouts(fd: int, seconds: int = TIMEOUT_S) -> int:
        """Bound blocking receives/sends (and accept) on ``fd``."""
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, seconds, 0))
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO, seconds, 0))
        return fd

    def socket(self, family: int, socktype: int, protocol: int = 0) -> int:
        """A new socket (raises OSError if the call fails)."""
        return self.track(ps.check(ps.socket(family, socktype, protocol)))

    def pair(self, socktype: int = ps.SOCK_STREAM) -> Tuple[int, int]:
        """A connected AF_UNIX socketpair, with timeouts."""
        one, two = ps.check(ps.socketpair(ps.AF_UNIX, socktype, 0))
        self.track(one)
        self.track(two)
        return self.timeouts(one), self.timeouts(two)

    def bound(self, socktype: int, addr: ps.SockAddr, protocol: int = 0) -> Tuple[int, ps.SockAddr]:
        """A socket of ``addr``'s family bound to ``addr``, with timeouts;
        returns it and its ``getsockname`` (the real port, for port 0)."""
        fd = self.timeouts(self.socket(addr["family"], socktype, protocol))
        ps.check(ps.bind(fd, addr))
        return fd, ps.check(ps.getsockname(fd))

    def listener(self, addr: Optional[ps.SockAddr] = None, backlog: int = 8) -> Tuple[int, ps.SockAddr]:
        """A listening stream socket (default: 127.0.0.1, port 0)."""
        fd, where = self.bound(ps.SOCK_STREAM, loopback(ps.AF_INET) if addr is None else addr)
        ps.check(ps.listen(fd, backlog))
        return fd, where

    def connected(self, addr: Optional[ps.SockAddr] = None) -> Tuple[int, int, ps.SockAddr]:
        """A stream connection over loopback: ``(client, server side, peer
        address as accept returned it)``."""
        server, where = self.listener(addr)
        client = self.timeouts(self.socket(where["family"], ps.SOCK_STREAM))
        ps.check(ps.connect(client, where))
        conn, peer = ps.check(ps.accept(server))
        return client, self.timeouts(self.track(conn)), peer


@pytest.fixture
def fds() -> Iterator[Fds]:
    """An ``Fds`` whose descriptors are closed after the test."""
    tracker = Fds()
    try:
        yield tracker
    finally:
        tracker.close_all()


@pytest.fixture
def unix_dir() -> Iterator[str]:
    """A short private directory for AF_UNIX paths (pytest's tmp_path can
    exceed the 107 bytes a socket path may have)."""
    path = tempfile.mkdtemp(prefix="psk-", dir="/tmp")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


_abstract_counter = itertools.count()


@pytest.fixture
def abstract_name() -> Iterator[Callable[[], str]]:
    """A function returning a new, unique Linux abstract socket name --
    elsewhere (the simulated macOS/FreeBSD runs: no abstract namespace) a
    new short filesystem path, removed after the test."""
    if sys.platform == "linux":
        yield lambda: f"\0posixsock-test-{os.getpid()}-{next(_abstract_counter)}"
        return
    directory = tempfile.mkdtemp(prefix="psk-", dir="/tmp")
    try:
        yield lambda: os.path.join(directory, str(next(_abstract_counter)))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def closed_fd() -> int:
    """A descriptor number that is closed right now."""
    fd = os.open(os.devnull, os.O_RDONLY)
    os.close(fd)
    return fd


@pytest.fixture
def file_fd() -> Iterator[int]:
    """An open descriptor that is not a socket (a regular file)."""
    fd, path = tempfile.mkstemp(prefix="psk-file-")
    os.unlink(path)
    try:
        yield fd
    finally:
        os.close(fd)


@pytest.fixture
def alarm() -> Iterator[Callable[[Callable[[int, Optional[FrameType]], None]], None]]:
    """Install a SIGALRM handler for one test; the timer is stopped and the
    old handler restored afterwards."""
    saved = signal.getsignal(signal.SIGALRM)

    def install(handler: Callable[[int, Optional[FrameType]], None]) -> None:
        signal.signal(signal.SIGALRM, handler)

    yield install
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, saved)
