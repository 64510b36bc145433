"""Combinations a hostile user can build against README "Guarantees":
subclasses of str, dict and int that lie, MSG_TRUNC on TCP with pooled
buffers, threads releasing buffers together, huge SO_SNDTIMEO, handlers
raising inside socket(), lying send flags -- each pinned by the
reproduction that once broke it.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Tuple

import pytest

import posixsock as ps
from _privileges import INTERRUPTED_CONNECT_WAITS, cpython_waits_for_interrupted_connect
from conftest import Fds


# --- a str subclass is read as the text C is given -------------------------------

class _Liar(str):
    """Text whose comparisons, hash, membership test and encoding lie: it
    claims to equal (and hash as) ``twin`` and to contain no NUL."""

    twin = "127.0.0.1"

    def __hash__(self) -> int:
        return hash(self.twin)

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __contains__(self, item: object) -> bool:
        return False

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return b"127.0.0.1"


def _liar(text: str, twin: str) -> _Liar:
    liar = _Liar(text)
    liar.twin = twin
    return liar


@pytest.mark.parametrize("family, twin", [(ps.AF_INET, "127.51.52.53"), (ps.AF_INET6, "::ffff:127.51.52.54")])
def test_str_subclass_cannot_poison_the_numeric_cache(fds: Fds, family: int, twin: str) -> None:
    """A non-numeric str subclass that claims to equal a numeric address is
    refused, and the honest address stays numeric for everybody after it
    (the cache is a dict keyed by the text)."""
    fd = fds.socket(family, ps.SOCK_DGRAM)
    lie: Any = {"family": family, "port": 9, "addr": _liar("not numeric", twin)}
    assert ps.sendto(fd, b"x", lie).errnum == 22  # type: ignore[union-attr]
    honest: Any = {"family": family, "port": 9, "addr": twin}
    assert ps.sendto(fd, b"x", honest) == 1


@pytest.mark.parametrize("text", ["localhost", ""])
def test_str_subclass_cannot_slip_a_name_past_the_numeric_check(fds: Fds, text: str) -> None:
    """A str subclass equal (by its own word) to a cached numeric address
    is still its own text: "localhost" is not resolved, "" is not ANY."""
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.sendto(fd, b"x", {"family": ps.AF_INET, "port": 9, "addr": "127.0.0.1"}) == 1
    lie: Any = {"family": ps.AF_INET, "port": 9, "addr": _liar(text, "127.0.0.1")}
    assert ps.sendto(fd, b"x", lie).errnum == 22  # type: ignore[union-attr]
    assert ps.bind(fd, lie).errnum == 22  # type: ignore[union-attr]


def test_str_subclass_nul_is_not_cut_in_getaddrinfo_or_interface_names(fds: Fds) -> None:
    """A NUL inside a str subclass that denies containing one: the same
    triples as for plain text, never a silently shorter C string and never
    the stdlib's "embedded null byte"."""
    hints: ps.AddrInfoHints = {"family": ps.AF_INET}
    plain = ps.getaddrinfo("127.0.0.1\0junk", "80", hints)
    assert isinstance(plain, ps.Error)
    assert ps.getaddrinfo(_liar("127.0.0.1\0junk", "x"), "80", hints) == plain
    assert ps.getaddrinfo("127.0.0.1", _liar("80\0junk", "x"), hints) == \
        ps.getaddrinfo("127.0.0.1", "80\0junk", hints)
    assert ps.if_nametoindex(_liar("lo\0x", "x")) == ps.if_nametoindex("lo\0x")
    if ps.SO_BINDTODEVICE is None:  # Linux's
        return
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    got: List[object] = [ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, _liar("nosuchif0", "x"))]
    got.append(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "nosuchif0"))
    assert got[0] == got[1]


# --- MSG_TRUNC on TCP: the kernel discards, writes nothing, returns the count -------

_BIG = 300 * 1024  # above _DIRECT: the pooled mapping


def _tcp_with(fds: Fds, data: bytes) -> int:
    """The receiving side of a loopback TCP connection with ``data``
    queued (all of it, checked with a peek)."""
    client, server, _ = fds.connected()
    assert ps.send(client, data) == len(data)
    assert ps.recv(server, len(data), ps.MSG_PEEK | ps.MSG_WAITALL) == data
    return server


@pytest.mark.parametrize("call", ["recv", "recvfrom", "recvmsg"])
def test_msg_trunc_on_tcp_never_returns_an_earlier_receive(fds: Fds, call: str) -> None:
    """A large receive leaves its data in the pooled buffer; a later large
    receive with MSG_TRUNC on a TCP socket (the kernel writes nothing, and
    returns how much it discarded) must not hand those bytes out: here they
    came from another connection."""
    a, b = fds.pair(ps.SOCK_STREAM)
    secret = b"SECRET-" * 9000  # 63,000 bytes: stays in the pooled buffer
    assert ps.send(a, secret) == len(secret)
    assert ps.recv(b, _BIG) == secret
    fd = _tcp_with(fds, b"z" * 1000)
    got: Any
    if call == "recv":
        got = ps.recv(fd, _BIG, ps.MSG_TRUNC)
    elif call == "recvfrom":
        got = ps.check(ps.recvfrom(fd, _BIG, ps.MSG_TRUNC))[0]
    else:
        got = ps.check(ps.recvmsg(fd, _BIG, 0, ps.MSG_TRUNC))[0]
    assert isinstance(got, bytes) and got == bytes(1000)


def test_msg_trunc_on_tcp_recvmsg_never_returns_heap_memory(fds: Fds) -> None:
    """CPython's recvmsg returns its buffer unwritten when TCP's MSG_TRUNC
    discards the data: freed heap memory (here, freed copies of a secret)."""
    junk = [b"HEAPSECRET" * 100 + bytes([i % 256]) for i in range(2000)]
    del junk
    fd = _tcp_with(fds, b"z" * 3000)
    for _ in range(3):
        got = ps.check(ps.recvmsg(fd, 1000, 0, ps.MSG_TRUNC))[0]
        assert got == bytes(1000)


# --- an interrupted connect with a long SO_SNDTIMEO ----------------------------------

def _full_unix_listener(fds: Fds, path: str) -> Tuple[int, ps.SockAddrUnix]:
    """A listening AF_UNIX socket whose backlog is full: a blocking connect
    to it waits."""
    where: ps.SockAddrUnix = {"family": ps.AF_UNIX, "path": path}
    listener, _ = fds.bound(ps.SOCK_STREAM, where)
    ps.check(ps.listen(listener, 0))
    for _ in range(64):
        filler = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
        os.set_blocking(filler, False)  # (no SOCK_NONBLOCK on macOS)
        if isinstance(ps.connect(filler, where), ps.Error):
            break
    else:  # pragma: no cover
        pytest.fail("the backlog never filled")
    return listener, where


@pytest.mark.skipif(cpython_waits_for_interrupted_connect(), reason=INTERRUPTED_CONNECT_WAITS)
@pytest.mark.parametrize("seconds", [10**8, 2**31])
def test_interrupted_connect_with_a_long_sndtimeo_does_not_overflow(
        fds: Fds, unix_dir: str, seconds: int) -> None:
    """SO_SNDTIMEO beyond poll's INT_MAX milliseconds (about 24.8 days):
    after a signal whose handler returns, connect waits on (it raised
    OverflowError from poll); here it completes once the listener makes
    room."""
    import signal
    import threading
    import time
    listener, where = _full_unix_listener(fds, unix_dir + "/s")
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
    assert ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO, seconds, 0) == 0
    timeo: Any = ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO))
    assert timeo["tv_sec"] * 1000 > 2**31 - 1
    signals: List[int] = []

    def make_room() -> None:
        deadline = time.monotonic() + 10
        while not signals and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # connect is back in its wait
        new, _ = ps.check(ps.accept(listener))
        fds.track(new)

    def handler(signum: int, frame: object) -> None:
        signals.append(signum)

    old = signal.signal(signal.SIGALRM, handler)
    helper = threading.Thread(target=make_room)
    helper.start()
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        got = ps.connect(fd, where)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        helper.join()
    assert signals
    assert got == 0
    assert ps.getpeername(fd) == {"family": ps.AF_UNIX, "path": unix_dir + "/s"}


# --- other hostile arguments ------------------------------------------------------------

class _HugeLen(Dict[str, object]):
    def __len__(self) -> int:
        return 2**70


class _LyingGet(Dict[str, object]):
    def get(self, key: str, default: object = None) -> object:  # type: ignore[override, unused-ignore]
        return 2**70 if key == "family" else super().get(key, default)


@pytest.mark.parametrize("kind", [_HugeLen, _LyingGet])
def test_dict_subclass_is_read_as_its_table(fds: Fds, kind: type) -> None:
    """A dict subclass whose __len__ or get lies: read as the dict it holds
    (a __len__ beyond Py_ssize_t made connect raise OverflowError)."""
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    addr: Any = kind(family=ps.AF_INET, port=9, addr="127.0.0.1")
    assert ps.sendto(fd, b"x", addr) == 1
    assert ps.connect(fd, addr) == 0
    assert ps.getnameinfo(addr, ps.NI_NUMERICHOST | ps.NI_NUMERICSERV) == ("127.0.0.1", "9")


def test_getaddrinfo_service_beyond_int_str_digits_is_eai_service() -> None:
    """An int service with more digits than Python will print (4,300 by
    default) is a port no resolver knows: EAI_SERVICE, as for 10**30, not
    the stdlib's ValueError about sys.set_int_max_str_digits."""
    hints: ps.AddrInfoHints = {"family": ps.AF_INET}
    want = ps.getaddrinfo("127.0.0.1", 10**30, hints)
    assert isinstance(want, ps.Error)
    assert ps.getaddrinfo("127.0.0.1", 10**5000, hints) == want


# --- the buffer pool under threads ------------------------------------------------

def test_pool_stays_bounded_when_threads_release_together(fds: Fds) -> None:
    """Two threads give a buffer back at once: one is scheduled away between
    the pool's size test and its append (paused there by a line trace),
    the other fills the pool meanwhile.  The pool keeps at most 4 buffers
    (README: at most 4 x 64 KiB resident between calls)."""
    import inspect
    import mmap
    import sys
    import threading
    from types import FrameType
    from posixsock import _recvbuf
    source, first = inspect.getsourcelines(_recvbuf.release)
    append_line = first + next(i for i, text in enumerate(source) if "_pool.append(buffer)" in text)
    paused, resume = threading.Event(), threading.Event()
    a1, b1 = fds.pair(ps.SOCK_DGRAM)
    got: List[object] = []

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code is not _recvbuf.release.__code__:
            return None

        def local(frame: FrameType, event: str, arg: object) -> Any:
            # "line": about to run the append, the size test done
            if event == "line" and frame.f_lineno == append_line and not paused.is_set():
                paused.set()
                resume.wait(10)
            return local
        return local

    def paused_receiver() -> None:
        sys.settrace(tracer)
        try:
            got.append(ps.recv(b1, _BIG))
        finally:
            sys.settrace(None)

    assert ps.send(a1, b"one") == 3
    thread = threading.Thread(target=paused_receiver)
    thread.start()
    try:
        assert paused.wait(10)
        # meanwhile the receives of other threads give their buffers back
        while len(_recvbuf._pool) < _recvbuf._POOL:
            _recvbuf.release(mmap.mmap(-1, _recvbuf.MAX_RW, flags=_recvbuf._MAP_FLAGS), 0)
    finally:
        resume.set()
        thread.join()
    assert got == [b"one"]
    assert len(_recvbuf._pool) <= _recvbuf._POOL


# --- a handler that raises inside socket() -------------------------------------------

class _Alarm(Exception):
    pass


def test_handler_raising_inside_socket_leaves_no_resource_warning() -> None:
    """A handler raises after the stdlib made the socket but before posixsock
    took the descriptor out (the signal is raised at the exact C call): the
    result is lost, as README says, but the descriptor is closed quietly --
    no ResourceWarning (an error under -W error), no leaked descriptor."""
    import gc
    import signal
    import sys
    import warnings
    from types import FrameType

    def handler(signum: int, frame: object) -> None:
        raise _Alarm()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") == "detach":
            sys.setprofile(None)
            signal.raise_signal(signal.SIGUSR1)  # the handler runs right here

    before = sorted(os.listdir("/proc/self/fd"))
    old = signal.signal(signal.SIGUSR1, handler)
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            sys.setprofile(profile)
            try:
                with pytest.raises(_Alarm):
                    ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0)
            finally:
                sys.setprofile(None)
            gc.collect()
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
    assert sorted(os.listdir("/proc/self/fd")) == before


# --- send flags: an int subclass's operators cannot drop MSG_NOSIGNAL -------------------

class _OrHuge(int):
    def __or__(self, other: object) -> int:
        return 2**100

    __ror__ = __or__


class _OrZero(int):
    def __or__(self, other: object) -> int:
        return 0

    __ror__ = __or__


@pytest.mark.parametrize("kind", [_OrHuge, _OrZero])
@pytest.mark.parametrize("call", ["send", "sendto"])
def test_send_flags_int_subclass_is_read_as_its_value(
        fds: Fds, abstract_name: Callable[[], str], kind: type, call: str) -> None:
    """Flags are or-ed with MSG_NOSIGNAL: an int subclass whose | lies made
    send raise OverflowError (or dropped MSG_NOSIGNAL, see below)."""
    flags: Any = kind(0)
    if call == "send":
        a, b = fds.pair(ps.SOCK_DGRAM)
        assert ps.send(a, b"x", flags) == 1
    else:
        where: ps.SockAddrUnix = {"family": ps.AF_UNIX, "path": abstract_name()}
        b, _ = fds.bound(ps.SOCK_DGRAM, where)
        a = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
        assert ps.sendto(a, b"x", where, flags) == 1
    assert ps.recv(b, 10, ps.MSG_DONTWAIT) == b"x"


def test_no_sigpipe_whatever_int_subclass_the_flags_are() -> None:
    """SIGPIPE's action reset to the default, the peer closed, flags an int
    subclass whose | returns 0: EPIPE, and the process lives (exit 141 before)."""
    import subprocess
    import sys
    from pathlib import Path
    code = (
        "import os, signal, posixsock as ps\n"
        "class Z(int):\n"
        "    def __or__(self, other): return 0\n"
        "    __ror__ = __or__\n"
        "a, b = ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0)\n"
        "os.close(b)\n"
        "signal.signal(signal.SIGPIPE, signal.SIG_DFL)\n"
        "print(ps.send(a, b'x', Z(0)).errnum, ps.sendto(a, b'x', {'family': ps.AF_INET,\n"
        "      'port': 9, 'addr': '127.0.0.1'}, Z(0)).errnum)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, (out.returncode, out.stderr)
    assert out.stdout.split()[0] == "32"


def test_str_subclass_unix_path_is_its_own_text(fds: Fds, unix_dir: str) -> None:
    """A filesystem path with a NUL, as a str subclass whose encode() gives
    other bytes (here "127.0.0.1", a path in the working directory): EINVAL
    as for the plain text, and nothing is created anywhere."""
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    text = unix_dir + "/a\0b"
    lie: Any = {"family": ps.AF_UNIX, "path": _liar(text, "x")}
    plain: Any = {"family": ps.AF_UNIX, "path": text}
    assert ps.bind(fd, lie) == ps.bind(fd, plain)
    assert isinstance(ps.bind(fd, plain), ps.Error)
    assert not os.path.exists("127.0.0.1") and os.listdir(unix_dir) == []
