"""The benchmark's floor (bench/floor.py) is honest: on every call a workload
of bench/run.py makes, it returns exactly what posixsock returns -- the same
values, types, dict keys in the same order -- so posixsock/floor compares
like with like.  (No timing here: the benchmark reports speed.)
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, List, Tuple

import pytest

import posixsock as ps
from conftest import Fds, loopback

_spec = importlib.util.spec_from_file_location(
    "posixsock_bench_floor", Path(__file__).resolve().parent.parent / "bench" / "floor.py")
assert _spec is not None and _spec.loader is not None
floor: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(floor)


def exact(value: object) -> object:
    """``value`` with every type and every dict's key order made visible."""
    if isinstance(value, dict):
        return ("dict", [(k, exact(v)) for k, v in value.items()])
    if isinstance(value, (tuple, list)):  # an Error triple compares as its tuple
        return ("seq", [exact(v) for v in value])
    return (type(value).__name__, value)


def same(mine: object, theirs: object) -> None:
    assert exact(mine) == exact(theirs), (mine, theirs)


def both(call: Callable[[Any], object]) -> Tuple[object, object]:
    """``call`` with posixsock, then with the floor."""
    return call(ps), call(floor)


def test_pingpong_send_recv(fds: Fds) -> None:
    a, b = fds.pair()
    for m in (ps, floor):
        same(m.send(a, b"x"), 1)
        same(m.recv(b, 1), b"x")
    same(floor.send(a, memoryview(b"abc")), ps.send(a, b"abc"))
    same(floor.recv(b, 64), b"abcabc")


@pytest.mark.parametrize("family", [ps.AF_INET, ps.AF_INET6])
def test_udp_sendto_recvfrom(fds: Fds, family: int) -> None:
    a, where_a = fds.bound(ps.SOCK_DGRAM, loopback(family))
    b, where_b = fds.bound(ps.SOCK_DGRAM, loopback(family))
    for m in (ps, floor):
        same(m.sendto(a, b"x", where_b), 1)
        same(m.recvfrom(b, 64), (b"x", where_a))
    assert list(where_a) == (["family", "port", "addr"] if family == ps.AF_INET else
                             ["family", "port", "addr", "flowinfo", "scope_id"])


def test_unix_datagram_sources(fds: Fds, unix_dir: str, abstract_name: Callable[[], str]) -> None:
    path = os.path.join(unix_dir, "b")
    b, _where = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": path})
    named, _where = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": abstract_name()})
    unnamed = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    for sender in (named, unnamed):
        for m in (ps, floor):
            m.sendto(sender, b"y", {"family": ps.AF_UNIX, "path": path})
        same(floor.recvfrom(b, 64), ps.recvfrom(b, 64))
    for fd in (b, named, unnamed):
        same(floor.getsockname(fd), ps.getsockname(fd))


@pytest.mark.parametrize("family", [ps.AF_INET, ps.AF_INET6])
def test_getsockname(fds: Fds, family: int) -> None:
    fd, where = fds.bound(ps.SOCK_DGRAM, loopback(family))
    same(floor.getsockname(fd), where)
    same(floor.getsockname(fd), ps.getsockname(fd))


def test_stream_recvfrom_has_no_source(fds: Fds) -> None:
    a, b = fds.pair()
    ps.send(a, b"zz")
    mine = ps.recvfrom(b, 1)
    same(mine, (b"z", {"family": ps.AF_UNSPEC}))
    same(floor.recvfrom(b, 1), mine)


def test_bulk_64k(fds: Fds) -> None:
    a, b = fds.pair()
    for fd in (a, b):
        for opt in (ps.SO_SNDBUF, ps.SO_RCVBUF):
            ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, opt, 1 << 20))
    payload = bytes(range(256)) * 256
    for m in (ps, floor):
        same(m.send(a, payload), len(payload))
        got = b""
        while len(got) < len(payload):
            got += m.recv(b, len(payload) - len(got))
        assert got == payload


def test_tcp_socket_connect_accept(fds: Fds) -> None:
    server, where = fds.listener()
    for m in (ps, floor):
        client = fds.track(m.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
        assert type(client) is int
        assert os.get_blocking(client) and not os.get_inheritable(client)
        same(m.connect(client, where), 0)
        conn, peer = m.accept(server)
        fds.track(conn)
        assert type(conn) is int and os.get_blocking(conn) and not os.get_inheritable(conn)
        same(peer, ps.getsockname(client))
        same(ps.getpeername(conn), ps.getsockname(client))
    nonblocking = fds.track(floor.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    assert not os.get_blocking(nonblocking)


@pytest.mark.parametrize("host, service, hints", [
    ("127.0.0.1", "80", {"flags": ps.AI_NUMERICHOST | ps.AI_NUMERICSERV}),
    ("::1", 443, {"flags": ps.AI_NUMERICHOST, "socktype": ps.SOCK_STREAM}),
    ("127.0.0.1", None, None),
    ("127.0.0.1", "7", {"family": ps.AF_INET, "flags": ps.AI_CANONNAME | ps.AI_NUMERICHOST}),
])
def test_getaddrinfo(host: str, service: object, hints: object) -> None:
    same(floor.getaddrinfo(host, service, hints), ps.getaddrinfo(host, service, hints))  # type: ignore[arg-type]


def test_getaddrinfo_failure() -> None:
    hints = {"flags": ps.AI_NUMERICHOST}
    same(floor.getaddrinfo("not numeric", "80", hints), ps.getaddrinfo("not numeric", "80", hints))  # type: ignore[arg-type]


def test_sockopt(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    for value in (1, 0, 1):
        same(floor.setsockopt(fd, ps.IPPROTO_TCP, ps.TCP_NODELAY, value),
             ps.setsockopt(fd, ps.IPPROTO_TCP, ps.TCP_NODELAY, value))
        same(floor.getsockopt(fd, ps.IPPROTO_TCP, ps.TCP_NODELAY),
             ps.getsockopt(fd, ps.IPPROTO_TCP, ps.TCP_NODELAY))
    # the options with a struct value take the same arguments and give the same dicts
    for level, name, one, two in [(ps.SOL_SOCKET, ps.SO_RCVTIMEO, 3, 0),
                                  (ps.SOL_SOCKET, ps.SO_SNDTIMEO, 2, 0),
                                  (ps.SOL_SOCKET, ps.SO_LINGER, 1, 7)]:
        same(floor.setsockopt(fd, level, name, one, two), 0)
        got = ps.getsockopt(fd, level, name)
        assert isinstance(got, dict) and list(got.values()) == [one, two]
        same(floor.getsockopt(fd, level, name), got)
        same(ps.setsockopt(fd, level, name, 0, 0), 0)
        same(floor.getsockopt(fd, level, name), ps.getsockopt(fd, level, name))


def test_errors_are_the_same_triples(fds: Fds) -> None:
    a, _b = fds.pair()
    unbound = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    closed_fd = os.open(os.devnull, os.O_RDONLY)
    os.close(closed_fd)
    cases: List[Callable[[Any], object]] = [
        lambda m: m.send(closed_fd, b"x"),
        lambda m: m.recv(closed_fd, 1),
        lambda m: m.recvfrom(closed_fd, 1),
        lambda m: m.getsockname(closed_fd),
        lambda m: m.getsockopt(closed_fd, ps.IPPROTO_TCP, ps.TCP_NODELAY),
        lambda m: m.setsockopt(closed_fd, ps.IPPROTO_TCP, ps.TCP_NODELAY, 1),
        lambda m: m.sendto(closed_fd, b"x", loopback(ps.AF_INET, 9)),
        lambda m: m.connect(unbound, loopback(ps.AF_INET, 1)),  # nothing listens on port 1
        lambda m: m.accept(a),
        lambda m: m.getsockopt(a, ps.IPPROTO_TCP, ps.TCP_NODELAY),
        lambda m: m.socket(ps.AF_INET, ps.SOCK_STREAM, 12345),
    ]
    for case in cases:
        mine, theirs = both(case)
        assert isinstance(mine, ps.Error), mine
        same(theirs, mine)


def test_benchmark_runs_with_the_floor_column() -> None:
    """bench/run.py itself still runs against this package (one short
    workload; figures are not judged here)."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, str(root / "bench" / "run.py"), "--quick", "--json",
                          "--no-lua", "--workload", "getsockname"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    result = json.loads(out)["workloads"]["getsockname"]
    assert result["posixsock"] > 0 and result["floor"] > 0 and result["stdlib"] > 0
    assert set(result["ratios"]) == {"floor", "stdlib", "luaposix"}
    assert [goal["against"] for goal in result["goals"]] == ["floor", "luaposix"]
    memory = json.loads(out)["memory"]  # per-socket bytes, posixsock's cache and the stdlib's
    assert set(memory["posixsock"]) == {"live", "after close", "after more"}
    assert set(memory["stdlib"]) == {"live", "after close"}
    assert memory["posixsock"]["live"] > 0 and memory["stdlib"]["live"] > 0
