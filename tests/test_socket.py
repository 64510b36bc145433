"""socket, socketpair, listen, accept, shutdown: success shapes, error
triples, descriptor flags."""
from __future__ import annotations

import os
import socket as stdlib_socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

import posixsock as ps
from _privileges import has, linux_only
from conftest import Fds, loopback

SOCK_NONBLOCK = getattr(stdlib_socket, "SOCK_NONBLOCK", None)  # not on macOS
needs_nonblock = has("SOCK_NONBLOCK")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def default_timeout() -> Iterator[None]:
    """socket.setdefaulttimeout(0.5) for the test, restored after."""
    saved = stdlib_socket.getdefaulttimeout()
    stdlib_socket.setdefaulttimeout(0.5)
    try:
        yield
    finally:
        stdlib_socket.setdefaulttimeout(saved)


@pytest.mark.parametrize("family, socktype", [
    (ps.AF_INET, ps.SOCK_STREAM), (ps.AF_INET, ps.SOCK_DGRAM),
    (ps.AF_INET6, ps.SOCK_STREAM), (ps.AF_INET6, ps.SOCK_DGRAM),
    (ps.AF_UNIX, ps.SOCK_STREAM), (ps.AF_UNIX, ps.SOCK_DGRAM),
    pytest.param(ps.AF_NETLINK, ps.SOCK_RAW, marks=linux_only("AF_NETLINK")),
])
def test_socket_returns_a_blocking_cloexec_int(fds: Fds, family: int, socktype: int) -> None:
    fd = fds.track(ps.check(ps.socket(family, socktype, 0)))
    assert type(fd) is int and fd >= 0
    assert os.get_blocking(fd)
    assert not os.get_inheritable(fd)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE) == socktype


@needs_nonblock
def test_socket_nonblock_flag(fds: Fds) -> None:
    fd = fds.track(ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | SOCK_NONBLOCK, 0)))
    assert not os.get_blocking(fd)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE) == ps.SOCK_STREAM


@pytest.mark.parametrize("args, triple", [
    ((-1, ps.SOCK_STREAM, 0), (None, "Address family not supported by protocol", 97)),
    ((12345, ps.SOCK_STREAM, 0), (None, "Address family not supported by protocol", 97)),
    ((ps.AF_INET, -1, 0), (None, "Invalid argument", 22)),
    ((ps.AF_INET, ps.SOCK_STREAM, -1), (None, "Invalid argument", 22)),
])
def test_socket_errors_have_no_prefix(args: "tuple[int, int, int]", triple: object) -> None:
    result = ps.socket(*args)
    assert isinstance(result, ps.Error)
    assert result == triple


def test_failing_first_call_does_not_lose_cloexec() -> None:
    # In a fresh interpreter, the first socket call fails with EINVAL; later
    # descriptors must still be close-on-exec (CPython probes SOCK_CLOEXEC once).
    code = ("import os, posixsock as ps\n"
            "assert isinstance(ps.socket(ps.AF_INET, -2, 0), ps.Error)\n"
            "assert isinstance(ps.socketpair(ps.AF_UNIX, -2, 0), ps.Error)\n"
            "fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))\n"
            "a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))\n"
            "print([os.get_inheritable(x) for x in (fd, a, b)])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=30, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[False, False, False]"


def test_new_fds_do_not_survive_exec(fds: Fds) -> None:
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
    one, two = fds.pair()
    code = "import os, sys\nfor fd in map(int, sys.argv[1:]):\n" \
           "    try:\n        os.fstat(fd); print('open', fd)\n    except OSError:\n        pass\n"
    out = subprocess.run([sys.executable, "-c", code, str(fd), str(one), str(two)],
                         close_fds=False, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout == ""


def test_setdefaulttimeout_does_not_change_new_fds(fds: Fds, default_timeout: None) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert os.get_blocking(fd)
    one, two = fds.pair()
    assert os.get_blocking(one) and os.get_blocking(two)
    if SOCK_NONBLOCK is not None:
        nb = fds.track(ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | SOCK_NONBLOCK, 0)))
        assert not os.get_blocking(nb)


def test_setdefaulttimeout_does_not_change_lent_fds(fds: Fds, default_timeout: None) -> None:
    # An fd made elsewhere, blocking; every call that lends it leaves it so.
    raw = stdlib_socket.socket(stdlib_socket.AF_INET, stdlib_socket.SOCK_STREAM)
    fd = fds.track(raw.detach())
    os.set_blocking(fd, True)
    ps.check(ps.bind(fd, loopback(ps.AF_INET)))
    ps.check(ps.listen(fd, 1))
    ps.check(ps.getsockname(fd))
    ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE))
    assert os.get_blocking(fd)


def test_accepted_fd_is_blocking_and_cloexec(fds: Fds, default_timeout: None) -> None:
    client, conn, peer = fds.connected()
    assert os.get_blocking(conn)
    assert not os.get_inheritable(conn)
    assert peer == ps.getpeername(conn) == ps.getsockname(client)


def test_socketpair_shape(fds: Fds) -> None:
    result = ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0)
    assert isinstance(result, tuple) and not isinstance(result, ps.Error)
    one, two = result
    fds.track(one)
    fds.track(two)
    assert type(one) is int and type(two) is int and one != two
    assert not os.get_inheritable(one) and not os.get_inheritable(two)
    assert ps.send(one, b"hi") == 2
    assert ps.recv(two, 10) == b"hi"


@needs_nonblock
def test_socketpair_nonblock(fds: Fds) -> None:
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM | SOCK_NONBLOCK, 0))
    fds.track(one)
    fds.track(two)
    assert not os.get_blocking(one) and not os.get_blocking(two)
    assert ps.recv(one, 10) == (None, "Resource temporarily unavailable", 11)


def test_socketpair_inet_not_supported() -> None:
    assert ps.socketpair(ps.AF_INET, ps.SOCK_STREAM, 0) == (None, "socketpair: Operation not supported", 95)


def test_listen_and_accept(fds: Fds) -> None:
    server, where = fds.listener()
    assert ps.getsockopt(server, ps.SOL_SOCKET, ps.SO_ACCEPTCONN) == 1
    client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.connect(client, where) == 0
    result = ps.accept(server)
    assert isinstance(result, tuple) and not isinstance(result, ps.Error)
    conn, peer = result
    fds.track(conn)
    assert type(conn) is int
    assert set(peer) == {"family", "port", "addr"}
    assert peer == ps.getsockname(client)


def test_listen_negative_backlog_is_accepted(fds: Fds) -> None:
    fd, _ = fds.bound(ps.SOCK_STREAM, loopback(ps.AF_INET))
    assert ps.listen(fd, -5) == 0
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_ACCEPTCONN) == 1


def test_listen_on_udp_fails(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.listen(fd, 1) == (None, "listen: Operation not supported", 95)


def test_accept_nonblocking_nothing_pending(fds: Fds) -> None:
    server, _ = fds.listener()
    os.set_blocking(server, False)
    assert ps.accept(server) == (None, "accept: Resource temporarily unavailable", 11)


def test_accept_not_listening(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.accept(fd) == (None, "accept: Invalid argument", 22)


def test_shutdown(fds: Fds) -> None:
    client, conn, _ = fds.connected()
    assert ps.shutdown(client, ps.SHUT_WR) == 0
    assert ps.recv(conn, 10) == b""
    assert ps.send(client, b"x") == (None, "send: Broken pipe", 32)
    assert ps.shutdown(conn, ps.SHUT_RDWR) == 0


def test_shutdown_unconnected(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.shutdown(fd, ps.SHUT_RD) == (None, "shutdown: Transport endpoint is not connected", 107)


def test_shutdown_bad_how(fds: Fds) -> None:
    client, _, _ = fds.connected()
    assert ps.shutdown(client, 7) == (None, "shutdown: Invalid argument", 22)
