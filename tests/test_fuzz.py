"""Issue 4.3: hostile input.

Property-based tests over every function's arguments.  The only outcomes
allowed are a success value of the documented type, an Error triple, or
TypeError/ValueError for a programming error -- never OverflowError,
UnicodeError, MemoryError, SystemError, any other exception, or a crash.

Safety of the fuzzing itself: descriptors are drawn only from sockets this
module owns (all O_NONBLOCK, so nothing blocks) plus numbers that cannot be
open (-1, 2**31, 2**70, a closed number); addresses only from loopback or
non-addresses; ports only ours, closed ones or out of range; AF_UNIX paths
only abstract names, paths in a temporary directory or invalid ones; random
host text is always resolved with AI_NUMERICHOST, random service text with
AI_NUMERICSERV and a numeric host: nothing reaches DNS.
"""
from __future__ import annotations

import _socket
import math
import os
import socket as stdlib
import struct
import tracemalloc
from typing import Any, Callable, Dict, Iterator, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import posixsock as ps
from _robust_helpers import (
    LOOP4, LOOP6, close_all, closed_port, ok, tcp_listener, tcp_pair, udp_bound, unused_fd_number,
)

# Full size by default; POSIXSOCK_QUICK=1 (set by .ci/run on every Python but
# the default one) runs fewer examples of the same properties.
EXAMPLES = 100 if os.environ.get("POSIXSOCK_QUICK") else 250
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

FORBIDDEN = (OverflowError, UnicodeError, MemoryError, SystemError)

# --- the sockets fuzzed: owned, non-blocking -----------------------------------


class Pool:
    def __init__(self, tmp: str) -> None:
        self.tmp = tmp
        self.listener, self.listen_addr = tcp_listener(ps.AF_INET)
        self.listener6, self.listen6_addr = tcp_listener(ps.AF_INET6)
        self.c, self.s = tcp_pair()
        self.u4, self.u4_addr = udp_bound(ps.AF_INET)
        self.u6, self.u6_addr = udp_bound(ps.AF_INET6)
        self.ua, self.ub = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
        self.xa, self.xb = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
        self.fds = [self.listener, self.listener6, self.c, self.s, self.u4, self.u6,
                    self.ua, self.ub, self.xa, self.xb]
        for fd in self.fds:
            os.set_blocking(fd, False)
        self.ports = [self.listen_addr["port"], self.listen6_addr["port"], self.u4_addr["port"],
                      self.u6_addr["port"], closed_port(), 0]
        self.closed = unused_fd_number()

    def close(self) -> None:
        off = struct.pack("@ii", 0, 0)  # no lingering close, whatever was set
        for fd in self.fds:
            try:
                sock = _socket.socket(fileno=os.dup(fd))
                try:
                    sock.setsockopt(stdlib.SOL_SOCKET, stdlib.SO_LINGER, off)
                finally:
                    sock.close()
            except OSError:
                pass
        close_all(self.fds)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    p = Pool(str(tmp_path_factory.mktemp("fuzz")))
    yield p
    p.close()


# --- strategies ----------------------------------------------------------------

HUGE = [2**31, 2**32, 2**63, 2**64, 2**70, 2**200, -(2**31) - 1, -(2**64), -(2**200)]
ints = st.one_of(st.integers(), st.sampled_from(HUGE + [-1, 0, 1, 2**31 - 1, -(2**31)]))
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.none(), st.booleans(), ints, floats, st.text(max_size=50),
                    st.binary(max_size=50))
junk = st.one_of(scalars, st.lists(scalars, max_size=3), st.tuples(scalars, scalars),
                st.dictionaries(st.text(max_size=8), scalars, max_size=3))
# junk for positions that must not be a usable descriptor: no bool (True is fd 1)
junk_fd = junk.filter(lambda v: not isinstance(v, int))
text = st.text(max_size=80)


def _not_ip(value: str) -> bool:
    for family in (stdlib.AF_INET, stdlib.AF_INET6):
        try:
            stdlib.inet_pton(family, value)
            return False
        except (OSError, ValueError, UnicodeError):
            pass
    return True


# never a routable address: loopback, or text that is not an address
hosts = st.one_of(st.sampled_from([LOOP4, LOOP6, "", "localhost", "::ffff:127.0.0.1", "127.0.0.2",
                                   "1.2.3.4.5", "fe80::1%lo", "256.0.0.1", "\0", "127.0.0.1\0x",
                                   "\ud800", "::1\udcff"]),
                  text.filter(_not_ip))
MSG = [0x1, 0x2, 0x4, 0x8, 0x20, 0x40, 0x100, 0x2000, 0x4000, 0x8000, 0x40000000]
flag_values = st.one_of(st.lists(st.sampled_from(MSG), max_size=3).map(lambda fs: sum(set(fs))),
                        ints, junk)

FIELDS = ["family", "port", "addr", "flowinfo", "scope_id", "path", "pid", "groups", "ifindex",
          "socktype", "canonname", "protocol"]


def sockaddrs(pool: Pool, malformed_too: bool = True) -> st.SearchStrategy[Any]:
    """Well-formed addresses of every family with hostile values, plus
    malformed ones (wrong types, unknown or missing fields, not a dict)."""
    paths = st.one_of(
        st.sampled_from(["", "\0", "\ud800", "\udcff", "a\0b", "/" + "p" * 200, "\0" + "a" * 108,
                         os.path.join(pool.tmp, "x" * 110)]),
        text.map(lambda t: "\0posixsock-fuzz-" + t),
        st.text(st.characters(blacklist_characters="/."), max_size=40).map(
            lambda t: os.path.join(pool.tmp, "f" + t)))
    port = st.sampled_from(pool.ports + [-1, 65536, 2**16 + 1, 2**70, -(2**70)])
    u32ish = st.one_of(st.integers(min_value=-1, max_value=2**32), ints)
    fam = st.sampled_from([ps.AF_INET, ps.AF_INET6, ps.AF_UNIX, ps.AF_NETLINK, ps.AF_PACKET])
    well_formed = st.one_of(
        st.fixed_dictionaries({"family": st.just(ps.AF_INET), "port": port, "addr": hosts},
                              optional={"socktype": ints, "protocol": ints, "canonname": text}),
        st.fixed_dictionaries({"family": st.just(ps.AF_INET6), "port": port, "addr": hosts},
                              optional={"flowinfo": u32ish, "scope_id": u32ish}),
        st.fixed_dictionaries({"family": st.just(ps.AF_UNIX), "path": paths}),
        st.fixed_dictionaries({"family": st.just(ps.AF_NETLINK), "pid": u32ish, "groups": u32ish}),
        st.fixed_dictionaries({"family": st.just(ps.AF_PACKET), "ifindex": u32ish}))
    field = st.one_of(st.sampled_from(FIELDS), st.text(max_size=6))
    value = st.one_of(port, hosts, paths, ints, junk)
    malformed = st.one_of(
        st.fixed_dictionaries({"family": st.one_of(fam, ints, junk)},
                              optional={name: value for name in FIELDS if name != "family"}),
        st.dictionaries(field, value, max_size=4),
        junk)
    return st.one_of(well_formed, malformed) if malformed_too else well_formed


def fds(pool: Pool, junk_too: bool = True) -> st.SearchStrategy[Any]:
    good = st.sampled_from(pool.fds + [-1, -(2**70), 2**31, 2**31 - 1, 2**70, pool.closed])
    return st.one_of(good, junk_fd) if junk_too else good


def mixed(good: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly well-typed arguments (hostile values), some of any type."""
    return st.one_of(good, good, hostile)


# --- the property ------------------------------------------------------------------


def check(call: Callable[[], Any], success: Callable[[Any], None]) -> str:
    """Run ``call``: a success value (checked, its descriptors closed), an
    Error triple, or TypeError/ValueError -- nothing else."""
    try:
        result = call()
    except FORBIDDEN as exc:
        raise AssertionError(f"forbidden {type(exc).__name__}: {exc!r}") from exc
    except (TypeError, ValueError) as exc:
        assert str(exc), "a programming error must say what is wrong"
        return "raised"
    if type(result) is ps.Error:
        value, message, errnum = result
        assert value is None and isinstance(message, str) and message
        assert isinstance(errnum, int) and errnum != 0
        return "error"
    success(result)
    return "ok"


def is_zero(r: Any) -> None:
    assert r == 0 and type(r) is int, r


def is_addr(r: Any) -> None:
    assert isinstance(r, dict) and isinstance(r["family"], int), r


def new_fd(r: Any) -> None:
    assert type(r) is int and r > 2, r
    os.close(r)


def new_pair(r: Any) -> None:
    assert isinstance(r, tuple) and len(r) == 2, r
    for fd in r:
        new_fd(fd)


def optvalue(r: Any) -> None:
    assert type(r) in (int, str, dict), r


_failed: List[str] = []


@pytest.fixture(autouse=True)
def _report_properties() -> Iterator[None]:
    """A test runs several properties; each runs to its end (a failure in
    one does not hide the others), then the test fails if any failed."""
    _failed.clear()
    yield
    assert not _failed, "\n\n".join(_failed)


def run_property(name: str, strategy: st.SearchStrategy[Any],
                 body: Callable[[Any], str]) -> None:
    outcomes: Dict[str, int] = {}

    @FUZZ
    @given(strategy)
    def prop(args: Any) -> None:
        kind = body(args)
        outcomes[kind] = outcomes.get(kind, 0) + 1

    try:
        prop()
    except Exception as exc:  # reported by _report_properties
        _failed.append(f"property {name}: {type(exc).__name__}: {exc}")
        print(f"\nfuzz {name}: FAILED after {sum(outcomes.values())} examples")
        return
    total = sum(outcomes.values())
    print(f"\nfuzz {name}: {total} examples {outcomes}")
    assert total >= EXAMPLES * 2 // 5


def test_fuzz_socket_and_socketpair() -> None:
    args = st.tuples(st.one_of(st.sampled_from([ps.AF_INET, ps.AF_INET6, ps.AF_UNIX, -1]), ints, junk),
                     st.one_of(st.sampled_from([1, 2, 3, 5, 1 | 2048, -1]), ints, junk),
                     st.one_of(st.sampled_from([0, 6, 17, -1]), ints, junk))
    run_property("socket", args, lambda a: check(lambda: ps.socket(*a), new_fd))
    run_property("socketpair", args, lambda a: check(lambda: ps.socketpair(*a), new_pair))


def test_fuzz_address_calls(pool: Pool) -> None:
    addr, good_addr = sockaddrs(pool), sockaddrs(pool, False)
    f, good_f = fds(pool), fds(pool, False)
    two = mixed(st.tuples(good_f, good_addr), st.tuples(f, addr))
    run_property("connect", two, lambda a: check(lambda: ps.connect(*a), is_zero))
    run_property("bind", two, lambda a: check(lambda: ps.bind(*a), is_zero))
    buffers = st.one_of(st.binary(max_size=2000), junk)
    good_flags = st.lists(st.sampled_from(MSG), max_size=3).map(lambda fs: sum(set(fs)))

    def sent(a: Any) -> Callable[[Any], None]:
        def is_count(r: Any) -> None:
            assert type(r) is int and 0 <= r <= len(a[1]), r
        return is_count

    run_property("sendto", mixed(st.tuples(good_f, st.binary(max_size=2000), good_addr, good_flags),
                                 st.tuples(f, buffers, addr, flag_values)),
                 lambda a: check(lambda: ps.sendto(*a), sent(a)))
    run_property("sendto 3 args", mixed(st.tuples(good_f, st.binary(max_size=2000), good_addr),
                                        st.tuples(f, buffers, addr)),
                 lambda a: check(lambda: ps.sendto(*a), sent(a)))


def test_fuzz_descriptor_calls(pool: Pool) -> None:
    f = fds(pool)
    run_property("listen", st.tuples(f, st.one_of(ints, junk)),
                 lambda a: check(lambda: ps.listen(*a), is_zero))
    run_property("shutdown", st.tuples(f, st.one_of(st.sampled_from([0, 1, 2]), ints, junk)),
                 lambda a: check(lambda: ps.shutdown(*a), is_zero))

    def accepted(r: Any) -> None:
        assert isinstance(r, tuple) and len(r) == 2, r
        new_fd(r[0])
        is_addr(r[1])

    run_property("accept", st.tuples(f), lambda a: check(lambda: ps.accept(*a), accepted))
    run_property("getsockname", st.tuples(f), lambda a: check(lambda: ps.getsockname(*a), is_addr))
    run_property("getpeername", st.tuples(f), lambda a: check(lambda: ps.getpeername(*a), is_addr))


def _feed(pool: Pool) -> None:
    """Queue something to receive on each pool socket."""
    for a, b in ((pool.c, pool.s), (pool.s, pool.c), (pool.ua, pool.ub), (pool.ub, pool.ua),
                 (pool.xa, pool.xb), (pool.xb, pool.xa)):
        ps.send(a, b"z" * 100, stdlib.MSG_DONTWAIT)
    for fd, addr in ((pool.u4, pool.u4_addr), (pool.u6, pool.u6_addr)):
        ps.sendto(fd, b"u" * 100, addr, stdlib.MSG_DONTWAIT)


def test_fuzz_receive_and_send(pool: Pool) -> None:
    f = fds(pool)
    counts = st.one_of(st.sampled_from([0, 1, 100, 2**18 + 1, 2**40, 2**64, 2**70, 2**200, -1]),
                       st.integers(min_value=0, max_value=2**20), ints, junk)

    def received(a: Any) -> Callable[[Any], None]:
        def is_data(r: Any) -> None:
            data = r[0] if isinstance(r, tuple) else r
            assert type(data) is bytes, r
            assert len(data) <= a[1], f"asked for at most {a[1]} bytes, got {len(data)}"
            if isinstance(r, tuple):
                is_addr(r[1])
        return is_data

    def recv_body(call: Callable[..., Any]) -> Callable[[Any], str]:
        def body(a: Any) -> str:
            _feed(pool)
            return check(lambda: call(*a), received(a))
        return body

    good = st.tuples(fds(pool, False), st.one_of(st.integers(0, 2**20), st.sampled_from(HUGE[:6])),
                     st.lists(st.sampled_from(MSG), max_size=3).map(lambda fs: sum(set(fs))))
    run_property("recv", mixed(good, st.tuples(f, counts, flag_values)), recv_body(ps.recv))
    run_property("recv 2 args", mixed(good.map(lambda a: a[:2]), st.tuples(f, counts)),
                 recv_body(ps.recv))
    run_property("recvfrom", mixed(good, st.tuples(f, counts, flag_values)), recv_body(ps.recvfrom))

    buffers = st.one_of(st.binary(max_size=3000), st.binary(max_size=10).map(bytearray),
                        st.binary(max_size=10).map(memoryview), junk)

    def send_body(a: Any) -> str:
        def is_count(r: Any) -> None:
            assert type(r) is int and 0 <= r <= len(a[1]), r
        result = check(lambda: ps.send(*a), is_count)
        for fd in pool.fds:  # keep the buffers from filling up; bounded, as
            for _ in range(64):  # a stream shut down by an earlier example gives b"" for ever
                got = ps.recv(fd, 65536, stdlib.MSG_DONTWAIT)
                if not isinstance(got, bytes) or not got:
                    break
        return result

    run_property("send", mixed(st.tuples(fds(pool, False), st.binary(max_size=3000),
                                         st.sampled_from([0, 0x40, 0x4000, 0x8000])),
                               st.tuples(f, buffers, flag_values)), send_body)


OPTS = [(ps.SOL_SOCKET, o) for o in (ps.SO_LINGER, ps.SO_RCVTIMEO, ps.SO_SNDTIMEO, ps.SO_BINDTODEVICE,
                                     ps.SO_REUSEADDR, ps.SO_RCVBUF, ps.SO_TYPE, ps.SO_ERROR,
                                     ps.SO_KEEPALIVE, ps.SO_BROADCAST, ps.SO_RCVLOWAT)] + [
    (ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP), (ps.IPPROTO_IPV6, ps.IPV6_LEAVE_GROUP),
    (ps.IPPROTO_IPV6, ps.IPV6_V6ONLY), (ps.IPPROTO_IPV6, ps.IPV6_UNICAST_HOPS),
    (ps.IPPROTO_TCP, ps.TCP_NODELAY), (ps.IPPROTO_IP, 1)]


def test_fuzz_socket_options(pool: Pool) -> None:
    f = fds(pool)
    level_name = st.one_of(st.sampled_from(OPTS), st.tuples(st.one_of(ints, junk), st.one_of(ints, junk)))
    values = st.one_of(ints, text, st.sampled_from(["lo", "", "\ud800", "x" * 100, "ff02::1", "::1",
                                                     "a\0b"]), junk)
    good = st.tuples(fds(pool, False), st.sampled_from(OPTS),
                     st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from(["lo", "ff02::1", "\ud800"])),
                     st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)))
    run_property(
        "setsockopt", mixed(good, st.tuples(f, level_name, values, st.one_of(st.none(), values))),
        lambda a: check(lambda: ps.setsockopt(a[0], *a[1], a[2], a[3]), is_zero))
    run_property(
        "setsockopt 4 args", st.tuples(f, level_name, values),
        lambda a: check(lambda: ps.setsockopt(a[0], *a[1], a[2]), is_zero))
    run_property("getsockopt", st.tuples(f, level_name),
                 lambda a: check(lambda: ps.getsockopt(a[0], *a[1]), optvalue))


def test_fuzz_if_nametoindex() -> None:
    names = st.one_of(text, st.sampled_from(["lo", "", "\0", "lo\0", "\ud800", "x" * 10_000]), junk)

    def index(r: Any) -> None:
        assert type(r) is int and r > 0, r

    run_property("if_nametoindex", names, lambda n: check(lambda: ps.if_nametoindex(n), index))


# --- getaddrinfo: no name ever reaches DNS ------------------------------------------

def addrinfo(r: Any) -> None:
    assert isinstance(r, list), r
    for entry in r:
        is_addr(entry)
        assert type(entry["socktype"]) is int and type(entry["protocol"]) is int


NUMERIC = ps.AI_NUMERICHOST | ps.AI_NUMERICSERV
hostile = st.one_of(text, st.text(min_size=1000, max_size=10_000),
                    st.lists(st.text(st.characters(min_codepoint=33), min_size=60, max_size=70),
                             min_size=1, max_size=4).map(".".join),
                    st.sampled_from(["a\0b", "\0", "\ud800", "x\udfff", "l" * 64 + ".example",
                                     "a" * 10_000, ".", "..", " ", "1.2.3.4.5"]))
services = st.one_of(st.none(), ints, text, st.sampled_from(["80", "65536", "-1", "0x50", "8\0",
                                                             "\udcff", "9" * 5000, "http"]))


def test_fuzz_getaddrinfo_hostile_names() -> None:
    """Random host text, always AI_NUMERICHOST (plus random other flags)."""
    args = st.tuples(hostile, services, st.one_of(ints, st.sampled_from([0, ps.AI_CANONNAME,
                                                                          ps.AI_PASSIVE])))

    def body(a: Any) -> str:
        host, service, extra = a
        flags = extra | NUMERIC if isinstance(extra, int) else NUMERIC
        return check(lambda: ps.getaddrinfo(host, service, {"flags": flags}), addrinfo)

    run_property("getaddrinfo hostile names", args, body)


def test_fuzz_getaddrinfo_hints() -> None:
    """Random hints (fields, values, types) with numeric or no host and
    numeric service: whatever the flags, the resolver has nothing to look up."""
    hint_value = st.one_of(ints, st.sampled_from([0, 1, 2, 10, 17, NUMERIC, ps.AI_CANONNAME, -1]), junk)
    hints = st.one_of(
        st.none(),
        st.dictionaries(st.sampled_from(["family", "socktype", "protocol", "flags"]), hint_value),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(["flags"])), hint_value,
                        max_size=3),
        junk)
    args = st.tuples(st.sampled_from([LOOP4, LOOP6, "0.0.0.0", "::", None]),
                     st.one_of(st.none(), st.integers(min_value=-1, max_value=70000),
                               st.sampled_from(["0", "80", "65535", "99999"])), hints)
    run_property("getaddrinfo hints", args,
                 lambda a: check(lambda: ps.getaddrinfo(*a), addrinfo))


def test_fuzz_getaddrinfo_argument_types() -> None:
    """Non-text hosts and services raise before anything is resolved."""
    host = st.one_of(junk.filter(lambda v: v is not None and not isinstance(v, str)))
    args = st.tuples(host, st.one_of(services, junk), st.just({"flags": NUMERIC}))

    def raises(a: Any) -> str:
        kind = check(lambda: ps.getaddrinfo(*a), addrinfo)
        assert kind == "raised", a
        return kind

    run_property("getaddrinfo argument types", args, raises)


HOSTILE_HOSTS = ["a\0b", "\0", "127.0.0.1\0", "\ud800", "x\udfff", "l" * 64 + ".example",
                 "a" * 10_000, "a." * 200, "", " ", "1.2.3.4.5", "::1::", "fe80::1%nosuchif"]


@pytest.mark.parametrize("host", HOSTILE_HOSTS, ids=range(len(HOSTILE_HOSTS)))
def test_hostile_host_gives_eai_noname(host: str) -> None:
    r = ps.getaddrinfo(host, "80", {"flags": ps.AI_NUMERICHOST})
    assert isinstance(r, ps.Error) and r.errnum == stdlib.EAI_NONAME, r
    assert r.message and r.value is None


@pytest.mark.parametrize("service", ["8\0", "\udcff", "\ud800", "x" * 10_000, "-", "http\0",
                                     "65536x"])
def test_hostile_service_gives_eai_triple(service: str) -> None:
    r = ps.getaddrinfo(LOOP4, service, {"flags": NUMERIC})
    assert isinstance(r, ps.Error) and r.errnum in (stdlib.EAI_SERVICE, stdlib.EAI_NONAME), r


def test_uncodable_names_never_reach_the_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Host/service text that cannot be a C string is refused before the
    resolver is called -- even without hints."""
    for warm in (ps.getaddrinfo("\0", "1"), ps.getaddrinfo(LOOP4, "\0")):
        assert isinstance(warm, ps.Error)  # learn the gai_strerror texts first

    def trap(*args: object) -> None:
        raise AssertionError(f"resolver called with {args}")

    monkeypatch.setattr(_socket, "getaddrinfo", trap)
    for host in ("a\0b", "\0", "\ud800", "ok\udfff"):
        r = ps.getaddrinfo(host, "80")
        assert isinstance(r, ps.Error) and r.errnum == stdlib.EAI_NONAME, r
    for service in ("8\0", "\ud800"):
        r = ps.getaddrinfo(LOOP4, service)
        assert isinstance(r, ps.Error) and r.errnum == stdlib.EAI_SERVICE, r


# --- enormous receive counts -----------------------------------------------------------

def _peak(call: Callable[[], Any]) -> "tuple[Any, int]":
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize("size", [0, 1, 100, 65536, 65537, 262144, 262145, 300000])
@pytest.mark.parametrize("count", [2**40, 2**64, 2**100])
@pytest.mark.parametrize("how", ["recv", "recvfrom"])
def test_enormous_count_returns_whole_datagram(size: int, count: int, how: str) -> None:
    a, b = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    try:
        ok(ps.setsockopt(a, ps.SOL_SOCKET, ps.SO_SNDBUF, 4 * size + 65536))
        ok(ps.setsockopt(b, ps.SOL_SOCKET, ps.SO_RCVBUF, 4 * size + 65536))
        ok(ps.setsockopt(b, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
        payload = os.urandom(size)
        assert ok(ps.send(a, payload)) == size
        assert ok(ps.send(a, b"next")) == 4
        call = ps.recv if how == "recv" else ps.recvfrom
        got, peak = _peak(lambda: call(b, count))
        data = got if how == "recv" else got[0]
        assert data == payload  # the whole datagram, and only it
        assert peak < 4 * size + 1024 * 1024, f"peak {peak} bytes for a {size}-byte datagram"
        nxt = call(b, count)
        assert (nxt if how == "recv" else nxt[0]) == b"next"
        # nothing left: a blocking receive with a huge count times out, no raise
        ok(ps.setsockopt(b, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 0, 20000))
        empty, peak = _peak(lambda: call(b, count))
        assert isinstance(empty, ps.Error) and empty.errnum == 11, empty
        assert peak < 1024 * 1024
    finally:
        close_all([a, b])


def test_enormous_count_udp_and_stream() -> None:
    u, addr = udp_bound(ps.AF_INET)
    c, s = tcp_pair()
    try:
        payload = os.urandom(65507)  # the largest IPv4 UDP datagram
        assert ok(ps.sendto(u, payload, addr)) == len(payload)
        got, peak = _peak(lambda: ps.recvfrom(u, 2**70))
        assert got == (payload, addr)
        assert peak < 4 * len(payload) + 1024 * 1024

        stream = os.urandom(500_000)
        sent = 0
        while sent < len(stream):
            sent += ok(ps.send(c, stream[sent:sent + 65536]))
        ok(ps.shutdown(c, ps.SHUT_WR))
        peak_max = 0
        received = b""
        for _ in range(10_000):
            chunk, peak = _peak(lambda: ps.recv(s, 2**64))
            peak_max = max(peak_max, peak)
            assert isinstance(chunk, bytes), chunk
            if not chunk:
                break
            received += chunk
        assert received == stream
        assert peak_max < 4 * len(stream) + 1024 * 1024
    finally:
        close_all([u, c, s])


@pytest.mark.parametrize("count", [10, 2**20])
def test_recv_never_returns_more_than_count(count: int) -> None:
    """MSG_TRUNC makes recv(2) return the datagram's real length; the bytes
    returned must still be at most ``count`` (and never unwritten memory)."""
    a, b = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    try:
        payload = bytes(range(100)) * 40  # 4000 bytes
        for call in (ps.recv, ps.recvfrom):
            ok(ps.send(a, payload))
            got = call(b, count, stdlib.MSG_TRUNC)
            data = got if call is ps.recv else got[0]
            assert isinstance(data, bytes), got
            assert data == payload[:count], f"{call.__name__}: {len(data)} bytes for count {count}"
    finally:
        close_all([a, b])


# --- text that cannot be encoded, in every text argument ------------------------------

@pytest.mark.parametrize("path", ["\ud800", "/tmp/x\udfff", "\0\ud800"])
@pytest.mark.parametrize("call", ["bind", "connect", "sendto"])
def test_unencodable_unix_path_is_not_unicode_error(path: str, call: str) -> None:
    fd = ok(ps.socket(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    addr = {"family": ps.AF_UNIX, "path": path}
    thunks = {"bind": lambda: ps.bind(fd, addr), "connect": lambda: ps.connect(fd, addr),
              "sendto": lambda: ps.sendto(fd, b"x", addr)}
    try:
        kind = check(thunks[call], is_zero)
        assert kind in ("error", "raised")
    finally:
        os.close(fd)


@pytest.mark.parametrize("name", ["\ud800", "lo\udfff"])
def test_unencodable_device_name_is_not_unicode_error(name: str) -> None:
    fd = ok(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    try:
        kind = check(lambda: ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, name), is_zero)
        assert kind in ("error", "raised")
        assert check(lambda: ps.if_nametoindex(name), is_zero) == "error"
    finally:
        os.close(fd)


def test_non_contiguous_buffer_is_a_type_error() -> None:
    a, b = ok(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    try:
        strided = memoryview(b"abcdef")[::2]
        for call in (lambda: ps.send(a, strided),
                     lambda: ps.sendto(a, strided, {"family": ps.AF_UNIX, "path": "\0nobody"})):
            with pytest.raises(TypeError):
                call()
    finally:
        close_all([a, b])


def test_floats_and_nan_are_type_errors() -> None:
    fd = ok(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    try:
        for value in (1.0, math.nan, math.inf):
            with pytest.raises(TypeError):
                ps.listen(fd, value)  # type: ignore[arg-type]
            with pytest.raises(TypeError):
                ps.recv(fd, value)  # type: ignore[arg-type]
            with pytest.raises(TypeError):
                ps.bind(fd, {"family": ps.AF_INET, "addr": LOOP4, "port": value})
    finally:
        os.close(fd)
