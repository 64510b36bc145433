"""Issue 4.1: posixsock never harms a caller's descriptor.

For every function, on success and on every error path: the descriptor stays
open and is the same one, its O_NONBLOCK and FD_CLOEXEC flags are unchanged
-- whatever socket.setdefaulttimeout says, from 8 threads at once -- and a
number that is closed and reused by another kind of descriptor is handled as
the new descriptor.  No ResourceWarning, not even at interpreter exit.
(Signal handlers raising during a blocking call: test_signals.py.)
"""
from __future__ import annotations

import itertools
import os
import socket as stdlib
import subprocess
import sys
import tempfile
import threading
from typing import Callable, Dict, Iterator, List, Optional

import pytest

import posixsock as ps
from _robust_helpers import (
    LOOP4, LOOP6, Kit, close_all, ok, outcome, run_every_call, tcp_listener,
    unused_fd_number,
)

FLAG_COMBOS = [(False, False), (False, True), (True, False), (True, True)]


@pytest.fixture
def default_timeout() -> Iterator[Callable[[Optional[float]], None]]:
    saved = stdlib.getdefaulttimeout()
    yield stdlib.setdefaulttimeout
    stdlib.setdefaulttimeout(saved)


@pytest.mark.parametrize("timeout", [None, 0.0, 2.5])
@pytest.mark.parametrize("nonblock,cloexec", FLAG_COMBOS)
def test_every_call_keeps_descriptor_and_flags(
        nonblock: bool, cloexec: bool, timeout: Optional[float],
        default_timeout: Callable[[Optional[float]], None], tmp_path: object) -> None:
    default_timeout(timeout)
    kit = Kit(nonblock, cloexec, str(tmp_path))
    try:
        calls = run_every_call(kit)  # asserts outcome + descriptors per call
        assert calls > 100
        kit.check("after all calls")
    finally:
        kit.close()


def test_eight_threads_at_once(default_timeout: Callable[[Optional[float]], None]) -> None:
    """8 threads run every call on their own descriptors (each with other
    flags) and read-only calls on shared ones, while a 9th thread keeps
    changing socket.setdefaulttimeout."""
    stop = threading.Event()
    errors: List[BaseException] = []
    counts: Dict[int, int] = {}
    with tempfile.TemporaryDirectory() as shared_dir:
        shared = Kit(False, True, shared_dir)

        def worker(n: int) -> None:
            try:
                with tempfile.TemporaryDirectory() as d:
                    kit = Kit(*FLAG_COMBOS[n % 4], d)
                    try:
                        made = 0
                        for _ in range(4):
                            made += run_every_call(kit)
                            for _ in range(50):  # shared, read-only
                                ok(ps.getsockname(shared.udp4))
                                ok(ps.getpeername(shared.client))
                                ok(ps.getsockopt(shared.listener, ps.SOL_SOCKET, ps.SO_ACCEPTCONN))
                                assert ps.recv(shared.client, 10, stdlib.MSG_DONTWAIT).errnum == 11
                                assert ps.getsockname(shared.file).errnum == 88
                                made += 5
                        counts[n] = made
                    finally:
                        kit.close()
            except BaseException as exc:  # reported below
                errors.append(exc)

        def toggler() -> None:
            for value in itertools.cycle([None, 0.0, 1.5]):
                if stop.is_set():
                    return
                default_timeout(value)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        flip = threading.Thread(target=toggler)
        flip.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        stop.set()
        flip.join(10)
        try:
            assert not any(t.is_alive() for t in threads), "a worker hung"
            assert not errors, errors
            assert len(counts) == 8
            shared.check("shared, after 8 threads")
        finally:
            shared.close()
    print(f"\n8 threads: {sum(counts.values())} calls, descriptors checked after each")


# --- a number closed and reused by another kind of descriptor ---------------------

def _kinds(tmp: str) -> Dict[str, Callable[[], Optional[int]]]:
    def sock(domain: int, kind: int) -> Callable[[], int]:
        return lambda: ok(ps.socket(domain, kind, 0))

    def pipe() -> int:
        r, w = os.pipe()
        os.close(w)
        return r

    return {
        "udp4": sock(ps.AF_INET, ps.SOCK_DGRAM), "udp6": sock(ps.AF_INET6, ps.SOCK_DGRAM),
        "tcp4": sock(ps.AF_INET, ps.SOCK_STREAM), "tcp6": sock(ps.AF_INET6, ps.SOCK_STREAM),
        "unix-dgram": sock(ps.AF_UNIX, ps.SOCK_DGRAM),
        "unix-stream": sock(ps.AF_UNIX, ps.SOCK_STREAM),
        "file": lambda: os.open(os.path.join(tmp, "plain"), os.O_RDWR | os.O_CREAT),
        "pipe": pipe, "closed": lambda: None,
    }


def _probe(fd: int, listen4: ps.SockAddr, listen6: ps.SockAddr, tmp: str) -> List[object]:
    """Every function on ``fd``, addresses of every family: what happened.
    (Results that carry a port or a descriptor are reduced to their kind.)"""
    kind = outcome

    def name_family() -> object:
        r = ps.getsockname(fd)
        return r if isinstance(r, ps.Error) else r["family"]

    unix = {"family": ps.AF_UNIX, "path": os.path.join(tmp, "missing")}
    closed4 = {"family": ps.AF_INET, "addr": LOOP4, "port": 9}
    if _is_socket(fd):  # accept on a listening socket: EAGAIN after 50 ms
        ok(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 0, 50000))
    return [
        kind(lambda: ps.getsockopt(fd, ps.SOL_SOCKET, 39)),  # SO_DOMAIN
        kind(lambda: ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE)),
        ps.getsockopt(fd, ps.SOL_SOCKET, 39), ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE),
        name_family(), kind(lambda: ps.getpeername(fd)),
        kind(lambda: ps.bind(fd, {"family": ps.AF_INET, "addr": LOOP4, "port": 0})),
        kind(lambda: ps.bind(fd, {"family": ps.AF_INET6, "addr": LOOP6, "port": 0})),
        kind(lambda: ps.bind(fd, {"family": ps.AF_UNIX, "path": ""})),
        name_family(),
        kind(lambda: ps.connect(fd, listen4)), kind(lambda: ps.connect(fd, listen6)),
        kind(lambda: ps.connect(fd, unix)),
        kind(lambda: ps.sendto(fd, b"x", closed4)), kind(lambda: ps.send(fd, b"")),
        kind(lambda: ps.recv(fd, 10, stdlib.MSG_DONTWAIT)),
        kind(lambda: ps.recvfrom(fd, 2**40, stdlib.MSG_DONTWAIT)),
        kind(lambda: ps.listen(fd, 5)), kind(lambda: ps.accept(fd)),
        kind(lambda: ps.shutdown(fd, ps.SHUT_RDWR)),
    ]


def _is_socket(fd: int) -> bool:
    try:
        return bool(os.fstat(fd).st_mode & 0o140000 == 0o140000)
    except OSError:
        return False


def _install(number: int, fd: Optional[int]) -> None:
    """Put ``fd`` at ``number`` (None: leave ``number`` closed)."""
    try:
        os.close(number)
    except OSError:
        pass
    if fd is not None:
        os.dup2(fd, number)
        os.close(fd)


def test_reused_number_acts_on_the_new_descriptor(tmp_path: object) -> None:
    """For every ordered pair of kinds (sockets of each family and type, a
    file, a pipe, nothing): a number used by the first, then closed and
    reused by the second, behaves exactly like a never-seen descriptor of
    the second kind in the same state."""
    tmp = str(tmp_path)
    kinds = _kinds(tmp)
    number = unused_fd_number() - 1
    l4, addr4 = tcp_listener(ps.AF_INET)
    l6, addr6 = tcp_listener(ps.AF_INET6)
    pairs = 0
    try:
        for first, second in itertools.permutations(kinds, 2):
            _install(number, kinds[first]())
            _probe(number, addr4, addr6, tmp)  # fills posixsock's caches
            _install(number, kinds[second]())
            twin = kinds[second]()
            try:
                got = _probe(number, addr4, addr6, tmp)
                want = _probe(unused_fd_number() if twin is None else twin, addr4, addr6, tmp)
                assert got == want, f"{first} -> {second}: {got} != {want}"
            finally:
                close_all([] if twin is None else [twin])
            pairs += 1
    finally:
        close_all([l4, l6])
        _install(number, None)
    assert pairs == 72


def test_reused_number_getsockname(tmp_path: object) -> None:
    """The lowest free number is reused (POSIX): AF_INET, then AF_INET6, then
    AF_UNIX, then a file, then nothing, on one number."""
    fd = ok(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    ok(ps.bind(fd, {"family": ps.AF_INET, "addr": LOOP4, "port": 0}))
    first = ok(ps.getsockname(fd))
    assert first["family"] == ps.AF_INET and first["addr"] == LOOP4
    assert ok(ps.connect(fd, first)) == 0  # caches an AF_INET object too
    os.close(fd)

    fd6 = ok(ps.socket(ps.AF_INET6, ps.SOCK_DGRAM, 0))
    assert fd6 == fd, "the lowest free number was not reused"
    ok(ps.bind(fd6, {"family": ps.AF_INET6, "addr": LOOP6, "port": 0}))
    name6 = ok(ps.getsockname(fd6))
    assert name6["family"] == ps.AF_INET6 and name6["addr"] == LOOP6
    assert name6 == {"family": ps.AF_INET6, "addr": LOOP6, "port": name6["port"],
                     "flowinfo": 0, "scope_id": 0}
    assert ok(ps.sendto(fd6, b"six", name6)) == 3
    assert ok(ps.recvfrom(fd6, 10)) == (b"six", name6)
    os.close(fd6)

    fdu = ok(ps.socket(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    assert fdu == fd
    path = os.path.join(str(tmp_path), "u")
    ok(ps.bind(fdu, {"family": ps.AF_UNIX, "path": path}))
    assert ok(ps.getsockname(fdu)) == {"family": ps.AF_UNIX, "path": path}
    assert ok(ps.sendto(fdu, b"unix", {"family": ps.AF_UNIX, "path": path})) == 4
    assert ok(ps.recvfrom(fdu, 10)) == (b"unix", {"family": ps.AF_UNIX, "path": path})
    os.close(fdu)

    fdf = os.open(os.devnull, os.O_RDONLY)
    assert fdf == fd
    try:
        for result in (ps.getsockname(fdf), ps.connect(fdf, first), ps.recv(fdf, 1),
                       ps.sendto(fdf, b"x", name6), ps.getsockopt(fdf, ps.SOL_SOCKET, ps.SO_TYPE)):
            assert isinstance(result, ps.Error) and result.errnum == 88, result  # ENOTSOCK
        assert ps.getsockname(fdf).message == "getsockname: Socket operation on non-socket"
    finally:
        os.close(fdf)
    for result in (ps.getsockname(fd), ps.connect(fd, first), ps.bind(fd, name6)):
        assert isinstance(result, ps.Error) and result.errnum == 9, result  # EBADF


# --- no ResourceWarning, not even at exit -----------------------------------------

CHILD = r"""
import gc, os, socket, sys, tempfile
sys.path.insert(0, sys.argv[1])
import posixsock as ps
from posixsock import _fd
from _robust_helpers import Kit, identity, run_every_call

calls = 0
kits = []
tmp = tempfile.TemporaryDirectory()
for timeout in (None, 0.0, 3.0):
    socket.setdefaulttimeout(timeout)
    for nonblock in (False, True):
        for cloexec in (False, True):
            kit = Kit(nonblock, cloexec, tmp.name)
            calls += run_every_call(kit)
            kits.append(kit)
# drop every cached stdlib object: their finalizers must not close anything
_fd.plain.clear(); _fd.by_family.clear(); gc.collect()
for kit in kits:
    kit.check("after the caches were dropped")
for kit in kits[::2]:
    calls += run_every_call(kit)  # cache again, then close half of them
    kit.close()
# exit with cached objects on open descriptors and on closed ones
print(calls)
tmp.cleanup()
"""


def test_no_resource_warning_under_dev_mode() -> None:
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", CHILD, tests_dir],
        capture_output=True, text=True, timeout=120,
        cwd=os.path.dirname(tests_dir))
    assert proc.stderr == ""
    assert proc.returncode == 0
    assert int(proc.stdout) > 1000
    print(f"\n-X dev -W error child: {proc.stdout.strip()} calls, rc 0, empty stderr")
