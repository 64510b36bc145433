"""Issue 9, part A: signals, round 2.

* A ``connect`` interrupted by a signal whose handler returns succeeds only
  if a connection exists; it honours SO_SNDTIMEO; a handler that closes the
  descriptor gives an EBADF triple (items 1-3).
* An exception a signal handler raises propagates from every call, the
  resolver calls included, and whatever the handler's module is named
  (items 4, 6).
* The two limits inherited from CPython's retry loop, pinned as they are
  (README "Guarantees").

Signals are scheduled with ``setitimer`` (the first expiry interrupts the
call; a later one, if the call is still blocked, raises and so bounds the
test) or raised at an exact point with a profile hook.  Helper threads block
SIGALRM, so it always interrupts the main thread's call.
"""
from __future__ import annotations

import _socket
import errno as E
import os
import signal
import socket as stdlib
import sys
import threading
import types
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import posixsock as ps
import posixsock._args as args_module
import posixsock._errors as errors_module
import posixsock._recvbuf as recvbuf_module
import posixsock._sockaddr as sockaddr_module
import posixsock._sockopt as sockopt_module
from _robust_helpers import Handler, helper
from _privileges import INTERRUPTED_CONNECT_WAITS, cpython_waits_for_interrupted_connect
from conftest import Fds

class Boom(Exception):
    """Raised by a handler when the call under test is still blocked."""


def first_returns_then_boom(hits: List[int]) -> Handler:
    """The first signal is benign (the handler returns); any later one means
    the call is still blocked: raise, so the test ends."""
    def handler(signum: int, frame: Optional[FrameType]) -> None:
        hits.append(signum)
        if len(hits) > 1:
            raise Boom("the call was still blocked")
    return handler


def connect_interrupted_once(alarm: Callable[[Handler], None], client: int,
                             addr: ps.SockAddr) -> object:
    """connect(client, addr) with one benign SIGALRM at 0.1 s; a second one,
    5 s later, raises Boom (the call was still blocked).  Returns connect's
    result."""
    hits: List[int] = []
    alarm(first_returns_then_boom(hits))
    signal.setitimer(signal.ITIMER_REAL, 0.1, 5)
    result = ps.connect(client, addr)
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert hits, "the connect was never interrupted"
    return result


def sndtimeo(fd: int, seconds: float) -> None:
    whole = int(seconds)
    ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO, whole,
                           int(round((seconds - whole) * 1e6))))


# --- listeners whose queue is full: a blocking connect waits -------------------

def full_unix_listener(fds: Fds, name: str) -> ps.SockAddr:
    """An AF_UNIX stream listener (backlog 0) whose queue is full."""
    addr: ps.SockAddr = {"family": ps.AF_UNIX, "path": name}
    fds.listener(addr, 0)
    for _ in range(8):
        filler = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
        os.set_blocking(filler, False)  # (no SOCK_NONBLOCK on macOS)
        result = ps.connect(filler, addr)
        if isinstance(result, ps.Error):
            assert result.errnum == E.EAGAIN, result
            return addr
    raise AssertionError("the AF_UNIX listener's queue never filled")


def full_tcp_listener(fds: Fds) -> ps.SockAddr:
    """A loopback TCP listener (backlog 0) whose accept queue is full: new
    SYNs are dropped, so a blocking connect waits (the client retransmits
    after 1 s, 3 s, ...).  Connections are queued until one times out."""
    _fd, addr = fds.listener(None, 0)
    for _ in range(8):
        probe = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
        sndtimeo(probe, 0.05)
        result = ps.connect(probe, addr)
        if isinstance(result, ps.Error):
            assert result.errnum == E.EINPROGRESS, result
            return addr
    raise AssertionError("the TCP listener's queue never filled")


# --- item 1: no success without a connection -------------------------------------

def connect_making_room(alarm: Callable[[Handler], None], client: int, addr: ps.SockAddr,
                        make_room: Callable[[], object]) -> object:
    """connect(client, addr), interrupted once by SIGALRM whose handler
    returns; a helper thread then runs ``make_room`` (lets the listener take
    the connection).  Returns connect's result."""
    interrupted = threading.Event()

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        interrupted.set()

    def after_the_signal() -> None:
        if interrupted.wait(5):
            make_room()

    alarm(handler)
    thread = helper(after_the_signal)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    result = ps.connect(client, addr)
    signal.setitimer(signal.ITIMER_REAL, 0)
    thread.join(5)
    assert interrupted.is_set(), "the connect was never interrupted"
    return result

@pytest.mark.skipif(cpython_waits_for_interrupted_connect(), reason=INTERRUPTED_CONNECT_WAITS)
def test_interrupted_unix_connect_connects_when_room_is_made(
        fds: Fds, abstract_name: Callable[[], str], alarm: Callable[[Handler], None]) -> None:
    """Interrupted while the listener's queue is full, the handler returns;
    then the server accepts one queued connection.  connect returns 0 only
    because the socket is connected (a poll alone said "ready" at once)."""
    addr = full_unix_listener(fds, abstract_name())
    listener = fds.opened[0]
    client = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
    sndtimeo(client, 5)
    result = connect_making_room(
        alarm, client, addr, lambda: fds.track(ps.check(ps.accept(listener))[0]))
    assert result == 0
    assert ps.getpeername(client) == addr  # a connection exists ...
    server = fds.track(ps.check(ps.accept(listener))[0])
    assert ps.send(client, b"ping") == 4  # ... and carries data
    assert ps.recv(server, 10) == b"ping"


@pytest.mark.skipif(cpython_waits_for_interrupted_connect(), reason=INTERRUPTED_CONNECT_WAITS)
def test_interrupted_unix_connect_is_no_false_success(
        fds: Fds, abstract_name: Callable[[], str], alarm: Callable[[Handler], None]) -> None:
    """Nobody makes room: the interrupted connect ends as the kernel's own
    would, with the SO_SNDTIMEO timeout (EAGAIN for AF_UNIX), never 0."""
    addr = full_unix_listener(fds, abstract_name())
    client = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
    sndtimeo(client, 0.3)
    result = connect_interrupted_once(alarm, client, addr)
    assert isinstance(result, ps.Error) and result.errnum == E.EAGAIN, result
    assert result.message == "connect: " + os.strerror(E.EAGAIN)
    assert ps.getpeername(client).errnum == E.ENOTCONN  # type: ignore[union-attr]


def test_interrupted_tcp_connect_reports_the_connection(
        fds: Fds, alarm: Callable[[Handler], None]) -> None:
    """TCP: the connection goes on in the kernel after the interruption;
    connect waits for it and returns 0 once it exists (room is made after
    the signal; the client's SYN retransmission then completes it)."""
    addr = full_tcp_listener(fds)
    listener = fds.opened[0]
    client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    sndtimeo(client, 8)
    # a larger backlog: the next SYN is taken
    result = connect_making_room(alarm, client, addr, lambda: ps.check(ps.listen(listener, 64)))
    assert result == 0, result
    assert ps.check(ps.getpeername(client)) == addr


# --- item 2: a handler that closes the descriptor -------------------------------

@pytest.mark.skipif(cpython_waits_for_interrupted_connect(), reason=INTERRUPTED_CONNECT_WAITS)
@pytest.mark.parametrize("family", ["unix", "tcp"])
def test_handler_closing_the_fd_during_connect_gives_ebadf(
        family: str, fds: Fds, abstract_name: Callable[[], str],
        alarm: Callable[[Handler], None]) -> None:
    """Only TypeError/ValueError (and a handler's own exception) may raise:
    a descriptor the handler closed is an EBADF triple."""
    if family == "unix":
        addr = full_unix_listener(fds, abstract_name())
        client = ps.check(ps.socket(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    else:
        addr = full_tcp_listener(fds)
        client = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    sndtimeo(client, 2)
    closed: List[int] = []

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        if not closed:
            os.close(client)
            closed.append(client)
        else:
            raise Boom("the call was still blocked")

    alarm(handler)
    signal.setitimer(signal.ITIMER_REAL, 0.1, 5)
    try:
        result = ps.connect(client, addr)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not closed:
            os.close(client)
    assert closed, "the connect was never interrupted"
    assert result == ps.Error(None, "connect: " + os.strerror(E.EBADF), E.EBADF)


# --- item 3: SO_SNDTIMEO after an interruption ----------------------------------

@pytest.mark.skipif(cpython_waits_for_interrupted_connect(), reason=INTERRUPTED_CONNECT_WAITS)
def test_interrupted_tcp_connect_honours_sndtimeo(
        fds: Fds, alarm: Callable[[Handler], None]) -> None:
    """SO_SNDTIMEO 0.3 s, one benign signal at 0.1 s: the connect still ends
    with the kernel's timeout result, EINPROGRESS -- it does not wait for
    the connection for ever (a second alarm, 5 s later, would say so)."""
    addr = full_tcp_listener(fds)
    client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    sndtimeo(client, 0.3)
    assert ps.getsockopt(client, ps.SOL_SOCKET, ps.SO_SNDTIMEO) == {"tv_sec": 0, "tv_usec": 300000}
    result = connect_interrupted_once(alarm, client, addr)
    assert result == ps.Error(None, "connect: " + os.strerror(E.EINPROGRESS), E.EINPROGRESS)


# --- item 4: a handler's exception inside the resolver and other lookups -------

def _via_handler(*args: object) -> Any:
    """Stands for a stdlib call in which CPython ran the SIGALRM handler
    (EINTR, then ``PyErr_CheckSignals``): the handler's exception comes out
    of the call."""
    signal.raise_signal(signal.SIGALRM)
    raise OSError(E.EINTR, "the handler returned")  # pragma: no cover


class _Sock:
    getsockopt = staticmethod(_via_handler)


def _on_a_socket(call: Callable[[stdlib.socket], object]) -> object:
    """``call`` with a socket of this process (closed after): the interface
    ioctls are made on the socket itself."""
    with stdlib.socket(stdlib.AF_INET, stdlib.SOCK_DGRAM) as sock:
        return call(sock)


LOOKUPS: Dict[str, Tuple[str, Callable[[], object]]] = {
    "getaddrinfo": ("getaddrinfo", lambda: ps.getaddrinfo("localhost", "80")),
    "getnameinfo": ("getnameinfo", lambda: ps.getnameinfo(
        {"family": ps.AF_INET, "addr": "127.0.0.1", "port": 80}, 0)),
    "packet address": ("fcntl.ioctl", lambda: _on_a_socket(lambda sock: ps.bind(
        sock.fileno(), {"family": ps.AF_PACKET, "ifindex": 1}))),
    "packet peer": ("if_nametoindex", lambda: sockaddr_module.sockaddr(
        ("lo", 0, 0, 0, b""))),
    "packet peer of a socket": ("fcntl.ioctl", lambda: _on_a_socket(
        lambda sock: sockaddr_module.sockaddr(("lo", 0, 0, 0, b""), sock))),
    "family of a shape": ("", lambda: sockaddr_module.sockaddr((0, 0), _Sock())),  # type: ignore[arg-type]
    "group address": ("inet_pton", lambda: ps.setsockopt(
        -1, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, "ff02::1")),
}


@pytest.mark.parametrize("name", list(LOOKUPS))
def test_handler_exception_propagates_from_lookups(
        name: str, monkeypatch: pytest.MonkeyPatch, alarm: Callable[[Handler], None]) -> None:
    """A TimeoutError from an alarm handler is not "System error" (EAI_SYSTEM)
    nor a failed lookup: it reaches the caller."""
    if name.startswith("packet") or name == "family of a shape":
        if sys.platform != "linux":  # AF_PACKET; SO_DOMAIN (macOS has none)
            pytest.skip("Linux only: AF_PACKET addresses and SO_DOMAIN")
    function, call = LOOKUPS[name]
    if function.startswith("fcntl."):
        monkeypatch.setattr(sockaddr_module.fcntl, function[6:], _via_handler)
    elif function:
        monkeypatch.setattr(_socket, function, _via_handler)

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise TimeoutError("from the handler")

    alarm(handler)
    with pytest.raises(TimeoutError, match="from the handler"):
        result = call()
        pytest.fail(f"the handler's TimeoutError did not propagate; got {result!r}")


# Clauses that catch a class other than OSError around a C-level stdlib call,
# to give a verdict of their own: the handler raises exactly that class.
# (name: what to patch, the class, the call)
_MESSAGE = "raised by the handler (on purpose)"


class _HandlerPool(list):  # type: ignore[type-arg]
    """A buffer pool whose pop is where the handler runs."""

    def pop(self, *args: Any) -> Any:
        return _via_handler()


def _patch_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recvbuf_module, "_pool", _HandlerPool())


def _patch_mmap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recvbuf_module, "_pool", [])
    monkeypatch.setattr(recvbuf_module.mmap, "mmap", lambda *args, **kwargs: _via_handler())


def _patch_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors_module, "_resolver_cache", {})  # the text is learnt anew
    monkeypatch.setattr(_socket, "getaddrinfo", _via_handler)


class _Packer:
    """A struct whose pack is where the handler runs."""

    size = 8
    pack = staticmethod(_via_handler)


def _big_recv() -> object:
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    try:
        assert ps.send(one, b"x") == 1
        return ps.recv(two, 2**20)
    finally:
        os.close(one)
        os.close(two)


CAUGHT: Dict[str, Tuple[Callable[[pytest.MonkeyPatch], None], type, Callable[[], object]]] = {
    "inet_pton": (lambda mp: mp.setattr(_socket, "inet_pton", _via_handler), ValueError,
                  lambda: ps.inet_pton(ps.AF_INET, "127.0.0.1")),
    "if_nametoindex": (lambda mp: mp.setattr(_socket, "if_nametoindex", _via_handler),
                       UnicodeError, lambda: ps.if_nametoindex("lo")),
    "CMSG_LEN": (lambda mp: mp.setattr(_socket, "CMSG_LEN", _via_handler), OverflowError,
                 lambda: ps.CMSG_LEN(1)),
    "service digits": (lambda mp: mp.setattr(args_module, "exact", _via_handler), ValueError,
                       lambda: ps.getaddrinfo("127.0.0.1", 80)),
    "resolver's text": (_patch_resolver, stdlib.gaierror,
                        lambda: ps.getaddrinfo("no\0name", "80")),
    "option codec": (lambda mp: mp.setattr(sockopt_module, "_LINGER", _Packer()), TypeError,
                     lambda: ps.setsockopt(-1, ps.SOL_SOCKET, ps.SO_LINGER, 1, 0)),
    "pooled buffer": (_patch_pool, IndexError, _big_recv),
    "new buffer": (_patch_mmap, ValueError, _big_recv),
}


@pytest.mark.parametrize("name", list(CAUGHT))
def test_handler_exception_of_a_caught_class_propagates(
        name: str, monkeypatch: pytest.MonkeyPatch, alarm: Callable[[Handler], None]) -> None:
    """Where posixsock catches ValueError, UnicodeError, OverflowError,
    IndexError, TypeError or gaierror from a stdlib call to give its own
    verdict (EINVAL, ENODEV, EAI_SERVICE, a fallback), the same class
    raised by a signal handler is the caller's: it propagates unchanged."""
    patch, exc_type, call = CAUGHT[name]

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise exc_type(_MESSAGE)

    alarm(handler)
    patch(monkeypatch)
    with pytest.raises(exc_type) as info:
        result = call()
        pytest.fail(f"the handler's {exc_type.__name__} did not propagate; got {result!r}")
    assert str(info.value) == _MESSAGE
    assert errors_module.raised_by_handler(info.value)


# --- item 6: posixsock's own frames, named exactly ------------------------------

@pytest.mark.parametrize("module", ["posixsock_deadlines", "posixsockets"])
def test_handler_in_a_module_named_like_posixsock_propagates(
        module: str, fds: Fds, alarm: Callable[[Handler], None]) -> None:
    """A handler defined in a module whose name merely starts with
    "posixsock" is the caller's code: its TimeoutError propagates (it was an
    EBADF triple for a healthy fd)."""
    namespace = types.ModuleType(module)
    exec(compile(
        "def handler(signum, frame):\n"
        "    raise TimeoutError('deadline passed')\n",
        f"<{module}>", "exec"), namespace.__dict__)
    one, _two = fds.pair()
    alarm(namespace.handler)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    with pytest.raises(TimeoutError, match="deadline passed"):
        result = ps.recv(one, 100)
        pytest.fail(f"the handler's TimeoutError did not propagate; got {result!r}")
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert ps.send(_two, b"x") == 1 and ps.recv(one, 100) == b"x"  # fd intact


# --- limits inherited from CPython (README "Guarantees") --------------------------

def _stdlib_recv(fd: int) -> object:
    sock = stdlib.socket(fileno=os.dup(fd))
    try:
        return sock.recv(100)
    finally:
        sock.close()


@pytest.mark.parametrize("receive", [lambda fd: ps.recv(fd, 100), _stdlib_recv],
                         ids=["posixsock", "stdlib"])
def test_periodic_signal_restarts_rcvtimeo(
        receive: Callable[[int], object], fds: Fds, alarm: Callable[[Handler], None]) -> None:
    """Limit (a): each retry after EINTR is a new recv(2), whose SO_RCVTIMEO
    starts again.  With SO_RCVTIMEO 0.3 s and a signal every 0.03 s, a
    receive on an idle socket is still waiting after 40 signals (1.2 s):
    it did not return EAGAIN at 0.3 s (C would have returned EINTR at the
    first signal).  The 40th signal's handler raises to end the test."""
    one, _two = fds.pair()
    ps.check(ps.setsockopt(one, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 0, 300000))
    hits: List[int] = []

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        hits.append(signum)
        if len(hits) >= 40:
            raise Boom("still waiting after 40 signals")

    alarm(handler)
    signal.setitimer(signal.ITIMER_REAL, 0.03, 0.03)
    with pytest.raises(Boom):
        result = receive(one)
        pytest.fail(f"the receive returned {result!r} after {len(hits)} signals")
    signal.setitimer(signal.ITIMER_REAL, 0)


def _raise_signal_after(c_function: str) -> None:
    """Raise SIGALRM the moment the C method ``c_function`` returns: the
    handler runs before the caller gets the result, as when the signal
    arrives right after the system call succeeded."""
    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "c_return" and getattr(arg, "__name__", "") == c_function:
            sys.setprofile(None)
            signal.raise_signal(signal.SIGALRM)
    sys.setprofile(profile)


def _socket_fds() -> Dict[int, str]:
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found[int(name)] = target
    return found


@pytest.mark.parametrize("api", ["posixsock", "stdlib"])
def test_raising_handler_after_accept_returned_leaks_the_fd(
        api: str, fds: Fds, alarm: Callable[[Handler], None]) -> None:
    """Limit (b): a handler that raises right after accept(2) returned takes
    the result with it; the new descriptor is leaked (nothing can close it
    but the program, which never saw its number).  The stdlib's
    ``socket.accept`` behaves the same."""
    listener, addr = fds.listener()
    client = fds.timeouts(fds.socket(ps.AF_INET, ps.SOCK_STREAM))
    ps.check(ps.connect(client, addr))

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise Boom("right after the call")

    alarm(handler)
    stdsock = stdlib.socket(fileno=os.dup(listener)) if api == "stdlib" else None
    own = stdsock.fileno() if stdsock is not None else -1
    before = _socket_fds()
    try:
        _raise_signal_after("_accept")
        with pytest.raises(Boom):
            if stdsock is not None:
                stdsock.accept()
            else:
                ps.accept(listener)
    finally:
        sys.setprofile(None)
        if stdsock is not None:
            stdsock.close()
    leaked = set(_socket_fds()) - set(before) - {own}
    for fd in leaked:
        fds.track(fd)
    assert len(leaked) == 1, "the accepted descriptor was not leaked"
    peer = ps.check(ps.getpeername(leaked.pop()))
    assert peer == ps.check(ps.getsockname(client))


@pytest.mark.parametrize("api", ["posixsock", "stdlib"])
def test_raising_handler_after_recvfrom_returned_drops_the_bytes(
        api: str, fds: Fds, alarm: Callable[[Handler], None]) -> None:
    """Limit (b): the bytes recvfrom(2) took from the socket are lost with
    the result when the handler raises right after the call; the stdlib's
    ``recvfrom`` gets the same (its caller is interrupted before it can
    keep them)."""
    one, two = fds.pair(ps.SOCK_DGRAM)
    assert ps.send(two, b"data") == 4

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise Boom("right after the call")

    alarm(handler)
    stdsock = stdlib.socket(fileno=os.dup(one)) if api == "stdlib" else None
    try:
        _raise_signal_after("recvfrom")
        with pytest.raises(Boom):
            if stdsock is not None:
                stdsock.recvfrom(100)
            else:
                ps.recvfrom(one, 100)
    finally:
        sys.setprofile(None)
        if stdsock is not None:
            stdsock.close()
    gone = ps.recv(one, 100, stdlib.MSG_DONTWAIT)
    assert isinstance(gone, ps.Error) and gone.errnum == E.EAGAIN, gone


class _Raising:
    """Stands for a lent socket whose first option call ran the SIGALRM
    handler; later calls succeed (as a retry by the checked path would)."""

    def __init__(self) -> None:
        self.calls = 0

    def setsockopt(self, *args: object) -> None:
        self.calls += 1
        if self.calls == 1:
            _via_handler()

    def getsockopt(self, *args: object) -> int:
        self.setsockopt()
        return 0


@pytest.mark.parametrize("exc", [KeyError, TypeError, OverflowError])
@pytest.mark.parametrize("call", ["setsockopt", "getsockopt"])
def test_handler_exception_propagates_from_sockopt_fast_paths(
        call: str, exc: type, fds: Fds, monkeypatch: pytest.MonkeyPatch,
        alarm: Callable[[Handler], None]) -> None:
    """The int-option fast paths catch KeyError (an fd not lent yet),
    TypeError and OverflowError (CPython refusing a level) to take the
    checked path; the same exception from a signal handler is the caller's."""
    from posixsock import _calls
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_KEEPALIVE) == 0  # lent: fast path from now
    monkeypatch.setitem(_calls.plain, fd, _Raising())

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise exc("from the handler")

    alarm(handler)
    with pytest.raises(exc, match="from the handler"):
        if call == "setsockopt":
            result: object = ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_KEEPALIVE, 1)
        else:
            result = ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_KEEPALIVE)
        pytest.fail(f"the handler's {exc.__name__} did not propagate; got {result!r}")
