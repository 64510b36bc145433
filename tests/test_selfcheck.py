"""The README's self-check, ``python3 -m posixsock``, run as a user would:
from the repository root, in a fresh interpreter."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import posixsock as ps
from _privileges import packet_denied

ROOT = Path(__file__).resolve().parent.parent

# The round trips the self-check promises; with CAP_NET_RAW (CI) every one runs.
CHECKS = [
    "unix stream (path)", "unix dgram (path)", "unix stream (abstract)",
    "unix dgram (abstract)", "tcp 127.0.0.1", "udp 127.0.0.1", "tcp ::1",
    "udp ::1", "netlink route", "packet lo",
]


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
    assert lines[2] == "one loopback round trip per family:"
    status = {line[:26].strip(): line[26:].strip() for line in lines[3:-1]}
    for name in CHECKS:
        assert name in status, name
        if name == "packet lo" and packet_denied() is not None:
            assert status[name] in ("ok",) or status[name].startswith("skipped (")
        else:
            assert status[name] == "ok", (name, status[name])
    assert not any("FAILED" in line for line in lines)
    assert lines[-1] == "all checks passed"
