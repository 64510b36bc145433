"""Issue 16, reliability round 3: hostile tables and sequences, a handler
at every point, the last descriptor slot, a cache that forgets, and two
limits inherited from CPython, pinned.

Interleavings are scheduled, not hoped for: a profile hook raises a signal
at the n-th call the code under test makes, for every n in turn, so the
handler runs at each point of the call once.
"""
from __future__ import annotations

import errno as E
import os
import shutil
import signal
import socket as stdlib
import subprocess
import sys
import textwrap
import warnings
from array import array
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

import pytest

import posixsock as ps
from posixsock import _fd
from _privileges import bindtodevice_denied, has, packet_denied
from conftest import Fds, loopback, open_fds

ROOT = Path(__file__).resolve().parent.parent


def identity(fd: int) -> Tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


# --- 1, 2: a dict subclass is read as the table it holds ---------------------------

def test_dict_subclass_as_an_ancillary_item_is_its_table(fds: Fds) -> None:
    """A Cmsg subclass whose get("data") names another descriptor: the
    descriptor sent is the one its table holds."""
    a, b = fds.pair()
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    for fd in (r1, w1, r2, w2):
        fds.track(fd)

    class C(dict):  # type: ignore[type-arg]
        def get(self, key: Any, default: Any = None) -> Any:
            if key == "data":
                return array("i", [r2]).tobytes()
            return super().get(key, default)

        def __iter__(self) -> Iterator[Any]:  # hides a field name
            return iter(["level", "type"])

        def __len__(self) -> int:
            return 2**70

    item = C(level=ps.SOL_SOCKET, type=ps.SCM_RIGHTS, data=array("i", [r1]).tobytes())
    assert ps.sendmsg(a, [b"x"], [item]) == 1
    data, got, _flags, _source = ps.check(ps.recv_fds(b, 10, 1))
    fds.track(got[0])
    assert data == b"x" and identity(got[0]) == identity(r1) != identity(r2)
    # and a field the table holds is checked, whatever __iter__ says
    with pytest.raises(ValueError, match="invalid field name 'bogus'"):
        ps.sendmsg(a, [b"x"], [C(level=1, type=1, data=b"", bogus=1)])


def test_dict_subclass_as_hints_is_its_table() -> None:
    """Hints whose get("family") says AF_INET6 where the table holds AF_INET
    give what the plain dict gives."""
    class H(dict):  # type: ignore[type-arg]
        def get(self, key: Any, default: Any = None) -> Any:
            return ps.AF_INET6 if key == "family" else super().get(key, default)

        def __iter__(self) -> Iterator[Any]:
            return iter([])

        def __contains__(self, key: object) -> bool:
            return False

    plain = ps.getaddrinfo("127.0.0.1", "80", {"family": ps.AF_INET})
    assert not isinstance(plain, ps.Error) and plain
    assert ps.getaddrinfo("127.0.0.1", "80", H(family=ps.AF_INET)) == plain  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid field name 'bogus'"):
        ps.getaddrinfo("127.0.0.1", "80", H(family=ps.AF_INET, bogus=1))  # type: ignore[arg-type]


# --- 3: an object with only __index__ is an int, everywhere ----------------------

class Idx:
    """An integer that is no int (as numpy's integers are): only __index__."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


class NoIdx:
    def __int__(self) -> int:  # int() works, operator.index does not
        return 1


@pytest.mark.parametrize("cached", [False, True], ids=["new fd", "cached fd"])
def test_index_objects_are_ints_whatever_the_cache_holds(fds: Fds, cached: bool) -> None:
    """As a level, an option value or a hint: the same answer on a
    descriptor posixsock has used (the fast path) and on one it has not."""
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    fds.track(fd)
    _fd.plain.pop(fd, None)
    if cached:
        assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE) == ps.SOCK_STREAM
    else:
        assert fd not in _fd.plain
    assert ps.setsockopt(fd, Idx(ps.SOL_SOCKET), ps.SO_KEEPALIVE, Idx(1)) == 0  # type: ignore[call-overload]
    assert ps.getsockopt(fd, Idx(ps.SOL_SOCKET), ps.SO_KEEPALIVE) == 1  # type: ignore[call-overload]
    _fd.plain.pop(fd, None)
    assert ps.getsockopt(fd, Idx(ps.SOL_SOCKET), Idx(ps.SO_TYPE)) == ps.SOCK_STREAM  # type: ignore[call-overload]
    if not cached:
        _fd.plain.pop(fd, None)
    if sys.version_info >= (3, 10):
        with pytest.raises(TypeError, match=r"bad argument #2 to 'getsockopt' \(int expected, got NoIdx\)"):
            ps.getsockopt(fd, NoIdx(), ps.SO_TYPE)  # type: ignore[call-overload]
    else:  # CPython 3.9's converters take __int__ (deprecated), on every path alike
        with pytest.warns(DeprecationWarning):
            assert ps.getsockopt(fd, NoIdx(), ps.SO_KEEPALIVE) == 1  # type: ignore[call-overload]


def test_index_objects_are_ints_in_every_call(fds: Fds) -> None:
    """Arguments, fields of an address, hint values, Cmsg fields, fds."""
    hints = {"family": Idx(ps.AF_INET), "socktype": Idx(ps.SOCK_DGRAM)}
    assert ps.getaddrinfo("127.0.0.1", Idx(80), hints) == ps.getaddrinfo(  # type: ignore[arg-type]
        "127.0.0.1", 80, {"family": ps.AF_INET, "socktype": ps.SOCK_DGRAM})
    hint = ps.getaddrinfo("127.0.0.1", "9", {"family": Idx(ps.AF_INET)})  # type: ignore[typeddict-item]
    assert not isinstance(hint, ps.Error) and hint
    fd = fds.track(ps.check(ps.socket(Idx(ps.AF_INET), Idx(ps.SOCK_DGRAM), Idx(0))))  # type: ignore[arg-type]
    addr = {"family": Idx(ps.AF_INET), "port": Idx(0), "addr": "127.0.0.1"}
    assert ps.bind(Idx(fd), addr) == 0  # type: ignore[arg-type]
    where = ps.check(ps.getsockname(Idx(fd)))  # type: ignore[arg-type]
    assert ps.sendto(fd, b"one", where, Idx(0)) == 3  # type: ignore[arg-type]
    assert ps.recv(fd, Idx(10), Idx(0)) == b"one"  # type: ignore[arg-type]
    a, b = fds.pair()
    r, w = os.pipe()
    fds.track(r)
    fds.track(w)
    cmsg = {"level": Idx(ps.SOL_SOCKET), "type": Idx(ps.SCM_RIGHTS), "data": array("i", [r]).tobytes()}
    assert ps.sendmsg(Idx(a), [b"x"], [cmsg], Idx(0)) == 1  # type: ignore[arg-type, list-item]
    assert ps.send_fds(Idx(a), b"y", [Idx(w)]) == 1  # type: ignore[arg-type, list-item]
    for _ in range(2):
        _data, got, _flags, _src = ps.check(ps.recv_fds(Idx(b), Idx(1), Idx(1)))  # type: ignore[arg-type]
        assert len(got) == 1
        fds.track(got[0])
    assert ps.shutdown(Idx(a), Idx(ps.SHUT_RD)) == 0  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int expected for item 1, got float"):
        ps.send_fds(a, b"z", [1.0])  # type: ignore[list-item]


def test_index_that_raises_is_its_own_exception(fds: Fds) -> None:
    """An __index__ that raises is the object's own code: its exception
    propagates unchanged (TypeError included, never reworded)."""
    class Raising:
        def __index__(self) -> int:
            raise TypeError("mine")

    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    with pytest.raises(TypeError, match="^mine$"):
        ps.getsockopt(fd, Raising(), ps.SO_TYPE)  # type: ignore[call-overload]


def test_index_answering_otherwise_the_second_time_is_no_overflow_error() -> None:
    """A hint whose __index__ is out of range when CPython asks and in range
    when posixsock checks: no OverflowError, the values posixsock read."""
    class Fickle:
        calls = 0

        def __index__(self) -> int:
            Fickle.calls += 1
            return 2**40 if Fickle.calls == 1 else ps.AF_INET

    got = ps.getaddrinfo("127.0.0.1", "80", {"family": Fickle()})  # type: ignore[typeddict-item]
    assert not isinstance(got, ps.Error) and {e["family"] for e in got} == {ps.AF_INET}


# --- 4: a sequence whose __len__ lies --------------------------------------------------

class LyingList(list):  # type: ignore[type-arg]
    size = 2**70

    def __len__(self) -> int:
        return self.size


class LyingTuple(tuple):  # type: ignore[type-arg]
    def __len__(self) -> int:
        return 2**70


class LyingIterable:
    def __init__(self, items: List[Any]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return 2**62

    def __length_hint__(self) -> int:
        return 2**70


@pytest.mark.parametrize("size", [2**70, 2**62, -1])
def test_sequence_whose_len_lies_is_read_as_its_items(fds: Fds, size: int) -> None:
    """buffers, ancillary items, fds: the items held, as the stdlib reads
    them (never OverflowError, MemoryError or ValueError from a __len__)."""
    a, b = fds.pair()
    LyingList.size = size
    assert ps.sendmsg(a, LyingList([b"x"])) == 1
    assert ps.sendmsg(a, LyingTuple([b"y", b"z"])) == 2  # type: ignore[arg-type]
    assert ps.sendmsg(a, LyingIterable([b"w"])) == 1  # type: ignore[arg-type]
    assert ps.recv(b, 10) == b"xyzw"
    r, w = os.pipe()
    fds.track(r)
    fds.track(w)
    cmsg = {"level": ps.SOL_SOCKET, "type": ps.SCM_RIGHTS, "data": array("i", [r]).tobytes()}
    assert ps.sendmsg(a, [b"1"], LyingList([cmsg])) == 1
    assert ps.send_fds(a, b"2", LyingList([w])) == 1
    assert ps.send_fds(a, b"3", LyingIterable([w])) == 1  # type: ignore[arg-type]
    for _ in range(3):
        _data, got, _flags, _src = ps.check(ps.recv_fds(b, 1, 1))
        assert len(got) == 1
        fds.track(got[0])


# --- a handler at every point -----------------------------------------------------

class Boom(Exception):
    """Raised by the signal handler."""


def at_every_point(call: Callable[[], object], exc: Callable[[], BaseException],
                   limit: int = 400) -> Iterator[Tuple[int, Optional[BaseException], object]]:
    """Run ``call`` again and again, the n-th time with SIGUSR1 raised at the
    n-th function (Python or C) it calls, and a handler that raises
    ``exc()``: yields (n, what was raised or None, what was returned), until
    a run ends before its n-th call.  (What was raised comes without its
    traceback, which would keep the call's frames and their objects.)"""
    saved = signal.getsignal(signal.SIGUSR1)
    # Forget what earlier tests left cached: a lend that finds a table past
    # its limit sweeps it, one fcntl per cached number -- after 1000 sockets
    # (test_aio's echo) more points than ``limit`` in the call under test.
    _fd.sweep()

    def handler(signum: int, frame: Optional[FrameType]) -> None:
        raise exc()

    signal.signal(signal.SIGUSR1, handler)
    try:
        for n in range(1, limit):
            seen = [0]

            def profile(frame: FrameType, event: str, arg: Any) -> None:
                if event == "call" or (event == "c_call" and arg is not sys.setprofile):
                    seen[0] += 1
                    if seen[0] == n:
                        sys.setprofile(None)
                        signal.raise_signal(signal.SIGUSR1)  # the handler runs here

            raised: Optional[BaseException] = None
            result: object = None
            sys.setprofile(profile)
            try:
                result = call()
            except BaseException as caught:  # noqa: B902 - what the handler raised, or not
                raised = caught.with_traceback(None)
                raised.__context__ = None
            finally:
                sys.setprofile(None)
            if seen[0] < n:  # the call ended first: every point was visited
                assert raised is None, raised
                return
            yield n, raised, result
        raise AssertionError(f"more than {limit} calls")
    finally:
        signal.signal(signal.SIGUSR1, saved)


# --- 5: a handler raising while socket/socketpair takes the new descriptor ----------

@pytest.mark.parametrize("make", [
    lambda: ps.socket(ps.AF_UNIX, ps.SOCK_STREAM, 0),
    pytest.param(lambda: ps.socket(ps.AF_INET, ps.SOCK_DGRAM | stdlib.SOCK_NONBLOCK, 0),
                 marks=has("SOCK_NONBLOCK")),
    lambda: ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0),
], ids=["socket", "socket nonblock", "socketpair"])
def test_handler_raising_while_the_new_fd_is_taken_leaks_nothing(
        make: Callable[[], object]) -> None:
    """At every point of socket() and socketpair() (get_blocking and
    set_blocking included) a handler that raises leaves no descriptor
    open: until the very end a socket object owns it, and closes it."""
    before = open_fds()
    points = 0
    with warnings.catch_warnings():
        # socketpair's objects are closed by CPython's finalizer, which warns
        warnings.simplefilter("ignore", ResourceWarning)
        for n, raised, result in at_every_point(make, lambda: Boom("handler")):
            if raised is None:  # the handler ran after the last call: a result
                for fd in (result if isinstance(result, tuple) else (result,)):
                    os.close(fd)  # type: ignore[arg-type]
                continue
            assert isinstance(raised, Boom), raised
            points += 1
            leaked = open_fds() - before
            assert not leaked, f"a handler raising at call {n} leaked {sorted(leaked)}"
    assert points >= 3


# --- 6: a handler's UnicodeError while a path or a name is encoded --------------------

def _encoding_calls(fds: Fds, unix_dir: str) -> Tuple[Dict[str, Callable[[], object]], int]:
    dgram = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    stream = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
    nowhere: ps.SockAddr = {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "none")}
    count = iter(range(10**6))

    def bind() -> object:
        fd = ps.check(ps.socket(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
        try:
            return ps.bind(fd, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, f"b{next(count)}")})
        finally:
            os.close(fd)

    calls: Dict[str, Callable[[], object]] = {
        "bind": bind,
        "connect": lambda: ps.connect(stream, nowhere),
        "sendto": lambda: ps.sendto(dgram, b"x", nowhere),
        "sendmsg": lambda: ps.sendmsg(dgram, [b"x"], [], 0, nowhere),
    }
    if bindtodevice_denied() is None:
        udp = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
        calls["SO_BINDTODEVICE"] = lambda: ps.setsockopt(udp, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "lo")
    return calls, stream


@pytest.mark.parametrize("name", ["bind", "connect", "sendto", "sendmsg", "SO_BINDTODEVICE"])
def test_handler_unicode_error_while_encoding_propagates(
        name: str, fds: Fds, unix_dir: str) -> None:
    """posixsock turns a UnicodeError from encoding a path or an interface
    name into EINVAL/ENODEV; a handler's own UnicodeError, at any point of
    the call (os.fsencode's included), reaches the caller unchanged."""
    calls, stream = _encoding_calls(fds, unix_dir)
    if name not in calls:
        pytest.skip(str(bindtodevice_denied()))
    points = 0
    for n, raised, result in at_every_point(calls[name], lambda: UnicodeError("mine")):
        assert type(raised) is UnicodeError and str(raised) == "mine", \
            f"handler at call {n}: got {raised!r}, returned {result!r}"
        points += 1
    assert points >= 3
    # and a path C cannot be given is still the triple, a name no interface has
    lone: ps.SockAddr = {"family": ps.AF_UNIX, "path": "\ud800"}
    assert ps.connect(stream, lone) == ps.Error(
        None, "not a valid IPv4 or IPv6 address argument: " + os.strerror(E.EINVAL), E.EINVAL)
    if ps.SO_BINDTODEVICE is not None:  # Linux's
        assert ps.setsockopt(stream, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "\ud800") == ps.Error(
            None, "setsockopt: " + os.strerror(E.ENODEV), E.ENODEV)


# --- 7: AF_PACKET with no descriptor slot free ----------------------------------------

_AT_THE_LIMIT = textwrap.dedent("""
    import json, os, resource, socket
    import posixsock as ps
    lo = ps.check(ps.if_nametoindex("lo"))
    p = ps.check(ps.socket(ps.AF_PACKET, ps.SOCK_RAW, 0))
    q = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    top = max(int(n) for n in os.listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (top + 1, hard))
    filled = []
    while True:  # fill every hole below the limit
        try:
            filled.append(os.open(os.devnull, os.O_RDONLY))
        except OSError:
            break
    out = {
        "bind": ps.bind(p, {"family": ps.AF_PACKET, "ifindex": lo}),
        "getsockname": ps.getsockname(p),
        "stdlib": q.bind(("lo", 0)) or q.getsockname()[0],
        "socket": ps.socket(ps.AF_UNIX, ps.SOCK_DGRAM, 0),
    }
    print(json.dumps({"lo": lo, **out}, default=bytes.hex))  # haddr: bytes
""")


def test_packet_address_at_the_descriptor_limit() -> None:
    """With no descriptor slot free, a packet socket binds to lo and reports
    lo's index, as in C: the index<->name conversions are ioctls on the
    socket itself, not the C library's calls that open a socket."""
    denied = packet_denied()
    if denied:
        pytest.skip(denied)
    out = subprocess.run([sys.executable, "-c", _AT_THE_LIMIT], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    import json
    got = json.loads(out)
    assert got["stdlib"] == "lo"  # what the stdlib does there
    assert got["bind"] == 0
    assert got["getsockname"] == {"family": ps.AF_PACKET, "ifindex": got["lo"], "protocol": 0,
                                  "pkttype": 0, "hatype": 772, "haddr": "000000000000"}
    assert got["socket"] == [None, os.strerror(E.EMFILE), E.EMFILE]  # the limit is real


def test_packet_address_ioctls_on_a_number_that_is_no_socket(fds: Fds) -> None:
    """The SIOCGIFNAME ioctl meets a closed number (EBADF) or a cached number
    that is a file now (ENOTTY): the triples C's bind gives."""
    denied = packet_denied()
    if denied:
        pytest.skip(denied)
    lo = ps.check(ps.if_nametoindex("lo"))
    fd = ps.check(ps.socket(ps.AF_PACKET, ps.SOCK_RAW, 0))
    assert ps.bind(fd, {"family": ps.AF_PACKET, "ifindex": lo}) == 0  # now cached
    os.close(fd)
    where = {"family": ps.AF_PACKET, "ifindex": lo}
    assert ps.bind(fd, where) == ps.Error(None, "bind: " + os.strerror(E.EBADF), E.EBADF)  # type: ignore[arg-type]
    r, w = os.pipe()
    try:
        if r != fd:
            os.dup2(r, fd)
        assert ps.bind(fd, where) == ps.Error(None, "bind: " + os.strerror(E.ENOTSOCK), E.ENOTSOCK)  # type: ignore[arg-type]
    finally:
        for n in {r, w, fd}:
            os.close(n)
    packet = fds.socket(ps.AF_PACKET, ps.SOCK_RAW)
    for index in (2**31 - 1, 2**31, 0):
        assert ps.bind(packet, {"family": ps.AF_PACKET, "ifindex": index}).errnum == E.ENODEV  # type: ignore[union-attr]


# --- 8: the per-fd cache forgets closed numbers ---------------------------------------

def cached() -> Set[int]:
    return {fd for table in list(_fd.by_family.values()) for fd in table}


def test_cache_forgets_closed_numbers_and_stays_proportional(fds: Fds) -> None:
    """600 sockets used through posixsock in two families (plain and
    AF_INET objects), then closed with os.close: once the program goes on
    making descriptors, no closed number stays cached, and while they are
    open no table holds more than twice as many entries as are open (plus a
    small constant).  Dropping the objects closes nothing."""
    keep = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.getsockname(keep) and keep in _fd.plain
    kept = identity(keep)
    made = []
    try:
        for _ in range(600):
            fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
            made.append(fd)
            assert ps.bind(fd, loopback(ps.AF_INET)) == 0
            ps.check(ps.getsockname(fd))
        live = len(open_fds())
        for table in list(_fd.by_family.values()):
            assert len(table) <= max(_fd._LEAST, 2 * live) + 1, len(table)
    finally:
        for fd in made:
            os.close(fd)
    gone = set(made) - open_fds()
    assert gone & cached()  # still cached: nothing was made since
    for _ in range(2 * max(_fd._EVERY, 4 * 600) + 10):  # bounded: the sweep comes sooner
        os.close(ps.check(ps.socket(ps.AF_UNIX, ps.SOCK_DGRAM, 0)))
        if not (gone - open_fds()) & cached():
            break
    stale = (gone - open_fds()) & cached()
    assert not stale, f"{len(stale)} closed numbers still cached"
    assert identity(keep) == kept and keep in _fd.plain  # open numbers stay
    assert ps.getsockname(keep)


def test_sweep_drops_only_closed_numbers_and_closes_nothing(
        fds: Fds, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fd, "_LEAST", 0)  # sweep even a small cache
    one, two = fds.pair()
    ps.check(ps.getsockname(one))
    ps.check(ps.getsockname(two))
    closed = ps.check(ps.socket(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    ps.check(ps.getsockname(closed))
    os.close(closed)
    before = identity(one), identity(two)
    _fd.sweep()
    assert one in _fd.plain and two in _fd.plain and closed not in cached()
    assert (identity(one), identity(two)) == before
    assert ps.send(one, b"x") == 1 and ps.recv(two, 1) == b"x"


# --- inherited from CPython: a name that is not UTF-8 from the resolver ---------------

_NON_UTF8_NAME = textwrap.dedent("""
    import socket
    import posixsock as ps
    def outcome(call):
        try:
            return repr(call())
        except Exception as exc:
            return type(exc).__name__
    print(outcome(lambda: ps.getaddrinfo("psk-alias", None, {"family": ps.AF_INET, "flags": ps.AI_CANONNAME})))
    print(outcome(lambda: socket.getaddrinfo("psk-alias", None, socket.AF_INET, 0, 0, socket.AI_CANONNAME)))
    print(outcome(lambda: ps.getnameinfo({"family": ps.AF_INET, "addr": "127.0.0.77", "port": 0})))
    print(outcome(lambda: socket.getnameinfo(("127.0.0.77", 0), 0)))
    print(outcome(lambda: ps.getaddrinfo("psk-alias", None, {"family": ps.AF_INET})))
""")


def test_non_utf8_name_from_the_resolver_raises_as_in_the_stdlib(tmp_path: Path) -> None:
    """CPython-inherited (README): a canonical name (AI_CANONNAME) or a host
    name (getnameinfo) that is not UTF-8 -- here from /etc/hosts, in a mount
    namespace of its own -- raises UnicodeDecodeError, in posixsock as in
    the stdlib; without AI_CANONNAME the lookup succeeds."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare(1)")
    hosts = tmp_path / "hosts"
    hosts.write_bytes(b"127.0.0.1 localhost\n127.0.0.77 caf\xe9-psk psk-alias\n")
    script = tmp_path / "lookup.py"
    script.write_text(_NON_UTF8_NAME)
    shell = 'mount --bind "$1" /etc/hosts && exec "$2" "$3"'
    probe = subprocess.run([unshare, "--mount", "sh", "-c", shell, "sh", str(hosts), "true", ""],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:  # not root, or no mount namespaces (CI has both)
        pytest.skip(f"no private mount namespace here: {probe.stderr.strip()}")
    run = subprocess.run([unshare, "--mount", "sh", "-c", shell, "sh",
                          str(hosts), sys.executable, str(script)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:4] == ["UnicodeDecodeError"] * 4, lines
    assert "127.0.0.77" in lines[4]
