"""Shared helpers for the robustness tests (fd safety, leaks, fuzz, soak,
signals): descriptor flags, descriptor tables, owned loopback sockets."""
from __future__ import annotations

import fcntl
import os
import resource
import select
import signal
import socket as stdlib
import threading
from types import FrameType
from typing import Callable, Dict, Iterator, List, Optional, Tuple, TypeVar, Union

import posixsock as ps

T = TypeVar("T")

LOOP4 = "127.0.0.1"
LOOP6 = "::1"
TIMEOUT_S = 10  # SO_RCVTIMEO/SO_SNDTIMEO on every blocking descriptor


def ok(result: Union[T, ps.Error]) -> T:
    """The success value of a posixsock call (fail the test otherwise)."""
    assert not isinstance(result, ps.Error), result
    return result  # type: ignore[return-value]


def flags(fd: int) -> Tuple[bool, bool]:
    """(O_NONBLOCK, FD_CLOEXEC) of ``fd``, read with fcntl."""
    status = fcntl.fcntl(fd, fcntl.F_GETFL)
    fdflags = fcntl.fcntl(fd, fcntl.F_GETFD)
    return bool(status & os.O_NONBLOCK), bool(fdflags & fcntl.FD_CLOEXEC)


def set_flags(fd: int, nonblock: bool, cloexec: bool) -> None:
    os.set_blocking(fd, not nonblock)
    os.set_inheritable(fd, not cloexec)
    assert flags(fd) == (nonblock, cloexec)


def identity(fd: int) -> Tuple[int, int]:
    """What ``fd`` refers to (device, inode): proves it is still the same open
    descriptor, not closed (EBADF) and not reused by something else."""
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def fd_table() -> Dict[int, str]:
    """This process's descriptors and what each one refers to."""
    table = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            table[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the listing's own directory descriptor, now closed
            pass
    return table


def timeouts(fd: int, seconds: int = TIMEOUT_S) -> None:
    """Bound every blocking call on ``fd``."""
    ok(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, seconds, 0))
    ok(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO, seconds, 0))


def tcp_listener(family: int = ps.AF_INET, backlog: int = 128) -> Tuple[int, ps.SockAddr]:
    fd = ok(ps.socket(family, ps.SOCK_STREAM, 0))
    ok(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1))
    host = LOOP4 if family == ps.AF_INET else LOOP6
    ok(ps.bind(fd, {"family": family, "addr": host, "port": 0}))
    ok(ps.listen(fd, backlog))
    timeouts(fd)
    return fd, ok(ps.getsockname(fd))


def tcp_pair(family: int = ps.AF_INET) -> Tuple[int, int]:
    """A connected loopback TCP pair (client, server side), both bounded."""
    lfd, addr = tcp_listener(family, 1)
    try:
        cfd = ok(ps.socket(family, ps.SOCK_STREAM, 0))
        timeouts(cfd)
        ok(ps.connect(cfd, addr))
        sfd, _peer = ok(ps.accept(lfd))
        timeouts(sfd)
    finally:
        os.close(lfd)
    return cfd, sfd


def udp_bound(family: int = ps.AF_INET) -> Tuple[int, ps.SockAddr]:
    fd = ok(ps.socket(family, ps.SOCK_DGRAM, 0))
    host = LOOP4 if family == ps.AF_INET else LOOP6
    ok(ps.bind(fd, {"family": family, "addr": host, "port": 0}))
    timeouts(fd)
    return fd, ok(ps.getsockname(fd))


def closed_port() -> int:
    """A loopback TCP port nobody listens on (bound, then closed)."""
    fd = ok(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    ok(ps.bind(fd, {"family": ps.AF_INET, "addr": LOOP4, "port": 0}))
    port: int = ok(ps.getsockname(fd))["port"]
    os.close(fd)
    return port


def unused_fd_number() -> int:
    """A descriptor number that is closed and that nothing will be given
    while the tests run (far above the lowest free number)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    number = min(soft, 4096) - 7
    try:
        os.fstat(number)
    except OSError:
        return number
    raise AssertionError(f"fd {number} is open: pick another closed number")


def close_all(fds: List[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def drain(fd: int) -> Iterator[bytes]:
    """Read whatever is queued on a socket without blocking."""
    while True:
        data = ps.recv(fd, 65536, stdlib.MSG_DONTWAIT)
        if not isinstance(data, bytes) or not data:
            return
        yield data


# --- every function, on success and on its error paths ----------------------

class Kit:
    """The descriptors one round of ``every_call`` works on, all owned by the
    test, all with the given O_NONBLOCK/FD_CLOEXEC flags."""

    def __init__(self, nonblock: bool, cloexec: bool, tmpdir: str) -> None:
        self.tmpdir = tmpdir
        self.listener, self.listen_addr = tcp_listener()
        # accept with nothing pending: EAGAIN after 50 ms when blocking
        ok(ps.setsockopt(self.listener, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 0, 50000))
        self.client, self.server = tcp_pair()
        self.udp4, self.udp4_addr = udp_bound(ps.AF_INET)
        self.udp6, self.udp6_addr = udp_bound(ps.AF_INET6)
        self.ua, self.ub = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
        self.xa, self.xb = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
        ok(ps.shutdown(self.xa, ps.SHUT_WR))  # send on xa: EPIPE
        for fd in (self.ua, self.ub, self.xa, self.xb):
            timeouts(fd)
        self.file = os.open(os.devnull, os.O_RDONLY)
        self.closed = unused_fd_number()
        self.owned = [self.listener, self.client, self.server, self.udp4, self.udp6,
                      self.ua, self.ub, self.xa, self.xb, self.file]
        for fd in self.owned:
            set_flags(fd, nonblock, cloexec)
        self.expected = {fd: (identity(fd), (nonblock, cloexec)) for fd in self.owned}

    def check(self, label: str) -> None:
        """Every owned descriptor is open, the same one, flags unchanged."""
        for fd, (ident, want) in self.expected.items():
            assert identity(fd) == ident, f"{label}: fd {fd} was closed or replaced"
            assert flags(fd) == want, f"{label}: fd {fd} flags {flags(fd)} != {want}"

    def close(self) -> None:
        close_all(self.owned)


def new_fd(fd: int, nonblock: bool = False) -> int:
    """A descriptor posixsock made: close-on-exec, blocking unless asked."""
    assert flags(fd) == (nonblock, True), f"new fd {fd} flags {flags(fd)}"
    os.close(fd)
    return 0


Expect = Union[str, Tuple[int, ...], type]
Call = Tuple[str, "Callable[[], object]", Expect]


def every_call(k: Kit) -> List[Call]:
    """(label, thunk, expected outcome) for every function of posixsock, on
    success and on error paths; each call returns at once or within 50 ms.

    Expected: "ok" (a success value), a tuple of allowed errnos (an Error
    triple), or an exception class (programming error).
    """
    import errno as E

    in4 = {"family": ps.AF_INET, "addr": LOOP4, "port": closed_port()}
    any4 = {"family": ps.AF_INET, "addr": LOOP4, "port": 0}
    any6 = {"family": ps.AF_INET6, "addr": LOOP6, "port": 0}
    unix_long = {"family": ps.AF_UNIX, "path": k.tmpdir + "/" + "x" * 200}
    unix_path = os.path.join(k.tmpdir, "s")
    huge = 2**70
    bad_fds = (-1, 2**31, huge, k.closed)
    DONTWAIT = stdlib.MSG_DONTWAIT

    def fresh(domain: int, kind: int) -> int:
        return ok(ps.socket(domain, kind, 0))

    def pending() -> None:
        poller = select.poll()
        poller.register(k.listener, select.POLLIN)
        assert poller.poll(5000), "connection never became acceptable"

    def connect_ok() -> object:
        fd = fresh(ps.AF_INET, ps.SOCK_STREAM)
        try:
            result = ps.connect(fd, k.listen_addr)
            pending()
            os.close(ok(ps.accept(k.listener))[0])  # leave the queue empty
            return result
        finally:
            os.close(fd)

    def connect_refused() -> object:
        fd = fresh(ps.AF_INET, ps.SOCK_STREAM)
        try:
            return ps.connect(fd, in4)
        finally:
            os.close(fd)

    def bind_ok(addr: ps.SockAddr, domain: int, kind: int) -> "Callable[[], object]":
        def run() -> object:
            fd = fresh(domain, kind)
            try:
                return ps.bind(fd, addr)
            finally:
                os.close(fd)
        return run

    def bind_unix() -> object:
        fd = fresh(ps.AF_UNIX, ps.SOCK_DGRAM)
        try:
            if os.path.exists(unix_path):
                os.unlink(unix_path)
            return ps.bind(fd, {"family": ps.AF_UNIX, "path": unix_path})
        finally:
            os.close(fd)

    def accept_ok() -> object:
        fd = fresh(ps.AF_INET, ps.SOCK_STREAM)
        try:
            ok(ps.connect(fd, k.listen_addr))
            pending()
            conn, peer = ok(ps.accept(k.listener))
            assert peer == ok(ps.getsockname(fd))
            return new_fd(conn)
        finally:
            os.close(fd)

    def exchange(recv: "Callable[[int], object]", size: int = 5) -> "Callable[[], object]":
        def run() -> object:
            assert ok(ps.send(k.server, b"x" * size)) == size
            got = recv(k.client)
            data = got[0] if isinstance(got, tuple) else got
            assert data == b"x" * size, got
            return got
        return run

    def dgram(recv: "Callable[[int], object]", size: int) -> "Callable[[], object]":
        def run() -> object:
            assert ok(ps.send(k.ua, b"d" * size)) == size
            got = recv(k.ub)
            data = got[0] if isinstance(got, tuple) else got
            assert data == b"d" * size, got
            return got
        return run

    def sendto_ok() -> object:
        n = ps.sendto(k.udp6, b"ping", k.udp6_addr)
        got = ok(ps.recvfrom(k.udp6, 100))
        assert got == (b"ping", k.udp6_addr)
        return n

    def shutdown_ok() -> object:
        a, b = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
        try:
            return ps.shutdown(a, ps.SHUT_RDWR)
        finally:
            close_all([a, b])

    calls: List[Call] = [
        ("socket", lambda: new_fd(ok(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))), "ok"),
        ("socket nonblock", lambda: new_fd(ok(ps.socket(  # (a plain socket without it: macOS)
            ps.AF_INET6, ps.SOCK_DGRAM | getattr(stdlib, "SOCK_NONBLOCK", 0), 0)),
            hasattr(stdlib, "SOCK_NONBLOCK")), "ok"),
        ("socket unix", lambda: new_fd(ok(ps.socket(ps.AF_UNIX, ps.SOCK_STREAM, 0))), "ok"),
        ("socket EAFNOSUPPORT", lambda: ps.socket(12345, ps.SOCK_STREAM, 0), (E.EAFNOSUPPORT,)),
        ("socket -1", lambda: ps.socket(-1, -1, -1), (E.EAFNOSUPPORT, E.EINVAL)),
        ("socket bad type", lambda: ps.socket(ps.AF_INET, 12345, 0), (E.EINVAL, E.EPROTONOSUPPORT, E.ESOCKTNOSUPPORT)),
        ("socket TypeError", lambda: ps.socket("2", 1, 0), TypeError),
        ("socket ValueError", lambda: ps.socket(huge, 1, 0), ValueError),
        ("socketpair", lambda: [new_fd(fd) for fd in ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))], "ok"),
        ("socketpair EOPNOTSUPP", lambda: ps.socketpair(ps.AF_INET, ps.SOCK_STREAM, 0), (E.EOPNOTSUPP, E.EAFNOSUPPORT)),
        ("getaddrinfo", lambda: ps.getaddrinfo(LOOP4, 80, {"flags": ps.AI_NUMERICHOST}), "ok"),
        ("getaddrinfo EAI", lambda: ps.getaddrinfo("not numeric", "80", {"flags": ps.AI_NUMERICHOST}),
         (stdlib.EAI_NONAME,)),
        ("getaddrinfo NUL", lambda: ps.getaddrinfo("a\0b", None, {"flags": ps.AI_NUMERICHOST}),
         (stdlib.EAI_NONAME,)),
        ("getaddrinfo service", lambda: ps.getaddrinfo(LOOP4, "www", {"flags": ps.AI_NUMERICHOST | ps.AI_NUMERICSERV}),
         (stdlib.EAI_NONAME, stdlib.EAI_SERVICE)),
        ("getaddrinfo TypeError", lambda: ps.getaddrinfo(b"127.0.0.1", 80), TypeError),
        ("connect", connect_ok, "ok"),
        ("connect refused", connect_refused, (E.ECONNREFUSED,)),
        ("connect EISCONN", lambda: ps.connect(k.client, k.listen_addr), (E.EISCONN,)),
        ("connect EINVAL addr", lambda: ps.connect(k.client, {"family": ps.AF_INET, "addr": "localhost", "port": 1}),
         (E.EINVAL,)),
        ("connect unix ENOENT", lambda: ps.connect(k.ua, {"family": ps.AF_UNIX, "path": k.tmpdir + "/none"}),
         (E.ENOENT, E.EISCONN, E.ECONNREFUSED)),
        ("connect TypeError", lambda: ps.connect(k.client, {"family": ps.AF_INET}), TypeError),
        ("connect ValueError", lambda: ps.connect(k.client, {"family": -1}), ValueError),
        ("bind", bind_ok(any4, ps.AF_INET, ps.SOCK_DGRAM), "ok"),
        ("bind6", bind_ok(any6, ps.AF_INET6, ps.SOCK_STREAM), "ok"),
        ("bind unix", bind_unix, "ok"),
        ("bind twice", lambda: ps.bind(k.udp4, any4), (E.EINVAL,)),
        ("bind wrong family", lambda: ps.bind(k.udp6, any4), (E.EINVAL, E.EAFNOSUPPORT)),
        ("bind EADDRINUSE", bind_ok(k.udp4_addr, ps.AF_INET, ps.SOCK_DGRAM), (E.EADDRINUSE,)),
        ("bind ENAMETOOLONG", lambda: ps.bind(k.ua, unix_long), (E.ENAMETOOLONG,)),
        ("bind bad port", lambda: ps.bind(k.udp4, {"family": ps.AF_INET, "addr": LOOP4, "port": 70000}), (E.EINVAL,)),
        ("listen", lambda: ps.listen(k.listener, 64), "ok"),
        ("listen negative", lambda: ps.listen(k.listener, -5), "ok"),
        ("listen EOPNOTSUPP", lambda: ps.listen(k.udp4, 1), (E.EOPNOTSUPP,)),
        ("listen ValueError", lambda: ps.listen(k.listener, huge), ValueError),
        ("accept", accept_ok, "ok"),
        ("accept EAGAIN", lambda: ps.accept(k.listener), (E.EAGAIN,)),
        ("accept EINVAL", lambda: ps.accept(k.client), (E.EINVAL,)),
        ("accept EOPNOTSUPP", lambda: ps.accept(k.udp4), (E.EOPNOTSUPP,)),
        ("recv", exchange(lambda fd: ps.recv(fd, 100)), "ok"),
        ("recv huge", exchange(lambda fd: ps.recv(fd, huge)), "ok"),
        ("recv dgram huge", dgram(lambda fd: ps.recv(fd, 2**40), 3000), "ok"),
        ("recv EAGAIN", lambda: ps.recv(k.client, 100, DONTWAIT), (E.EAGAIN,)),
        ("recv huge EAGAIN", lambda: ps.recv(k.client, huge, DONTWAIT), (E.EAGAIN,)),
        ("recv ENOTCONN", lambda: ps.recv(k.listener, 10), (E.ENOTCONN, E.EINVAL)),
        ("recv ValueError", lambda: ps.recv(k.client, -1), ValueError),
        ("recv TypeError", lambda: ps.recv(k.client, 1.5), TypeError),
        ("recvfrom", exchange(lambda fd: ps.recvfrom(fd, 100)), "ok"),
        ("recvfrom dgram", dgram(lambda fd: ps.recvfrom(fd, 100), 7), "ok"),
        ("recvfrom dgram huge", dgram(lambda fd: ps.recvfrom(fd, huge), 300), "ok"),
        ("recvfrom EAGAIN", lambda: ps.recvfrom(k.udp4, 100, DONTWAIT), (E.EAGAIN,)),
        ("recvfrom huge EAGAIN", lambda: ps.recvfrom(k.udp4, huge, DONTWAIT), (E.EAGAIN,)),
        ("recvfrom TypeError", lambda: ps.recvfrom(k.client, None), TypeError),
        ("send", lambda: ps.send(k.client, b""), "ok"),
        ("send EPIPE", lambda: ps.send(k.xa, b"x"), (E.EPIPE,)),
        ("send ENOTCONN", lambda: ps.send(k.udp4, b"x"), (E.EDESTADDRREQ, E.ENOTCONN)),
        ("send TypeError", lambda: ps.send(k.client, "text"), TypeError),
        ("send ValueError", lambda: ps.send(k.client, b"x", huge), ValueError),
        ("sendto", sendto_ok, "ok"),
        ("sendto EINVAL addr", lambda: ps.sendto(k.udp4, b"x", {"family": ps.AF_INET, "addr": "", "port": 9}),
         (E.EINVAL,)),
        ("sendto EPIPE", lambda: ps.sendto(k.xa, b"x", {"family": ps.AF_UNIX, "path": ""}),
         (E.EPIPE, E.EISCONN, E.EOPNOTSUPP)),
        ("sendto TypeError", lambda: ps.sendto(k.udp4, b"x", None), TypeError),
        ("shutdown", shutdown_ok, "ok"),
        ("shutdown ENOTCONN", lambda: ps.shutdown(k.udp4, ps.SHUT_RDWR), (E.ENOTCONN,)),
        ("shutdown EINVAL", lambda: ps.shutdown(k.client, 99), (E.EINVAL,)),
        ("setsockopt", lambda: ps.setsockopt(k.client, ps.SOL_SOCKET, ps.SO_KEEPALIVE, 1), "ok"),
        ("setsockopt timeval", lambda: ps.setsockopt(k.udp4, ps.SOL_SOCKET, ps.SO_RCVTIMEO, TIMEOUT_S, 0), "ok"),
        ("setsockopt linger", lambda: ps.setsockopt(k.ua, ps.SOL_SOCKET, ps.SO_LINGER, 0, 0), "ok"),
        ("setsockopt ENOPROTOOPT", lambda: ps.setsockopt(k.client, ps.SOL_SOCKET, 12345, 1), (E.ENOPROTOOPT,)),
        ("setsockopt ENODEV", lambda: ps.setsockopt(k.udp4, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "nosuchif0"),
         (E.ENODEV,)),
        ("setsockopt TypeError", lambda: ps.setsockopt(k.client, ps.SOL_SOCKET, ps.SO_LINGER, 1), TypeError),
        ("getsockopt", lambda: ps.getsockopt(k.client, ps.SOL_SOCKET, ps.SO_TYPE), "ok"),
        ("getsockopt timeval", lambda: ps.getsockopt(k.udp4, ps.SOL_SOCKET, ps.SO_RCVTIMEO), "ok"),
        ("getsockopt ENOPROTOOPT", lambda: ps.getsockopt(k.client, ps.SOL_SOCKET, 12345), (E.ENOPROTOOPT,)),
        ("getsockopt ValueError", lambda: ps.getsockopt(k.client, huge, 1), ValueError),
        ("getsockname", lambda: ps.getsockname(k.udp6), "ok"),
        ("getpeername", lambda: ps.getpeername(k.client), "ok"),
        ("getpeername ENOTCONN", lambda: ps.getpeername(k.udp4), (E.ENOTCONN,)),
        ("if_nametoindex", lambda: ps.if_nametoindex("lo"), "ok"),
        ("if_nametoindex ENODEV", lambda: ps.if_nametoindex("nosuchif0"), (E.ENODEV,)),
        ("if_nametoindex TypeError", lambda: ps.if_nametoindex(1), TypeError),
    ]
    if ps.SO_BINDTODEVICE is None:  # Linux's: not in the simulated macOS/FreeBSD runs
        calls = [call for call in calls if call[0] != "setsockopt ENODEV"]
    # every function taking a descriptor, on numbers that are not sockets
    per_fd: List[Tuple[str, "Callable[[int], object]"]] = [
        ("connect", lambda fd: ps.connect(fd, any4)),
        ("bind", lambda fd: ps.bind(fd, any6)),
        ("listen", lambda fd: ps.listen(fd, 1)),
        ("accept", lambda fd: ps.accept(fd)),
        ("recv", lambda fd: ps.recv(fd, 10)),
        ("recv huge", lambda fd: ps.recv(fd, huge)),
        ("recvfrom", lambda fd: ps.recvfrom(fd, 10)),
        ("send", lambda fd: ps.send(fd, b"x")),
        ("sendto", lambda fd: ps.sendto(fd, b"x", any4)),
        ("shutdown", lambda fd: ps.shutdown(fd, ps.SHUT_RD)),
        ("setsockopt", lambda fd: ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_KEEPALIVE, 1)),
        ("getsockopt", lambda fd: ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE)),
        ("getsockname", lambda fd: ps.getsockname(fd)),
        ("getpeername", lambda fd: ps.getpeername(fd)),
    ]
    for name, call in per_fd:
        calls.append((f"{name} ENOTSOCK", (lambda c=call: c(k.file)), (E.ENOTSOCK,)))
        for bad in bad_fds:
            calls.append((f"{name} EBADF {bad}", (lambda c=call, b=bad: c(b)), (E.EBADF,)))
    return calls


def outcome(thunk: "Callable[[], object]") -> Expect:
    """What a call did: "ok", (errnum,), or the exception class."""
    try:
        result = thunk()
    except (TypeError, ValueError) as exc:
        return type(exc)
    if isinstance(result, ps.Error):
        return (result.errnum,)
    return "ok"


def matches(got: Expect, want: Expect) -> bool:
    if isinstance(want, tuple):
        return isinstance(got, tuple) and got[0] in want
    if isinstance(want, type):
        return isinstance(got, type) and issubclass(got, want)
    return got == want


def run_every_call(k: Kit) -> int:
    """Run ``every_call`` on ``k``, checking outcome and descriptors after
    each call; returns the number of calls made."""
    calls = every_call(k)
    for label, thunk, want in calls:
        got = outcome(thunk)
        assert matches(got, want), f"{label}: got {got}, expected {want}"
        k.check(label)
    return len(calls)


# --- signals --------------------------------------------------------------------

Handler = Callable[[int, Optional[FrameType]], None]


def helper(target: Callable[[], None]) -> threading.Thread:
    """A thread that never receives SIGALRM (so it goes to the main thread)."""
    def run() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        target()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread
