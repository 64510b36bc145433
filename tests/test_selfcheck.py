"""The README's self-check, ``python3 -m posixsock``, run as a user would:
from the repository root, in a fresh interpreter."""
from __future__ import annotations

import _socket
import subprocess
import sys
from pathlib import Path
from typing import List

import posixsock as ps
from _privileges import packet_denied, vsock_denied

ROOT = Path(__file__).resolve().parent.parent

# The round trips the self-check promises; with CAP_NET_RAW (CI) every one runs.
CHECKS = [
    "unix stream (path)", "unix dgram (path)", "unix stream (abstract)",
    "unix dgram (abstract)", "tcp 127.0.0.1", "udp 127.0.0.1", "tcp ::1",
    "udp ::1", "netlink route", "packet lo", "vsock bind/listen",
]
FAMILIES = ["AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_VSOCK"]


def run_selfcheck() -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "posixsock"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_selfcheck_report() -> None:
    out = run_selfcheck()
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stderr == ""
    lines: List[str] = out.stdout.splitlines()
    assert lines[0] == ps.version
    total = len(ps.SEED_CONSTANTS)
    assert lines[1] == f"luaposix's constants: {total} of {total} present"
    # per family: this Python / this kernel (issue 17)
    assert lines[2] == "families (this Python / this kernel):"
    for line, name in zip(lines[3:3 + len(FAMILIES)], FAMILIES):
        python = "yes" if hasattr(_socket, name) else "no"
        assert line.startswith(f"  {name:<11} python: {python:<3}  kernel: "), line
        if name != "AF_VSOCK" or vsock_denied() is None:
            assert line.endswith("kernel: yes") or line.endswith("(not permitted here)"), line
    rest = lines[3 + len(FAMILIES):]
    assert rest[0] == "one loopback round trip per family:"
    status = {line[:26].strip(): line[26:].strip() for line in rest[1:-1]}
    for name in CHECKS:
        assert name in status, name
        if (name == "packet lo" and packet_denied() is not None
                or name.startswith("vsock") and vsock_denied() is not None):
            assert status[name] in ("ok",) or status[name].startswith("skipped (")
        else:
            assert status[name] == "ok", (name, status[name])
    assert not any("FAILED" in line for line in lines)
    assert lines[-1] == "all checks passed"
