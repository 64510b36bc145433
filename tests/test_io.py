"""send, sendto, recv, recvfrom: results, flags, counts, error triples."""
from __future__ import annotations

import os
import socket as stdlib_socket

import pytest

import posixsock as ps
from conftest import Fds, loopback

MSG_PEEK = stdlib_socket.MSG_PEEK
MSG_DONTWAIT = stdlib_socket.MSG_DONTWAIT
EAGAIN_RECV = (None, "Resource temporarily unavailable", 11)


def test_send_recv_types(fds: Fds) -> None:
    one, two = fds.pair()
    sent = ps.send(one, b"abc")
    assert type(sent) is int and sent == 3
    got = ps.recv(two, 10)
    assert type(got) is bytes and got == b"abc"


@pytest.mark.parametrize("buffer", [b"bytes", bytearray(b"bytearray"), memoryview(b"memoryview")])
def test_send_accepts_bytes_like(fds: Fds, buffer: bytes) -> None:
    one, two = fds.pair()
    assert ps.send(one, buffer) == len(buffer)
    assert ps.recv(two, 100) == bytes(buffer)


def test_recv_flags_peek(fds: Fds) -> None:
    one, two = fds.pair()
    ps.check(ps.send(one, b"peek"))
    assert ps.recv(two, 10, MSG_PEEK) == b"peek"
    assert ps.recvfrom(two, 10, MSG_PEEK) == (b"peek", {"family": ps.AF_UNSPEC})
    assert ps.recv(two, 2) == b"pe"
    assert ps.recv(two, 10) == b"ek"


@pytest.mark.parametrize("receive", [ps.recv, ps.recvfrom], ids=["recv", "recvfrom"])
def test_recv_flags_combined_as_in_c(fds: Fds, receive: object) -> None:
    """Flags CPython passes through unchanged (MSG_DONTWAIT, MSG_PEEK, ...)
    mean what C says; MSG_TRUNC among them still returns only the bytes that
    arrived, never bytes the kernel did not write; a flag value no C int can
    hold is refused with the call's words."""
    def data(got: object) -> object:
        return got if receive is ps.recv or isinstance(got, ps.Error) else got[0]  # type: ignore[index]
    one, two = fds.pair(ps.SOCK_DGRAM)  # blocking: MSG_DONTWAIT alone decides
    assert data(receive(two, 10, MSG_DONTWAIT)) == EAGAIN_RECV  # type: ignore[operator]
    ps.check(ps.send(one, b"t" * 5000))
    assert data(receive(two, 10, MSG_PEEK | MSG_DONTWAIT)) == b"t" * 10  # type: ignore[operator]
    got = data(receive(two, 10, ps.MSG_TRUNC | MSG_DONTWAIT))  # type: ignore[operator]
    assert got == b"t" * 10  # CPython's own recv would return 5000 bytes here
    assert data(receive(two, 10, MSG_DONTWAIT)) == EAGAIN_RECV  # type: ignore[operator]
    name = "recv" if receive is ps.recv else "recvfrom"
    for flags in (2**31, -(2**31) - 1, 2**64):
        with pytest.raises(ValueError, match=name):
            receive(two, 10, flags)  # type: ignore[operator]


def test_recv_zero_count(fds: Fds) -> None:
    one, two = fds.pair()
    ps.check(ps.send(one, b"x"))
    assert ps.recv(two, 0) == b""
    assert ps.recv(two, 1) == b"x"


@pytest.mark.parametrize("receive", [ps.recv, ps.recvfrom], ids=["recv", "recvfrom"])
def test_recv_zero_count_consumes_a_datagram(fds: Fds, receive: object) -> None:
    """C's recv(fd, buf, 0) takes the next datagram (and luaposix's does);
    CPython's recv(0) returns b"" without a system call.  posixsock is C."""
    one, two = fds.pair(ps.SOCK_DGRAM)
    ps.check(ps.send(one, b"first"))
    ps.check(ps.send(one, b"second"))
    got = receive(two, 0)  # type: ignore[operator]
    assert (got if receive is ps.recv else got[0]) == b""
    assert ps.recv(two, 10) == b"second"


def test_recv_would_block(fds: Fds) -> None:
    _, two = fds.pair()
    assert ps.recv(two, 10, MSG_DONTWAIT) == EAGAIN_RECV
    assert ps.recvfrom(two, 10, MSG_DONTWAIT) == EAGAIN_RECV
    os.set_blocking(two, False)
    assert ps.recv(two, 10) == EAGAIN_RECV


def test_recv_timeout_is_eagain(fds: Fds) -> None:
    _, two = fds.pair()
    ps.check(ps.setsockopt(two, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 0, 10000))
    assert ps.recv(two, 10) == EAGAIN_RECV


@pytest.mark.parametrize("count", [256 * 1024 + 1, 2**31, 2**40])
def test_recv_huge_count_stream(fds: Fds, count: int) -> None:
    client, conn, _ = fds.connected()
    ps.check(ps.send(client, b"small"))
    assert ps.recv(conn, count) == b"small"
    ps.check(ps.send(client, b"again"))
    assert ps.recvfrom(conn, count) == (b"again", {"family": ps.AF_UNSPEC})
    ps.check(ps.shutdown(client, ps.SHUT_WR))
    assert ps.recv(conn, count) == b""


@pytest.mark.parametrize("size", [0, 1, 100, 65507])
def test_recv_huge_count_datagram(fds: Fds, size: int) -> None:
    receiver, where = fds.bound(ps.SOCK_DGRAM, loopback(ps.AF_INET))
    sender, from_addr = fds.bound(ps.SOCK_DGRAM, loopback(ps.AF_INET))
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert ps.sendto(sender, payload, where) == size
    assert ps.recvfrom(receiver, 2**40) == (payload, from_addr)


def test_recv_huge_count_unix_datagram(fds: Fds) -> None:
    one, two = fds.pair(ps.SOCK_DGRAM)
    ps.check(ps.setsockopt(one, ps.SOL_SOCKET, ps.SO_SNDBUF, 1 << 20))
    payload = os.urandom(200_000)
    assert ps.send(one, payload) == len(payload)
    assert ps.send(one, b"next") == 4
    assert ps.recv(two, 2**40) == payload
    assert ps.recv(two, 2**40) == b"next"


def test_recv_huge_count_nothing_there(fds: Fds) -> None:
    _, two = fds.pair()
    os.set_blocking(two, False)
    assert ps.recv(two, 2**40) == EAGAIN_RECV
    assert ps.recvfrom(two, 2**40) == EAGAIN_RECV


def test_recv_datagram_truncates_to_count(fds: Fds) -> None:
    one, two = fds.pair(ps.SOCK_DGRAM)
    ps.check(ps.send(one, b"0123456789"))
    assert ps.recv(two, 4) == b"0123"  # the rest of the datagram is discarded
    ps.check(ps.send(one, b"z"))
    assert ps.recv(two, 4) == b"z"


def test_send_broken_pipe_is_a_value(fds: Fds) -> None:
    one, two = fds.pair()
    os.close(two)
    assert ps.send(one, b"x") == (None, "send: Broken pipe", 32)


def test_sendto_unreachable_unix(fds: Fds, unix_dir: str) -> None:
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    dest: ps.SockAddr = {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "nobody")}
    assert ps.sendto(fd, b"x", dest) == (None, "sendto: No such file or directory", 2)


def test_sendto_flags(fds: Fds) -> None:
    receiver, where = fds.bound(ps.SOCK_DGRAM, loopback(ps.AF_INET))
    sender = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.sendto(sender, b"flagged", where, MSG_DONTWAIT) == 7
    assert ps.check(ps.recvfrom(receiver, 100))[0] == b"flagged"


def test_send_on_unconnected_tcp(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    result = ps.send(fd, b"x")
    assert isinstance(result, ps.Error)
    assert result.errnum in (32, 107)  # EPIPE (Linux) or ENOTCONN
    assert result.message == "send: " + os.strerror(result.errnum)


def test_recv_unconnected_tcp(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.recv(fd, 1) == (None, "Transport endpoint is not connected", 107)


def test_send_would_block(fds: Fds) -> None:
    one, _ = fds.pair()
    os.set_blocking(one, False)
    for _ in range(1000):  # bounded: the socket buffer fills long before
        result = ps.send(one, bytes(65536))
        if isinstance(result, ps.Error):
            assert result == (None, "send: Resource temporarily unavailable", 11)
            break
        assert type(result) is int and 0 < result <= 65536
    else:
        pytest.fail("send never blocked")


def test_recv_huge_count_drains_a_large_stream(fds: Fds) -> None:
    one, two = fds.pair()
    ps.check(ps.setsockopt(one, ps.SOL_SOCKET, ps.SO_SNDBUF, 1 << 20))
    os.set_blocking(one, False)
    os.set_blocking(two, False)
    sent = b""
    for i in range(64):  # fill what the buffers take, up to 4 MiB
        chunk = bytes([i]) * 65536
        result = ps.send(one, chunk)
        if isinstance(result, ps.Error):
            break
        sent += chunk[:result]
    got = b""
    for _ in range(len(sent)):  # bounded; each call returns at least a byte
        data = ps.recv(two, 2**40)
        if isinstance(data, ps.Error):
            assert data == EAGAIN_RECV
            break
        assert data
        got += data
    assert len(sent) > 256 * 1024 and got == sent
