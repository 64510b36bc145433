"""macOS and FreeBSD, here: the suite under a simulated platform, and what
posixsock decides differently there.

``test_simulated_suite`` runs the behaviour tests again in a child pytest
with ``POSIXSOCK_SIMULATE=darwin`` and ``=freebsd14`` (tests/_simulate.py:
``sys.platform`` set, the names that platform's ``socket``/``_socket``/
``mmap`` lack removed, on this Linux kernel).  The tests below it marked
``elsewhere`` run only inside those children: they check the decisions
posixsock takes off Linux.  The static side (mypy ``--platform``, pyright
``pythonPlatform``) is in tests/test_types.py.
"""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

import pytest

import _simulate
import posixsock as ps
from conftest import Fds

ROOT = Path(__file__).resolve().parent.parent
SIMULATED = os.environ.get("POSIXSOCK_SIMULATE")
# The behaviour files (not the static checks, the luaposix differential
# runs, the self-check, examples, docs, packaging or benchmarks, which run a
# child Python of their own or compare Linux's numbers).
FILES = ["test_socket.py", "test_io.py", "test_addresses.py", "test_extras.py",
         "test_sockopt.py", "test_families.py", "test_fd_safety.py", "test_errors.py",
         "test_hostile.py", "test_adversarial.py", "test_signals.py", "test_signals_round2.py",
         "test_leaks.py", "test_getaddrinfo.py", "test_round3.py", "test_platforms.py"]
# CI's other Pythons (POSIXSOCK_QUICK=1): the core files only
QUICK_FILES = ["test_socket.py", "test_io.py", "test_addresses.py", "test_extras.py",
               "test_families.py", "test_errors.py", "test_fd_safety.py", "test_platforms.py"]
SUMMARY = re.compile(r"(\d+) (passed|skipped|failed|errors?|xfailed|xpassed|deselected)")

elsewhere = pytest.mark.skipif(sys.platform == "linux",
                               reason="checks the simulated macOS/FreeBSD runs (test_simulated_suite)")


@pytest.mark.skipif(SIMULATED is not None, reason="already inside a simulated run")
@pytest.mark.parametrize("platform", _simulate.PLATFORMS)
def test_simulated_suite(platform: str) -> None:
    files = QUICK_FILES if os.environ.get("POSIXSOCK_QUICK") else FILES
    # (no hypothesis plugins: trio's, of the test extra, would import trio, which
    # picks its I/O by the simulated sys.platform)
    env = dict(os.environ, POSIXSOCK_SIMULATE=platform, HYPOTHESIS_NO_PLUGINS="1")
    # a short base directory of its own: AF_UNIX paths under it must fit
    # macOS/BSD's 104-byte sun_path, and the child must not prune ours
    base = tempfile.mkdtemp(prefix="psk-sim-", dir="/tmp")
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
             "--basetemp", os.path.join(base, "t"), *(f"tests/{name}" for name in files)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    tail = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    counts: Dict[str, int] = {kind: int(n) for n, kind in SUMMARY.findall(tail)}
    print(f"simulated {platform}: {tail}")  # the pass/skip counts, with -s
    failures = [line for line in out.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert out.returncode == 0, "\n".join(failures) + "\n" + out.stdout[-6000:] + out.stderr[-2000:]
    assert counts.get("passed", 0) >= (250 if os.environ.get("POSIXSOCK_QUICK") else 500), tail
    assert "failed" not in counts and "error" not in counts and "errors" not in counts
    # every skip there says why; Linux-only families and behaviours say so
    skips = [line for line in out.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips and all(": " in line for line in skips)


def test_the_simulated_platforms_lack_what_they_lack() -> None:
    """What _simulate removes, from typeshed's platform blocks and the
    corrections from socketmodule.c: spot checks of the audit's list."""
    if SIMULATED is not None:
        pytest.skip("reads the Linux stdlib")
    darwin = _simulate.lacking("_socket", "darwin")
    freebsd = _simulate.lacking("_socket", "freebsd14")
    for name in ("AF_PACKET", "AF_NETLINK", "AF_VSOCK", "SO_PEERCRED", "SCM_CREDENTIALS",
                 "SO_BINDTODEVICE", "TCP_USER_TIMEOUT"):
        assert name in darwin and name in freebsd, name
    for name in ("MSG_NOSIGNAL", "SOCK_NONBLOCK", "SOCK_CLOEXEC", "MSG_CMSG_CLOEXEC",
                 "SO_DOMAIN", "SO_PROTOCOL"):
        assert name in darwin and name not in freebsd, name
    for name in ("AF_INET6", "AF_UNIX", "SCM_RIGHTS", "MSG_DONTWAIT", "SO_REUSEPORT",
                 "IPV6_V6ONLY", "AI_ADDRCONFIG"):
        assert name not in darwin and name not in freebsd, name
    assert "MADV_DONTNEED" not in _simulate.lacking("mmap", "darwin")


# --- inside the simulated runs ---------------------------------------------------

@elsewhere
def test_elsewhere_linux_families_and_names_are_none() -> None:
    for name in ("AF_NETLINK", "AF_PACKET", "AF_VSOCK", "SO_PEERCRED", "SCM_CREDENTIALS",
                 "NETLINK_ROUTE", "ETH_P_ALL", "PACKET_HOST", "VMADDR_CID_ANY",
                 "SO_BINDTODEVICE", "TCP_USER_TIMEOUT"):
        assert getattr(ps, name) is None, name
    for name in ps.SEED_CONSTANTS + ps.EXTRA_CONSTANTS:
        assert type(getattr(ps, name)) in (int, type(None)), name  # never the stdlib's enums
    if sys.platform == "darwin":
        for name in ("MSG_NOSIGNAL", "SOCK_NONBLOCK", "SOCK_CLOEXEC", "MSG_CMSG_CLOEXEC",
                     "SO_DOMAIN", "SO_PROTOCOL"):
            assert getattr(ps, name) is None, name
    else:
        assert isinstance(ps.SOCK_NONBLOCK, int) and isinstance(ps.MSG_CMSG_CLOEXEC, int)


@elsewhere
def test_elsewhere_the_pool_does_not_trust_madv_dontneed(fds: Fds) -> None:
    """macOS/BSD MADV_DONTNEED may leave a page's old bytes: a buffer that
    held more than _KEEP bytes is unmapped, not pooled, and MSG_TRUNC's
    buffer is zeroed by hand."""
    from posixsock import _recvbuf
    assert _recvbuf._MADV_DONTNEED is None
    one, two = fds.pair(ps.SOCK_DGRAM)
    payload = os.urandom(200 * 1024)
    _recvbuf._pool.clear()
    assert ps.send(one, payload) == len(payload)
    assert ps.recv(two, 1 << 30) == payload  # above DIRECT: the big buffer
    assert _recvbuf._pool == []  # it held 200 KiB: unmapped
    assert ps.send(one, b"small") == 5
    assert ps.recv(two, 1 << 30) == b"small"
    assert len(_recvbuf._pool) == 1  # 5 bytes: pooled
    buffer = _recvbuf._pool[0]
    _recvbuf.scrub(buffer, ps.MSG_TRUNC)
    assert buffer[:_recvbuf._KEEP] == bytes(_recvbuf._KEEP)


@elsewhere
def test_elsewhere_received_descriptors_are_close_on_exec(fds: Fds) -> None:
    """Without MSG_CMSG_CLOEXEC (macOS) the descriptors still end up
    close-on-exec (fcntl right after recvmsg), from recv_fds and recvmsg."""
    one, two = fds.pair()
    r, w = os.pipe()
    fds.track(r)
    fds.track(w)
    os.set_inheritable(r, True)
    ps.check(ps.send_fds(one, b"x", [r, w]))
    _, got, _, _ = ps.check(ps.recv_fds(two, 10, 2))
    for fd in got:
        fds.track(fd)
        assert not os.get_inheritable(fd)
    ps.check(ps.send_fds(one, b"y", [r]))
    _, items, _, _ = ps.check(ps.recvmsg(two, 10, ps.CMSG_SPACE(4)))
    (received,) = struct.unpack("@i", items[0]["data"])
    fds.track(received)
    assert not os.get_inheritable(received)


@elsewhere
def test_elsewhere_setdefaulttimeout_leaves_lent_descriptors_alone(fds: Fds) -> None:
    """Without SOCK_NONBLOCK (macOS) CPython's constructor would set
    O_NONBLOCK on the caller's descriptor under socket.setdefaulttimeout;
    posixsock builds its object with the default set aside."""
    import socket
    from posixsock import _fd
    one, two = fds.pair()
    saved = socket.getdefaulttimeout()
    socket.setdefaulttimeout(2.5)
    try:
        _fd.plain.pop(one, None)
        assert ps.send(one, b"hi") == 2
        assert os.get_blocking(one)
        assert socket.getdefaulttimeout() == 2.5
    finally:
        socket.setdefaulttimeout(saved)
    assert ps.recv(two, 10) == b"hi"


@elsewhere
def test_elsewhere_broken_pipe_is_epipe_without_msg_nosignal(fds: Fds) -> None:
    """No MSG_NOSIGNAL on macOS: posixsock does not set SO_NOSIGPIPE on a
    caller's socket (that would re-flag it); Python ignores SIGPIPE, so a
    broken pipe is still an EPIPE triple."""
    import signal
    from posixsock import _calls
    if sys.platform == "darwin":
        assert _calls._MSG_NOSIGNAL == 0
    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
    one, two = fds.pair()
    os.close(two)
    fds.opened.remove(two)
    assert ps.send(one, b"x") == (None, "send: Broken pipe", 32)


def test_xucred_is_read_as_peercred() -> None:
    """LOCAL_PEERCRED's struct xucred (macOS: no pid; FreeBSD 13+: cr_pid)
    gives the same PeerCred shape as Linux's SO_PEERCRED."""
    from posixsock import _sockopt
    groups: List[int] = [20, 12, 61] + [0] * 13
    mac = struct.pack("@IIh16I", 0, 501, 3, *groups)
    assert len(mac) == 76
    assert _sockopt._dec_xucred(mac) == {"pid": 0, "uid": 501, "gid": 20}
    freebsd = mac + bytes(4) + struct.pack("@i", 4242) + bytes(4)
    assert len(freebsd) == 88
    assert _sockopt._dec_xucred(freebsd) == {"pid": 4242, "uid": 501, "gid": 20}
    none = struct.pack("@IIh16I", 0, 0, 0, *[0] * 16)
    assert _sockopt._dec_xucred(none) == {"pid": 0, "uid": 0, "gid": 0}
