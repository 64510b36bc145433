"""Issue 9 (receiving, arguments, privileges): an adversarial user's
reproductions, each pinned.

Interleavings are scheduled, not hoped for: a profile hook runs the second
reader (or raises the signal) at the exact C call where the race would be.
"""
from __future__ import annotations

import os
import signal
import socket as stdlib
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any, Callable, List, Optional

import pytest

import posixsock as ps
from _privileges import bindtodevice_denied, linux_only, packet_denied
from conftest import Fds, loopback

ROOT = Path(__file__).resolve().parent.parent
MSG_WAITALL = stdlib.MSG_WAITALL
ENOTSOCK = 88
EINVAL = 22
_RECEIVES = {"recv", "recvfrom", "recv_into", "recvfrom_into", "recvmsg", "recvmsg_into"}


def _profiled(hook: Callable[[str], None], call: Callable[[], Any]) -> Any:
    """Run ``call`` with ``hook(name)`` called before every C function it
    calls (the hook's own calls are not profiled)."""
    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call":
            hook(getattr(arg, "__name__", ""))
    sys.setprofile(profile)
    try:
        return call()
    finally:
        sys.setprofile(None)


# --- 5: a handler's exception is no verdict on an address ------------------------

@pytest.mark.parametrize("family, text", [(ps.AF_INET, "127.9.8.7"), (ps.AF_INET6, "::ffff:127.9.8.6")])
def test_alarm_during_inet_pton_does_not_poison_the_address(fds: Fds, family: int, text: str) -> None:
    """The signal arrives while inet_pton checks the address: the handler's
    TimeoutError propagates, and the address stays numeric."""
    fd = fds.socket(family, ps.SOCK_DGRAM)
    addr: ps.SockAddr = {"family": family, "port": 9, "addr": text}

    def alarm(signum: int, frame: Optional[FrameType]) -> None:
        raise TimeoutError("alarm")

    def hook(name: str) -> None:
        if name == "inet_pton":
            sys.setprofile(None)
            signal.raise_signal(signal.SIGUSR1)  # the handler runs right here

    old = signal.signal(signal.SIGUSR1, alarm)
    try:
        with pytest.raises(TimeoutError):
            _profiled(hook, lambda: ps.connect(fd, addr))
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert ps.connect(fd, addr) == 0
    assert ps.sendto(fd, b"x", addr) == 1
    assert ps.bind(fd, addr) != (None, "not a valid IPv4 or IPv6 argument: Invalid argument", EINVAL)


# --- 7: a second reader cannot cut a datagram --------------------------------------

def _receive(how: str, fd: int, count: int, flags: int = 0) -> Any:
    if how == "recv":
        return ps.recv(fd, count, flags)
    if how == "recvfrom":
        got = ps.recvfrom(fd, count, flags)
        return got if isinstance(got, ps.Error) else got[0]
    got = ps.recvmsg(fd, count, 0, flags)
    return got if isinstance(got, ps.Error) else got[0]


@pytest.mark.parametrize("steal_before", [1, 2, 3])
@pytest.mark.parametrize("how", ["recv", "recvfrom", "recvmsg"])
def test_second_reader_cannot_truncate_a_datagram(fds: Fds, how: str, steal_before: int) -> None:
    """1 byte, then 5,000 bytes are queued; another reader takes the head
    datagram just before the ``steal_before``-th receive system call of one
    large-count receive (a receive that peeks at the size first makes more
    than one: the thief then runs between the peeks and the read).
    Whatever the receive returns is a whole datagram."""
    one, two = fds.pair(ps.SOCK_DGRAM)
    other = fds.track(os.dup(two))
    payload = os.urandom(5000)
    assert ps.send(one, b"a") == 1 and ps.send(one, payload) == 5000
    stolen: List[bytes] = []
    seen = [0]

    def hook(name: str) -> None:
        if name in _RECEIVES:
            seen[0] += 1
            if seen[0] == steal_before:
                stolen.append(os.read(other, 65536))

    got = _profiled(hook, lambda: _receive(how, two, 2**20))
    assert got in (b"a", payload), (len(got), stolen)
    rest = [] if got == payload else [_receive(how, two, 2**20)]
    assert sorted([got, *stolen, *rest], key=len) == [b"a", payload]


# --- 8: MSG_WAITALL waits for every byte --------------------------------------------

@pytest.mark.parametrize("how", ["recv", "recvfrom", "recvmsg"])
@pytest.mark.parametrize("size", [300 * 1024, 1024 * 1024])
def test_waitall_above_256k_waits_for_all(fds: Fds, how: str, size: int) -> None:
    """The socket buffers hold far less than ``size``: only a receive that
    waits for all of it (as C's does) returns it whole."""
    one, two = fds.pair()
    ps.check(ps.setsockopt(one, ps.SOL_SOCKET, ps.SO_SNDBUF, 65536))
    ps.check(ps.setsockopt(two, ps.SOL_SOCKET, ps.SO_RCVBUF, 65536))
    payload = os.urandom(size)

    def send_all() -> None:
        view = memoryview(payload)
        while view:
            view = view[ps.check(ps.send(one, view)):]

    sender = threading.Thread(target=send_all)
    sender.start()
    try:
        got = _receive(how, two, size, MSG_WAITALL)
    finally:
        sender.join(10)
    assert not isinstance(got, ps.Error), got
    assert len(got) == size and got == payload


def test_memory_follows_the_data_in_rss() -> None:
    """Resident memory, not just Python's allocations: huge counts (stream,
    datagram, MSG_WAITALL, MSG_TRUNC, recvmsg) and 20 receives of a 1 MiB
    datagram leave the high-water mark within a few MiB of the data."""
    code = r"""
import os, threading
import posixsock as ps

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise SystemExit("no " + key)

start = status("VmHWM")
a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
ps.check(ps.setsockopt(a, ps.SOL_SOCKET, ps.SO_SNDBUF, 4 << 20))
big = os.urandom(1 << 20)
for count in (2**40, 2**64, 2**31):
    assert ps.send(a, b"small") == 5
    assert ps.recv(b, count) == b"small"
    assert ps.send(a, b"small") == 5
    assert ps.recvmsg(b, count)[0] == b"small"
    assert ps.send(a, b"trunc") == 5
    assert ps.recv(b, count, ps.MSG_TRUNC) == b"trunc"
for _ in range(20):
    assert ps.send(a, big) == len(big)
    assert ps.recvfrom(b, 2**40)[0] == big
s, t = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
sender = threading.Thread(target=lambda: ps.send(s, big))
sender.start()
assert ps.recv(t, len(big), ps.MSG_WAITALL) == big
sender.join()
assert ps.send(s, b"tail") == 4
assert ps.recv(t, 2**40) == b"tail"
print(status("VmHWM") - start, status("VmRSS") - start)
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    peak, now = map(int, out.stdout.split())
    # 1 MiB datagrams, the payload and its copies: a few MiB.  A buffer of
    # the count (or even of the 2 GiB a receive can return) would be GiBs.
    assert peak < 24 << 20, f"peak grew by {peak >> 10} KiB"
    assert now < 24 << 20, f"resident grew by {now >> 10} KiB"


def test_large_counts_work_where_the_mapping_is_refused() -> None:
    """Under an address-space limit too small for the receive buffer's
    mapping, large counts fall back to peeking at the size first."""
    code = r"""
import mmap, resource
import posixsock as ps
from posixsock import _recvbuf

size = [int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize:")][0]
resource.setrlimit(resource.RLIMIT_AS, (size + (512 << 20), resource.RLIM_INFINITY))
assert _recvbuf.big_buffer() is None
a, b = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
for count in (2**18 + 1, 2**40):
    assert ps.send(a, b"d" * 5000) == 5000 and ps.send(a, b"next") == 4
    assert ps.recv(b, count) == b"d" * 5000
    assert ps.recvmsg(b, count)[0] == b"next"
    assert ps.send(a, b"t" * 5000) == 5000
    assert ps.recvfrom(b, count, ps.MSG_TRUNC)[0] == b"t" * 5000
s, t = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
assert ps.send(s, b"stream") == 6
assert ps.recv(t, 2**40) == b"stream"
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout == "ok\n", out.stderr


# --- 9: unsigned 32-bit fields take any C int ----------------------------------------

@linux_only("AF_NETLINK")
def test_netlink_groups_minus_one_is_all_groups(fds: Fds) -> None:
    """luaposix's own example binds with groups = -1 (C's idiom for all
    groups); the kernel is given 0xFFFFFFFF, as C's assignment gives it."""
    fd = fds.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE)
    got = ps.bind(fd, {"family": ps.AF_NETLINK, "pid": os.getpid(), "groups": -1})
    if got == (None, "bind: Operation not permitted", 1):  # the kernel's verdict, not ours
        pytest.skip("joining netlink groups needs CAP_NET_ADMIN here")
    assert got == 0
    assert ps.getsockname(fd) == {"family": ps.AF_NETLINK, "pid": os.getpid(), "groups": 2**32 - 1}


@pytest.mark.parametrize("value, stored", [(-1, 2**32 - 1), (-(2**31), 2**31), (2**32 - 1, 2**32 - 1)])
@linux_only("AF_NETLINK")
def test_u32_fields_take_c_ints_as_c_stores_them(fds: Fds, value: int, stored: int) -> None:
    nl = fds.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE)
    assert ps.bind(nl, {"family": ps.AF_NETLINK, "pid": value, "groups": 0}) == 0
    assert ps.getsockname(nl) == {"family": ps.AF_NETLINK, "pid": stored, "groups": 0}
    # scope_id: the kernel ignores it for ::1 and checks it for link-local
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    assert ps.bind(fd, {**loopback(ps.AF_INET6), "scope_id": value}) == 0
    got = ps.connect(fd, {"family": ps.AF_INET6, "port": 9, "addr": "fe80::1", "scope_id": value})
    assert isinstance(got, ps.Error) and got.errnum != EINVAL or got == 0, got


@pytest.mark.parametrize("value", [-(2**31) - 1, 2**32])
@linux_only("AF_NETLINK")
def test_u32_fields_beyond_c_types_stay_einval(fds: Fds, value: int) -> None:
    nl = fds.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE)
    einval = (None, "not a valid IPv4 or IPv6 argument: Invalid argument", EINVAL)
    assert ps.bind(nl, {"family": ps.AF_NETLINK, "pid": 0, "groups": value}) == einval
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    assert ps.bind(fd, {**loopback(ps.AF_INET6), "scope_id": value}) == einval
    assert ps.bind(fd, {**loopback(ps.AF_INET6), "port": -1}) == einval  # port keeps its EINVAL


# --- 10: a NUL inside a filesystem path ---------------------------------------------

def test_nul_inside_a_unix_path_is_einval(fds: Fds, unix_dir: str) -> None:
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    cut: ps.SockAddr = {"family": ps.AF_UNIX, "path": unix_dir + "/ok\0.sock"}
    einval = (None, "not a valid IPv4 or IPv6 argument: Invalid argument", EINVAL)
    assert ps.bind(fd, cut) == einval
    assert ps.sendto(fd, b"x", cut) == einval
    assert ps.connect(fd, cut) == (None, "not a valid IPv4 or IPv6 address argument: Invalid argument",
                                   EINVAL)
    assert os.listdir(unix_dir) == []  # nothing was bound to "ok"
    assert ps.getsockname(fd) == {"family": ps.AF_UNIX, "path": ""}


@linux_only("abstract AF_UNIX names")
def test_abstract_name_keeps_its_nuls(fds: Fds, abstract_name: Callable[[], str]) -> None:
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    name: ps.SockAddr = {"family": ps.AF_UNIX, "path": abstract_name() + "\0in\0side"}
    assert ps.bind(fd, name) == 0
    assert ps.getsockname(fd) == name
    sender = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    assert ps.sendto(sender, b"to the whole name", name) == 17


# --- 11: the numeric-address cache keeps no caller's string --------------------------

def test_address_cache_keeps_no_long_strings(fds: Fds) -> None:
    fd4 = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    fd6 = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    texts = [f"{i}-".ljust(100_000, "x") for i in range(300)]
    before = [sys.getrefcount(t) for t in texts]
    for text in texts:
        assert ps.connect(fd4, {"family": ps.AF_INET, "port": 9, "addr": text})[2] == EINVAL
        assert ps.sendto(fd6, b"", {"family": ps.AF_INET6, "port": 9, "addr": text})[2] == EINVAL
    del text
    assert [sys.getrefcount(t) for t in texts] == before  # none is held
    # the longest numeric text (45 characters) is still an address
    longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
    assert len(longest) == 45
    assert ps.sendto(fd6, b"", {"family": ps.AF_INET6, "port": 9, "addr": longest}) != (
        None, "not a valid IPv4 or IPv6 argument: Invalid argument", EINVAL)


# --- 12: an int subclass cannot lie its way past a range check ---------------------

class Liar(int):
    """An int whose comparisons always answer "in range"."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return False

    def __le__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True


_LYING_CALLS: List[Callable[[int], object]] = [
    lambda fd: ps.socket(Liar(2**40), ps.SOCK_STREAM, 0),
    lambda fd: ps.socketpair(ps.AF_UNIX, Liar(2**40), 0),
    lambda fd: ps.listen(fd, Liar(2**40)),
    lambda fd: ps.getsockopt(fd, Liar(2**40), ps.SO_TYPE),
    lambda fd: ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, Liar(2**70), 0),
    lambda fd: ps.recv(fd, 10, Liar(2**40)),
    lambda fd: ps.recv(fd, Liar(-5)),
    lambda fd: ps.recvmsg(fd, 10, Liar(-5)),
    lambda fd: ps.send_fds(fd, b"x", [Liar(2**40)]),
    lambda fd: ps.sendmsg(fd, [b"x"], [{"level": Liar(2**40), "type": 1, "data": b""}]),
    lambda fd: ps.getaddrinfo("127.0.0.1", "80", {"flags": Liar(2**40)}),
]
_LYING_IDS = ["socket", "socketpair", "listen", "getsockopt", "setsockopt-timeval", "recv-flags",
              "recv-count", "recvmsg-ancillary", "send_fds", "sendmsg-level", "getaddrinfo-flags"]


@pytest.mark.parametrize("call", _LYING_CALLS, ids=_LYING_IDS)
def test_lying_int_is_a_value_error(fds: Fds, call: Callable[[int], object]) -> None:
    fd, _ = fds.pair()
    with pytest.raises(ValueError, match="bad argument"):
        call(fd)


@linux_only("AF_NETLINK")
def test_lying_int_fields_are_einval(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    einval = (None, "not a valid IPv4 or IPv6 argument: Invalid argument", EINVAL)
    assert ps.bind(fd, {"family": ps.AF_INET, "port": Liar(70000), "addr": "127.0.0.1"}) == einval
    assert ps.bind(fd, {"family": ps.AF_INET, "port": Liar(-1), "addr": "127.0.0.1"}) == einval
    nl = fds.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE)
    assert ps.bind(nl, {"family": ps.AF_NETLINK, "pid": 0, "groups": Liar(2**40)}) == einval
    assert ps.recv(Liar(2**40), 1) == (None, "Bad file descriptor", 9)
    assert ps.if_indextoname(Liar(2**40)) == (None, "if_indextoname: No such device or address", 6)


# --- 13: a number that is no longer a socket ----------------------------------------

@linux_only("AF_PACKET")
def test_packet_address_on_a_number_now_a_pipe_is_enotsock(fds: Fds) -> None:
    """CPython looks the interface up with an ioctl on the descriptor; on
    the pipe the number now names, that is ENOTTY, where C's call (and
    luaposix) gives ENOTSOCK."""
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    lo = ps.check(ps.if_nametoindex("lo"))
    packet: ps.SockAddr = {"family": ps.AF_PACKET, "ifindex": lo}
    assert isinstance(ps.bind(fd, packet), ps.Error)  # the number was a socket
    read, write = os.pipe()
    try:
        os.dup2(read, fd)  # ... and is a pipe now
        assert ps.bind(fd, packet) == (None, "bind: Socket operation on non-socket", ENOTSOCK)
        assert ps.connect(fd, packet) == (None, "connect: Socket operation on non-socket", ENOTSOCK)
        assert ps.sendto(fd, b"x", packet) == (None, "sendto: Socket operation on non-socket",
                                               ENOTSOCK)
        assert ps.sendmsg(fd, [b"x"], [], 0, packet) == (
            None, "sendmsg: Socket operation on non-socket", ENOTSOCK)
        os.close(fd)
        assert ps.bind(fd, packet) == (None, "bind: Bad file descriptor", 9)
    finally:
        os.close(read)
        os.close(write)


# --- 14: privileges are tried, not inferred from the uid ----------------------------

_PRIVILEGED = [
    "tests/test_addresses.py", "tests/test_hostile.py::test_netlink_groups_minus_one_is_all_groups", "tests/test_sockopt.py", "tests/test_examples.py::test_packet_lo",
    "tests/test_selfcheck.py", "tests/test_luaposix.py::test_packet_ifindex_zero_is_enodev",
    "tests/test_luaposix.py::test_same_as_luaposix",
]


@pytest.mark.skipif(os.geteuid() != 0 or packet_denied() is not None
                    or bindtodevice_denied() is not None,
                    reason="needs root with CAP_NET_RAW to drop it")
def test_suite_skips_what_root_without_cap_net_raw_may_not_do() -> None:
    """Root without CAP_NET_RAW and CAP_NET_ADMIN (as many containers run):
    the privilege-dependent tests pass or skip with the reason."""
    setpriv = "/usr/bin/setpriv"
    if not os.access(setpriv, os.X_OK):
        pytest.skip("no setpriv")
    out = subprocess.run(
        [setpriv, "--bounding-set=-net_raw,-net_admin", "--inh-caps=-net_raw,-net_admin",
         sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *_PRIVILEGED],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "need CAP_NET_RAW" in out.stdout  # they did skip, saying why
