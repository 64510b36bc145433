"""Beyond luaposix (issue 5): per-call MSG_* flags, descriptor passing,
sendmsg/recvmsg, the name helpers, structured options and the new constants.
"""
from __future__ import annotations

import errno
import os
import socket as stdlib_socket
import struct
import sys
import threading
import time
from array import array
from typing import Iterator, List, Tuple

import pytest

import posixsock as ps
from _privileges import has, linux_only
from conftest import Fds, loopback, open_fds

NO_ADDRESS: ps.SockAddr = {"family": ps.AF_UNSPEC}  # what a call reports for no source

EAGAIN = 11
EBADF = 9
ENOTSOCK = 88
EINVAL = 22
ENXIO = 6
ENODEV = 19
EPIPE = 32
EAFNOSUPPORT = 97


@pytest.fixture
def no_leak(fds: Fds) -> Iterator[None]:
    """Fail the test if descriptors stay open once every one it tracked
    (including each it received) is closed."""
    before = open_fds()
    yield
    fds.close_all()
    assert open_fds() - before == set()


def pipe(fds: Fds) -> List[int]:
    r, w = os.pipe()
    return [fds.track(r), fds.track(w)]


def gai_text(code: int) -> str:
    """The resolver's text for ``code``, from the stdlib."""
    probes = {stdlib_socket.EAI_NONAME: ("not numeric", 0),
              stdlib_socket.EAI_FAMILY: ("127.0.0.1", -1)}
    host, family = probes[code]
    with pytest.raises(stdlib_socket.gaierror) as info:
        stdlib_socket.getaddrinfo(host, None, family, 0, 0, stdlib_socket.AI_NUMERICHOST)
    assert info.value.args[0] == code
    return str(info.value.args[1])


# --- constants ---------------------------------------------------------------

@linux_only("every extra constant is an int (elsewhere: tests/test_platforms.py)")
def test_extra_constants_are_exported_ints() -> None:
    assert len(ps.EXTRA_CONSTANTS) == len(set(ps.EXTRA_CONSTANTS)) == 68
    assert not set(ps.EXTRA_CONSTANTS) & set(ps.SEED_CONSTANTS)
    # other systems' spellings (issue 17): None on Linux
    elsewhere = {"SO_NOSIGPIPE", "LOCAL_PEERCRED"}
    for name in ps.EXTRA_CONSTANTS:
        assert name in ps.__all__
        value = getattr(ps, name)
        if name in elsewhere:
            assert value is None and not hasattr(stdlib_socket, name), name
            continue
        assert type(value) is int, name  # Linux has all the others
        if hasattr(stdlib_socket, name):  # ETH_P_*, ARPHRD_*, ...: not in every stdlib
            assert value == getattr(stdlib_socket, name), name


def test_new_calls_are_exported() -> None:
    for name in ("sendmsg", "recvmsg", "send_fds", "recv_fds", "CMSG_LEN", "CMSG_SPACE",
                 "getnameinfo", "if_indextoname", "if_nameindex", "inet_pton", "inet_ntop",
                 "Cmsg", "IfNameIndex", "PeerCred"):
        assert name in ps.__all__ and hasattr(ps, name)


# --- per-call flags on send/recv/sendto/recvfrom ---------------------------------

def test_msg_dontwait_leaves_descriptor_blocking(fds: Fds) -> None:
    one, two = fds.pair()
    assert os.get_blocking(two)
    assert ps.recv(two, 10, ps.MSG_DONTWAIT) == (None, "Resource temporarily unavailable", EAGAIN)
    assert ps.recvfrom(two, 10, ps.MSG_DONTWAIT) == (None, "Resource temporarily unavailable", EAGAIN)
    assert ps.recvmsg(two, 10, 0, ps.MSG_DONTWAIT) == (
        None, "recvmsg: Resource temporarily unavailable", EAGAIN)
    assert os.get_blocking(two)
    ps.check(ps.send(one, b"now", ps.MSG_DONTWAIT))
    assert os.get_blocking(one)
    assert ps.recv(two, 10, ps.MSG_DONTWAIT) == b"now"


def test_msg_dontwait_send_on_full_buffer(fds: Fds) -> None:
    one, _ = fds.pair()
    ps.check(ps.setsockopt(one, ps.SOL_SOCKET, ps.SO_SNDBUF, 4096))
    chunk = bytes(4096)
    for _ in range(10000):  # bounded: the buffer fills long before
        result = ps.send(one, chunk, ps.MSG_DONTWAIT)
        if isinstance(result, ps.Error):
            break
    assert result == (None, "send: Resource temporarily unavailable", EAGAIN)
    assert os.get_blocking(one)


def test_msg_peek_keeps_data(fds: Fds) -> None:
    one, two = fds.pair(ps.SOCK_DGRAM)
    ps.check(ps.send(one, b"datagram"))
    assert ps.recv(two, 100, ps.MSG_PEEK) == b"datagram"
    got = ps.check(ps.recvmsg(two, 100, 0, ps.MSG_PEEK))
    assert got[0] == b"datagram"
    assert ps.recvfrom(two, 100) == (b"datagram", {"family": ps.AF_UNSPEC})


def test_msg_waitall_waits_for_count(fds: Fds) -> None:
    client, server, _ = fds.connected()
    ps.check(ps.send(client, b"abc"))

    def later() -> None:
        time.sleep(0.05)
        ps.check(ps.send(client, b"def"))

    sender = threading.Thread(target=later)
    sender.start()
    try:
        assert ps.recv(server, 6, ps.MSG_WAITALL) == b"abcdef"
    finally:
        sender.join(10)


def test_msg_oob(fds: Fds) -> None:
    client, server, _ = fds.connected()
    assert ps.send(client, b"ab") == 2
    assert ps.send(client, b"!", ps.MSG_OOB) == 1
    # the urgent byte is readable out of band once it has arrived
    for _ in range(200):
        got = ps.recv(server, 1, ps.MSG_OOB | ps.MSG_DONTWAIT)
        if got != (None, "Resource temporarily unavailable", EAGAIN):
            break
        time.sleep(0.01)
    assert got == b"!"
    assert ps.recv(server, 10) == b"ab"


@has("MSG_NOSIGNAL")
def test_msg_nosignal_gives_epipe(fds: Fds) -> None:
    one, two = fds.pair()
    os.close(two)
    assert ps.send(one, b"x", ps.MSG_NOSIGNAL) == (None, "send: Broken pipe", EPIPE)


def test_sendto_flags(fds: Fds) -> None:
    rx, where = fds.bound(ps.SOCK_DGRAM, loopback(ps.AF_INET))
    tx = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.sendto(tx, b"flagged", where, ps.MSG_DONTWAIT) == 7
    data, source = ps.check(ps.recvfrom(rx, 100, ps.MSG_PEEK))
    assert data == b"flagged" and source["family"] == ps.AF_INET
    assert ps.recv(rx, 100) == b"flagged"


@has("SOCK_NONBLOCK")
def test_socket_nonblock_and_cloexec_types(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK)
    assert not os.get_blocking(fd)
    fd2 = fds.socket(ps.AF_INET, ps.SOCK_DGRAM | ps.SOCK_CLOEXEC)
    assert os.get_blocking(fd2) and not os.get_inheritable(fd2)
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_SEQPACKET, 0))
    fds.track(one)
    fds.track(two)
    assert ps.getsockopt(one, ps.SOL_SOCKET, ps.SO_TYPE) == ps.SOCK_SEQPACKET
    ps.check(ps.send(one, b"record"))
    assert ps.recv(two, 100) == b"record"


# --- send_fds / recv_fds ---------------------------------------------------------

def test_fd_passing_round_trip(fds: Fds, no_leak: None) -> None:
    one, two = fds.pair()
    r, w = pipe(fds)
    assert ps.send_fds(one, b"fds", [r, w]) == 3
    data, got, flags, source = ps.check(ps.recv_fds(two, 10, 4))
    for fd in got:
        fds.track(fd)
    assert data == b"fds" and flags == 0 and source == {"family": ps.AF_UNSPEC}
    assert len(got) == 2 and not set(got) & {r, w}
    assert all(not os.get_inheritable(fd) for fd in got)
    os.write(got[1], b"through")  # the received write end feeds our read end
    assert os.read(r, 100) == b"through"


def test_recv_fds_truncated_returns_what_was_installed(fds: Fds, no_leak: None) -> None:
    one, two = fds.pair()
    r, w = pipe(fds)
    ps.check(ps.send_fds(one, b"x", [r, w, r]))
    data, got, flags, _ = ps.check(ps.recv_fds(two, 10, 1))
    for fd in got:
        fds.track(fd)
    assert data == b"x" and len(got) == 1
    assert flags & ps.MSG_CTRUNC
    assert not flags & (ps.MSG_CMSG_CLOEXEC or 0)  # ours, not reported back
    assert not os.get_inheritable(got[0])  # MSG_CMSG_CLOEXEC, or fcntl after


def test_recv_fds_zero_maxfds_drops_all(fds: Fds, no_leak: None) -> None:
    one, two = fds.pair()
    r, _ = pipe(fds)
    ps.check(ps.send_fds(one, b"y", [r]))
    data, got, flags, _ = ps.check(ps.recv_fds(two, 10, 0))
    assert data == b"y" and got == [] and flags & ps.MSG_CTRUNC


def test_send_fds_without_fds(fds: Fds) -> None:
    one, two = fds.pair()
    assert ps.send_fds(one, b"plain", []) == 5
    assert ps.recv_fds(two, 10, 2) == (b"plain", [], 0, NO_ADDRESS)


@linux_only("abstract AF_UNIX names")
def test_recv_fds_datagram_source(fds: Fds, abstract_name) -> None:  # type: ignore[no-untyped-def]
    name = abstract_name()
    rx, _ = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": name})
    tx, tx_name = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": abstract_name()})
    ps.check(ps.connect(tx, {"family": ps.AF_UNIX, "path": name}))
    r, _ = pipe(fds)
    ps.check(ps.send_fds(tx, b"dgram", [r]))
    data, got, flags, source = ps.check(ps.recv_fds(rx, 100, 1))
    for fd in got:
        fds.track(fd)
    assert (data, len(got), flags) == (b"dgram", 1, 0)
    assert source == tx_name


def test_send_fds_bad_descriptor_in_list(fds: Fds) -> None:
    one, two = fds.pair()
    closed = os.dup(two)
    os.close(closed)
    for bad in (-1, closed):
        assert ps.send_fds(one, b"x", [bad]) == (None, "send_fds: Bad file descriptor", EBADF)


def test_fd_passing_bad_descriptors(closed_fd: int) -> None:
    assert ps.send_fds(closed_fd, b"x", []) == (None, "send_fds: Bad file descriptor", EBADF)
    assert ps.recv_fds(closed_fd, 1, 1) == (None, "recv_fds: Bad file descriptor", EBADF)


def test_fd_passing_not_a_socket(file_fd: int) -> None:
    assert ps.send_fds(file_fd, b"x", []) == (None, "send_fds: Socket operation on non-socket", ENOTSOCK)
    assert ps.recv_fds(-1, 1, 1) == (None, "recv_fds: Bad file descriptor", EBADF)
    assert ps.recv_fds(file_fd, 1, 1) == (None, "recv_fds: Socket operation on non-socket", ENOTSOCK)


def test_recv_fds_would_block(fds: Fds) -> None:
    _, two = fds.pair()
    os.set_blocking(two, False)
    assert ps.recv_fds(two, 1, 1) == (None, "recv_fds: Resource temporarily unavailable", EAGAIN)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: ps.send_fds("0", b"x", []), TypeError,  # type: ignore[arg-type]
     "bad argument #1 to 'send_fds' (int expected, got str)"),
    (lambda: ps.send_fds(0, "x", []), TypeError,  # type: ignore[arg-type]
     "bad argument #2 to 'send_fds' (bytes expected, got str)"),
    (lambda: ps.send_fds(0, b"x", 3), TypeError,  # type: ignore[arg-type]
     "bad argument #3 to 'send_fds' (sequence of int expected, got int)"),
    (lambda: ps.send_fds(0, b"x", [1, "2"]), TypeError,  # type: ignore[list-item]
     "bad argument #3 to 'send_fds' (int expected for item 2, got str)"),
    (lambda: ps.send_fds(0, b"x", [2**31]), ValueError,
     "bad argument #3 to 'send_fds' (item 1 out of C int range, got 2147483648)"),
    (lambda: ps.recv_fds(0, -1, 1), ValueError,
     "bad argument #2 to 'recv_fds' (count must not be negative, got -1)"),
    (lambda: ps.recv_fds(0, 1, -1), ValueError,
     "bad argument #3 to 'recv_fds' (maxfds must not be negative, got -1)"),
    (lambda: ps.recv_fds(0, 1, None), TypeError,  # type: ignore[arg-type]
     "bad argument #3 to 'recv_fds' (int expected, got None)"),
])
def test_fd_passing_argument_errors(call, exc, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == words


# --- sendmsg / recvmsg -------------------------------------------------------------

def test_sendmsg_gathers_buffers(fds: Fds) -> None:
    one, two = fds.pair()
    assert ps.sendmsg(one, [b"ab", bytearray(b"cd"), memoryview(b"ef")]) == 6
    got = ps.recvmsg(two, 100)
    assert got == (b"abcdef", [], 0, NO_ADDRESS)


def test_recvmsg_scm_rights(fds: Fds, no_leak: None) -> None:
    one, two = fds.pair()
    r, w = pipe(fds)
    anc: List[ps.Cmsg] = [{"level": ps.SOL_SOCKET, "type": ps.SCM_RIGHTS,
                           "data": array("i", [w]).tobytes()}]
    assert ps.sendmsg(one, [b"m"], anc) == 1
    data, items, flags, source = ps.check(ps.recvmsg(two, 10, ps.CMSG_SPACE(4)))
    assert (data, flags, source) == (b"m", 0, NO_ADDRESS)
    assert len(items) == 1 and set(items[0]) == {"level", "type", "data"}
    assert items[0]["level"] == ps.SOL_SOCKET and items[0]["type"] == ps.SCM_RIGHTS
    (received,) = array("i", items[0]["data"])
    fds.track(received)
    assert received != w and not os.get_inheritable(received)
    os.write(received, b"ok")
    assert os.read(r, 10) == b"ok"


@has("MSG_CMSG_CLOEXEC")
def test_recvmsg_keeps_cloexec_flag_when_asked(fds: Fds, no_leak: None) -> None:
    one, two = fds.pair()
    r, _ = pipe(fds)
    ps.check(ps.send_fds(one, b"m", [r]))
    _, items, flags, _ = ps.check(ps.recvmsg(two, 10, ps.CMSG_SPACE(4), ps.MSG_CMSG_CLOEXEC))
    fds.track(array("i", items[0]["data"])[0])
    assert flags == ps.MSG_CMSG_CLOEXEC  # as C reports it back


def test_recvmsg_ancillary_too_small(fds: Fds, no_leak: None) -> None:
    one, two = fds.pair()
    r, _ = pipe(fds)
    ps.check(ps.send_fds(one, b"m", [r]))
    assert ps.recvmsg(two, 10, 0) == (b"m", [], ps.MSG_CTRUNC, NO_ADDRESS)


@linux_only("SCM_CREDENTIALS and SO_PASSCRED")
def test_recvmsg_credentials(fds: Fds) -> None:
    one, two = fds.pair(ps.SOCK_DGRAM)
    so_passcred = getattr(stdlib_socket, "SO_PASSCRED", 16)
    ps.check(ps.setsockopt(two, ps.SOL_SOCKET, so_passcred, 1))
    creds = struct.pack("@iII", os.getpid(), os.getuid(), os.getgid())
    anc: List[ps.Cmsg] = [{"level": ps.SOL_SOCKET, "type": ps.SCM_CREDENTIALS, "data": creds}]
    assert ps.sendmsg(one, [b"who"], anc) == 3
    data, items, _, _ = ps.check(ps.recvmsg(two, 10, ps.CMSG_SPACE(len(creds))))
    assert data == b"who"
    assert items == [{"level": ps.SOL_SOCKET, "type": ps.SCM_CREDENTIALS, "data": creds}]


def test_recvmsg_truncated_datagram(fds: Fds) -> None:
    one, two = fds.pair(ps.SOCK_DGRAM)
    ps.check(ps.send(one, b"0123456789"))
    assert ps.recvmsg(two, 4) == (b"0123", [], ps.MSG_TRUNC, NO_ADDRESS)
    ps.check(ps.send(one, b"0123456789"))
    data, _, flags, _ = ps.check(ps.recvmsg(two, 4, 0, ps.MSG_TRUNC))
    assert data == b"0123" and flags & ps.MSG_TRUNC  # never past the buffer


def test_recvmsg_huge_count_does_not_allocate_it(fds: Fds) -> None:
    one, two = fds.pair()
    ps.check(ps.send(one, b"small"))
    assert ps.recvmsg(two, 2**40, 2**40) == (b"small", [], 0, NO_ADDRESS)


def test_recvmsg_end_of_stream(fds: Fds) -> None:
    one, two = fds.pair()
    ps.check(ps.shutdown(one, ps.SHUT_WR))
    assert ps.recvmsg(two, 10) == (b"", [], 0, NO_ADDRESS)


@pytest.mark.parametrize("family", [ps.AF_INET, ps.AF_INET6])
def test_sendmsg_destination_and_recvmsg_source(fds: Fds, family: int) -> None:
    rx, where = fds.bound(ps.SOCK_DGRAM, loopback(family))
    tx, tx_where = fds.bound(ps.SOCK_DGRAM, loopback(family))
    assert ps.sendmsg(tx, [b"to ", b"you"], (), 0, where) == 6
    data, items, flags, source = ps.check(ps.recvmsg(rx, 100, 64))
    assert (data, items, flags) == (b"to you", [], 0)
    assert source == tx_where


def test_sendmsg_destination_errors(fds: Fds) -> None:
    tx = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    bad: ps.SockAddr = {"family": ps.AF_INET, "port": 1, "addr": "localhost"}
    assert ps.sendmsg(tx, [b"x"], (), 0, bad) == (None, "sendmsg: Invalid argument", EINVAL)
    long_path: ps.SockAddr = {"family": ps.AF_UNIX, "path": "/" + "x" * 200}
    assert ps.sendmsg(tx, [b"x"], (), 0, long_path) == (None, "sendmsg: File name too long", 36)


def test_msg_calls_bad_descriptors(closed_fd: int) -> None:
    assert ps.sendmsg(closed_fd, [b"x"]) == (None, "sendmsg: Bad file descriptor", EBADF)
    assert ps.sendmsg(-1, [b"x"], (), 0, loopback(ps.AF_INET, 9)) == (
        None, "sendmsg: Bad file descriptor", EBADF)
    assert ps.recvmsg(2**40, 1) == (None, "recvmsg: Bad file descriptor", EBADF)
    assert ps.recvmsg(closed_fd, 1) == (None, "recvmsg: Bad file descriptor", EBADF)


def test_msg_calls_not_a_socket(file_fd: int) -> None:
    assert ps.sendmsg(file_fd, [b"x"]) == (None, "sendmsg: Socket operation on non-socket", ENOTSOCK)
    assert ps.recvmsg(file_fd, 1) == (None, "recvmsg: Socket operation on non-socket", ENOTSOCK)


def test_sendmsg_broken_pipe(fds: Fds) -> None:
    one, two = fds.pair()
    os.close(two)
    assert ps.sendmsg(one, [b"x"]) == (None, "sendmsg: Broken pipe", EPIPE)


GOOD_CMSG = {"level": 1, "type": 1, "data": b""}


@pytest.mark.parametrize("args, exc, words", [
    (("0", [b"x"]), TypeError, "bad argument #1 to 'sendmsg' (int expected, got str)"),
    ((0, b"x"), TypeError, "bad argument #2 to 'sendmsg' (sequence of bytes expected, got bytes)"),
    ((0, 5), TypeError, "bad argument #2 to 'sendmsg' (sequence of bytes expected, got int)"),
    ((0, [b"x", "y"]), TypeError, "bad argument #2 to 'sendmsg' (bytes expected for item 2, got str)"),
    ((0, [b"x"], GOOD_CMSG), TypeError,
     "bad argument #3 to 'sendmsg' (sequence of Cmsg expected, got dict)"),
    ((0, [b"x"], [(1, 1, b"")]), TypeError,
     "bad argument #3 to 'sendmsg' (dict expected for item 1, got tuple)"),
    ((0, [b"x"], [{"level": 1, "type": 1}]), TypeError,
     "bad argument #3 to 'sendmsg' (bytes expected for field 'data', got no value)"),
    ((0, [b"x"], [{**GOOD_CMSG, "extra": 1}]), ValueError,
     "bad argument #3 to 'sendmsg' (invalid field name 'extra')"),
    ((0, [b"x"], [{**GOOD_CMSG, "level": "1"}]), TypeError,
     "bad argument #3 to 'sendmsg' (int expected for field 'level', got str)"),
    ((0, [b"x"], [{**GOOD_CMSG, "type": 2**31}]), ValueError,
     "bad argument #3 to 'sendmsg' (field 'type' out of C int range, got 2147483648)"),
    ((0, [b"x"], [{**GOOD_CMSG, "data": "s"}]), TypeError,
     "bad argument #3 to 'sendmsg' (bytes expected for field 'data', got str)"),
    ((0, [b"x"], (), "0"), TypeError, "bad argument #4 to 'sendmsg' (int expected, got str)"),
    ((0, [b"x"], (), 0, "addr"), TypeError, "bad argument #5 to 'sendmsg' (dict expected, got str)"),
])
def test_sendmsg_argument_errors(args, exc, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc) as info:
        ps.sendmsg(*args)
    assert str(info.value) == words


@pytest.mark.parametrize("args, exc, words", [
    ((None, 1), TypeError, "bad argument #1 to 'recvmsg' (int expected, got None)"),
    ((0, -1), ValueError, "bad argument #2 to 'recvmsg' (count must not be negative, got -1)"),
    ((0, 1, -1), ValueError,
     "bad argument #3 to 'recvmsg' (ancillary_size must not be negative, got -1)"),
    ((0, 1, 0, 1.0), TypeError, "bad argument #4 to 'recvmsg' (int expected, got float)"),
    ((-1, "1"), TypeError, "bad argument #2 to 'recvmsg' (int expected, got str)"),
])
def test_recvmsg_argument_errors(args, exc, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc) as info:
        ps.recvmsg(*args)
    assert str(info.value) == words


def test_non_contiguous_buffers_are_type_errors() -> None:
    strided = memoryview(b"abcdefgh")[::2]
    cases = [
        (lambda: ps.sendmsg(0, [b"x", strided]), "bad argument #2 to 'sendmsg' "
         "(contiguous bytes expected for item 2, got a strided memoryview)"),
        (lambda: ps.sendmsg(0, [b"x"], [{"level": 1, "type": 1, "data": strided}]),
         "bad argument #3 to 'sendmsg' "
         "(contiguous bytes expected for field 'data', got a strided memoryview)"),
        (lambda: ps.send_fds(0, strided, []), "bad argument #2 to 'send_fds' "
         "(contiguous bytes expected, got a strided memoryview)"),
        (lambda: ps.inet_ntop(ps.AF_INET, strided), "bad argument #2 to 'inet_ntop' "
         "(contiguous bytes expected, got a strided memoryview)"),
    ]
    for call, words in cases:
        with pytest.raises(TypeError) as info:
            call()
        assert str(info.value) == words


def test_cmsg_sizes() -> None:
    for n in (0, 1, 4, 12, 100, 4096):
        assert ps.CMSG_LEN(n) == stdlib_socket.CMSG_LEN(n)
        assert ps.CMSG_SPACE(n) == stdlib_socket.CMSG_SPACE(n)
    assert ps.CMSG_SPACE(4) >= ps.CMSG_LEN(4) == ps.CMSG_LEN(0) + 4
    with pytest.raises(ValueError, match=r"bad argument #1 to 'CMSG_LEN' \(length must not be negative"):
        ps.CMSG_LEN(-1)
    with pytest.raises(ValueError, match=r"bad argument #1 to 'CMSG_SPACE' \(length out of range"):
        ps.CMSG_SPACE(2**64)
    with pytest.raises(TypeError, match=r"bad argument #1 to 'CMSG_LEN' \(int expected, got str\)"):
        ps.CMSG_LEN("4")  # type: ignore[arg-type]


# --- getnameinfo -------------------------------------------------------------------

NUMERIC = ps.NI_NUMERICHOST | ps.NI_NUMERICSERV


def test_getnameinfo_numeric() -> None:
    assert ps.getnameinfo(loopback(ps.AF_INET, 8080), NUMERIC) == ("127.0.0.1", "8080")
    assert ps.getnameinfo(loopback(ps.AF_INET6, 443), NUMERIC) == ("::1", "443")
    scoped: ps.SockAddr = {"family": ps.AF_INET6, "port": 0, "addr": "fe80::1", "scope_id": 1}
    assert ps.getnameinfo(scoped, NUMERIC) == ("fe80::1%lo", "0")


def test_getnameinfo_matches_stdlib_for_loopback() -> None:
    with open("/etc/hosts") as hosts:  # answered from the file, never from DNS
        if not any(line.split()[:1] == ["127.0.0.1"] for line in hosts):
            pytest.skip("127.0.0.1 is not in /etc/hosts")
    expected = stdlib_socket.getnameinfo(("127.0.0.1", 80), 0)
    assert ps.getnameinfo(loopback(ps.AF_INET, 80)) == expected
    assert ps.getnameinfo(loopback(ps.AF_INET, 80), ps.NI_NUMERICHOST) == (
        "127.0.0.1", stdlib_socket.getnameinfo(("127.0.0.1", 80), stdlib_socket.NI_NUMERICHOST)[1])


@pytest.mark.parametrize("addr", [
    {"family": ps.AF_INET, "port": 1, "addr": "localhost"},
    {"family": ps.AF_INET, "port": 1, "addr": ""},
    {"family": ps.AF_INET, "port": 65536, "addr": "127.0.0.1"},
    {"family": ps.AF_INET6, "port": 1, "addr": "127.0.0.1"},
])
def test_getnameinfo_unusable_address(addr: ps.SockAddr) -> None:
    code = stdlib_socket.EAI_NONAME
    assert ps.getnameinfo(addr, NUMERIC) == (None, gai_text(code), code)


def test_getnameinfo_other_family() -> None:
    code = stdlib_socket.EAI_FAMILY
    assert ps.getnameinfo({"family": ps.AF_UNIX, "path": "/x"}) == (None, gai_text(code), code)


def test_getnameinfo_bad_flags() -> None:
    result = ps.getnameinfo(loopback(ps.AF_INET, 1), 0x7FFF0000)
    assert isinstance(result, ps.Error)
    assert result.errnum == stdlib_socket.EAI_BADFLAGS and result.message


def test_getnameinfo_argument_errors() -> None:
    with pytest.raises(TypeError, match=r"bad argument #1 to 'getnameinfo' \(dict expected, got tuple\)"):
        ps.getnameinfo(("127.0.0.1", 80))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"bad argument #2 to 'getnameinfo' \(int expected, got str\)"):
        ps.getnameinfo(loopback(ps.AF_INET), "0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"invalid field name 'bogus'"):
        ps.getnameinfo({**loopback(ps.AF_INET), "bogus": 1})  # type: ignore[typeddict-unknown-key]


# --- interfaces ------------------------------------------------------------------

def test_if_nameindex_and_indextoname() -> None:
    table = ps.check(ps.if_nameindex())
    assert table and all(set(entry) == {"index", "name"} for entry in table)
    assert {"index": ps.check(ps.if_nametoindex("lo")), "name": "lo"} in table
    for entry in table:
        assert ps.if_indextoname(entry["index"]) == entry["name"]
        assert ps.if_nametoindex(entry["name"]) == entry["index"]


@pytest.mark.parametrize("index", [0, -1, 2**32, 2**64, 999999])
def test_if_indextoname_unknown(index: int) -> None:
    assert ps.if_indextoname(index) == (None, "if_indextoname: No such device or address", ENXIO)


def test_if_indextoname_argument_error() -> None:
    with pytest.raises(TypeError, match=r"bad argument #1 to 'if_indextoname' \(int expected, got str\)"):
        ps.if_indextoname("1")  # type: ignore[arg-type]


# --- inet_pton / inet_ntop -----------------------------------------------------------

@pytest.mark.parametrize("family, text, packed", [
    (ps.AF_INET, "127.0.0.1", b"\x7f\0\0\x01"),
    (ps.AF_INET, "255.255.255.255", b"\xff" * 4),
    (ps.AF_INET6, "::1", bytes(15) + b"\x01"),
    (ps.AF_INET6, "::ffff:1.2.3.4", bytes(10) + b"\xff\xff\x01\x02\x03\x04"),
])
def test_inet_round_trip(family: int, text: str, packed: bytes) -> None:
    assert ps.inet_pton(family, text) == packed
    assert ps.inet_ntop(family, packed) == text
    assert ps.inet_ntop(family, bytearray(packed)) == text


@pytest.mark.parametrize("family, text", [
    (ps.AF_INET, ""), (ps.AF_INET, "1.2.3"), (ps.AF_INET, "1.2.3.4.5"),
    (ps.AF_INET, "localhost"), (ps.AF_INET, "::1"), (ps.AF_INET, "1.2.3.4\0"),
    (ps.AF_INET6, "1.2.3.4"), (ps.AF_INET6, "fe80::1%lo"), (ps.AF_INET6, "\udcff"),
    (ps.AF_INET, "١.٢.٣.٤"),
])
def test_inet_pton_invalid_text(family: int, text: str) -> None:
    assert ps.inet_pton(family, text) == (None, "inet_pton: Invalid argument", EINVAL)


def test_inet_family_not_supported() -> None:
    expected = (None, "inet_pton: Address family not supported by protocol", EAFNOSUPPORT)
    assert ps.inet_pton(ps.AF_UNIX, "1.2.3.4") == expected
    assert ps.inet_pton(-1, "1.2.3.4") == expected
    assert ps.inet_ntop(ps.AF_UNIX, b"\0" * 4) == (
        None, "inet_ntop: Address family not supported by protocol", EAFNOSUPPORT)


@pytest.mark.parametrize("family, packed", [
    (ps.AF_INET, b""), (ps.AF_INET, b"\0" * 3), (ps.AF_INET, b"\0" * 16), (ps.AF_INET6, b"\0" * 4),
])
def test_inet_ntop_wrong_length(family: int, packed: bytes) -> None:
    assert ps.inet_ntop(family, packed) == (None, "inet_ntop: Invalid argument", EINVAL)


def test_inet_argument_errors() -> None:
    with pytest.raises(TypeError, match=r"bad argument #2 to 'inet_pton' \(str expected, got bytes\)"):
        ps.inet_pton(ps.AF_INET, b"1.2.3.4")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"bad argument #1 to 'inet_pton' \(int out of C int range"):
        ps.inet_pton(2**32, "1.2.3.4")
    with pytest.raises(TypeError, match=r"bad argument #2 to 'inet_ntop' \(bytes expected, got str\)"):
        ps.inet_ntop(ps.AF_INET, "1234")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"bad argument #1 to 'inet_ntop' \(int expected, got None\)"):
        ps.inet_ntop(None, b"1234")  # type: ignore[arg-type]


# --- structured options -----------------------------------------------------------

@linux_only("SO_PEERCRED (macOS/FreeBSD: LOCAL_PEERCRED, tests/test_platforms.py)")
def test_so_peercred_socketpair(fds: Fds) -> None:
    one, _ = fds.pair()
    assert ps.getsockopt(one, ps.SOL_SOCKET, ps.SO_PEERCRED) == {
        "pid": os.getpid(), "uid": os.getuid(), "gid": os.getgid()}


@linux_only("SO_PEERCRED (macOS/FreeBSD: LOCAL_PEERCRED, tests/test_platforms.py)")
def test_so_peercred_is_read_only(fds: Fds) -> None:
    one, _ = fds.pair()
    assert ps.setsockopt(one, ps.SOL_SOCKET, ps.SO_PEERCRED, 1) == (
        None, "setsockopt: Protocol not available", 92)


def test_ip_membership(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    add, drop = ps.IP_ADD_MEMBERSHIP, ps.IP_DROP_MEMBERSHIP
    assert ps.setsockopt(fd, ps.IPPROTO_IP, add, "239.1.2.3", "127.0.0.1") == 0
    assert ps.setsockopt(fd, ps.IPPROTO_IP, add, "239.1.2.4") == 0  # INADDR_ANY
    assert ps.setsockopt(fd, ps.IPPROTO_IP, drop, "239.1.2.3", "127.0.0.1") == 0
    assert ps.setsockopt(fd, ps.IPPROTO_IP, drop, "239.1.2.3", "127.0.0.1") == (
        None, "setsockopt: Cannot assign requested address", 99)
    assert ps.setsockopt(fd, ps.IPPROTO_IP, drop, "239.1.2.4") == 0


@pytest.mark.parametrize("group, local", [
    ("1.2.3.4", "127.0.0.1"),  # not a multicast group: the kernel says EINVAL
    ("not an address", "127.0.0.1"), ("239.1.2.3", "::1"), ("239.1.2.3", ""),
])
def test_ip_membership_invalid(fds: Fds, group: str, local: str) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_ADD_MEMBERSHIP, group, local) == (
        None, "setsockopt: Invalid argument", EINVAL)


def test_ip_membership_argument_errors(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    with pytest.raises(TypeError, match=r"bad argument #4 to 'setsockopt' \(str expected, got int; IP_ADD_MEMBERSHIP takes "):
        ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_ADD_MEMBERSHIP, 1)
    with pytest.raises(TypeError, match=r"bad argument #5 to 'setsockopt' \(str expected, got int; IP_ADD_MEMBERSHIP takes "):
        ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_ADD_MEMBERSHIP, "239.1.2.3", 1)


def test_ipv6_join_with_interface_index(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    lo = ps.check(ps.if_nametoindex("lo"))
    join, leave = ps.IPV6_JOIN_GROUP, ps.IPV6_LEAVE_GROUP
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, join, "ff02::1:3", lo) == 0
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, join, "ff02::1:3", lo) == (
        None, "setsockopt: Address already in use", 98)  # as luaposix reports a repeat
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, leave, "ff02::1:3", lo) == 0
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, join, "ff02::1:4") == 0  # index 0
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, leave, "ff02::1:4") == 0


@pytest.mark.parametrize("index", [999999, -1, 2**32])
def test_ipv6_join_unknown_interface(fds: Fds, index: int) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, "ff02::1:3", index) == (
        None, "setsockopt: No such device", ENODEV)


def test_ipv6_join_argument_error(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    with pytest.raises(TypeError, match=r"bad argument #5 to 'setsockopt' \(int expected, got str; IPV6_JOIN_GROUP takes "):
        ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, "ff02::1:3", "lo")  # type: ignore[arg-type]


def test_socket_level_int_options(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    if ps.SO_DOMAIN is not None and ps.SO_PROTOCOL is not None:  # not on macOS
        assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_DOMAIN) == ps.AF_INET
        assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_PROTOCOL) == ps.IPPROTO_UDP
    assert ps.SO_REUSEPORT is not None
    assert ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEPORT, 1) == 0
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEPORT) == 1
    for name, value in ((ps.IP_TTL, 7), (ps.IP_MULTICAST_TTL, 3), (ps.IP_MULTICAST_LOOP, 0)):
        assert ps.setsockopt(fd, ps.IPPROTO_IP, name, value) == 0
        assert ps.getsockopt(fd, ps.IPPROTO_IP, name) == value


@pytest.mark.parametrize("name", ["TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_USER_TIMEOUT"])
def test_tcp_int_options(fds: Fds, name: str) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    option = getattr(ps, name)
    if option is None:
        pytest.skip(f"no {name} on {sys.platform}")
    assert ps.setsockopt(fd, ps.IPPROTO_TCP, option, 9) == 0
    assert ps.getsockopt(fd, ps.IPPROTO_TCP, option) == 9


# --- issue 15: IP_MULTICAST_IF is an address; accept takes accept4's flags --------

def test_ip_multicast_if_takes_and_gives_a_dotted_address(fds: Fds) -> None:
    """C's IP_MULTICAST_IF value is a ``struct in_addr``: the 4 bytes of the
    address, which the kernel gives back as they were set."""
    import socket as stdlib
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.getsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF) == "0.0.0.0"
    assert ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, "127.0.0.1") == 0
    assert ps.getsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF) == "127.0.0.1"
    raw = stdlib.socket(fileno=os.dup(fd))
    try:  # what the kernel holds: the packed address, as C's in_addr
        assert raw.getsockopt(stdlib.IPPROTO_IP, stdlib.IP_MULTICAST_IF, 4) == bytes([127, 0, 0, 1])
    finally:
        raw.close()
    assert ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, "0.0.0.0") == 0
    assert ps.getsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF) == "0.0.0.0"


@pytest.mark.parametrize("text", ["not an address", "::1", "", "127.0.0.1\0"])
def test_ip_multicast_if_invalid_address(fds: Fds, text: str) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, text) == (
        None, "setsockopt: Invalid argument", EINVAL)


def test_ip_multicast_if_argument_errors(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    with pytest.raises(TypeError, match=r"^bad argument #4 to 'setsockopt' \(str expected, got int;"
                                        r" IP_MULTICAST_IF takes an interface's IPv4 address string\)$"):
        ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, 0x0100007F)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"^bad argument #5 to 'setsockopt' \(no more than 4 arguments"):
        ps.setsockopt(fd, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, "127.0.0.1", 1)  # type: ignore[call-overload]


def test_ip_multicast_if_sends_through_loopback(fds: Fds) -> None:
    """A datagram to a group, sent from the interface IP_MULTICAST_IF names,
    reaches a member on that interface."""
    receiver = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.bind(receiver, {"family": ps.AF_INET, "port": 0, "addr": "0.0.0.0"}) == 0
    port = ps.check(ps.getsockname(receiver))
    assert port["family"] == ps.AF_INET
    group = "239.255.15.15"
    member = ps.setsockopt(receiver, ps.IPPROTO_IP, ps.IP_ADD_MEMBERSHIP, group, "127.0.0.1")
    if isinstance(member, ps.Error):
        pytest.fail(f"IP_ADD_MEMBERSHIP on lo: {member}")
    assert ps.setsockopt(receiver, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0) == 0
    sender = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.setsockopt(sender, ps.IPPROTO_IP, ps.IP_MULTICAST_IF, "127.0.0.1") == 0
    assert ps.setsockopt(sender, ps.IPPROTO_IP, ps.IP_MULTICAST_LOOP, 1) == 0
    assert ps.sendto(sender, b"to the group", {"family": ps.AF_INET, "port": port["port"],
                                               "addr": group}) == 12
    data, source = ps.check(ps.recvfrom(receiver, 64))
    assert data == b"to the group" and source["family"] == ps.AF_INET
    assert source["addr"] == "127.0.0.1"


def _listener(fds: Fds) -> Tuple[int, ps.SockAddrBound]:
    listener = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.bind(listener, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}) == 0
    assert ps.listen(listener, 8) == 0
    return listener, ps.check(ps.getsockname(listener))


@linux_only("accept4's SOCK_NONBLOCK and SOCK_CLOEXEC")
@pytest.mark.parametrize("names", ["", "SOCK_CLOEXEC", "SOCK_NONBLOCK", "SOCK_NONBLOCK SOCK_CLOEXEC"])
def test_accept_flags(fds: Fds, names: str) -> None:
    """accept4's flags: SOCK_NONBLOCK gives a non-blocking descriptor; the
    new descriptor is close-on-exec whatever the flags."""
    flags = 0
    for name in names.split():
        flags |= getattr(ps, name)
    blocking = "SOCK_NONBLOCK" not in names
    listener, where = _listener(fds)
    client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.connect(client, where) == 0
    accepted = ps.accept(listener, flags)
    assert not isinstance(accepted, ps.Error), accepted
    conn, peer = accepted
    fds.track(conn)
    assert peer == ps.check(ps.getsockname(client))
    assert os.get_blocking(conn) is blocking and os.get_inheritable(conn) is False
    assert os.get_blocking(listener) is True  # the listener is left as it was
    if not blocking:
        assert ps.recv(conn, 16) == (None, "Resource temporarily unavailable", errno.EAGAIN)


@linux_only("accept4's flags")
def test_accept_flags_errors_in_linux_order(fds: Fds, file_fd: int, closed_fd: int) -> None:
    """accept4 with a flag it does not know: EINVAL once it has the file,
    so after EBADF and before ENOTSOCK (C on this machine agrees)."""
    assert ps.SOCK_NONBLOCK is not None
    bad = ps.SOCK_NONBLOCK | 1
    assert ps.accept(closed_fd, bad) == (None, "accept: Bad file descriptor", errno.EBADF)
    listener, _ = _listener(fds)  # (may take closed_fd's number)
    assert ps.accept(file_fd, bad) == (None, "accept: Invalid argument", EINVAL)
    assert ps.accept(listener, bad) == (None, "accept: Invalid argument", EINVAL)
    assert ps.accept(file_fd, 0) == (None, "accept: Socket operation on non-socket", errno.ENOTSOCK)
    with pytest.raises(TypeError, match=r"^bad argument #2 to 'accept' \(int expected, got str\)$"):
        ps.accept(listener, "SOCK_NONBLOCK")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ps.accept(listener, 0, 0)  # type: ignore[call-arg]
