#!/usr/bin/env python3
"""posixsock/floor and posixsock/stdlib on every CPython >= 3.9 found.

    python3 bench/versions.py [--full] [--markdown] [PYTHON ...]

Runs ``bench/run.py --quick --json --no-lua`` (``--full``: the full run) under
each interpreter -- the ones given, else the default ``python3`` and every
``~/.pyenv/versions/*/bin/python``, as ``.ci/run`` finds them -- one after
the other, and prints one row per version: for each workload,
``posixsock/floor`` and, in brackets, ``posixsock/stdlib``.  posixsock is
pure Python, so each interpreter runs it straight from this checkout.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
from typing import Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = ("import os, platform, sys; ok = platform.python_implementation() == 'CPython'"
         " and sys.version_info >= (3, 9); sys.stdout.write('%s %s %s' % ("
         "'yes' if ok else 'no', platform.python_version(), os.path.realpath(sys.executable)))")


def _numbers(version: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _version_key(path: str) -> Tuple[int, ...]:
    """The version in .../versions/<version>/bin/python."""
    return _numbers(os.path.basename(os.path.dirname(os.path.dirname(path))))


def interpreters() -> List[Tuple[str, str]]:
    """(command, version) of every CPython >= 3.9 here, the default first."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(os.path.join(root, "versions", "*", "bin", "python")), key=_version_key)
    seen, result = set(), []
    for py in ["python3", *found]:
        try:
            out = subprocess.run([py, "-c", PROBE], capture_output=True, text=True,
                                 timeout=60).stdout.split()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if len(out) == 3 and out[0] == "yes" and out[2] not in seen:
            seen.add(out[2])
            result.append((py, out[1]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="full runs instead of --quick")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    parser.add_argument("pythons", nargs="*", help="interpreters (default: all found)")
    opts = parser.parse_args()
    pythons = [(py, "?") for py in opts.pythons] if opts.pythons else interpreters()
    rows: List[Tuple[str, Dict[str, Dict[str, float]]]] = []
    for py, _version in sorted(pythons, key=lambda p: _numbers(p[1])):
        args = [py, os.path.join(HERE, "run.py"), "--json", "--no-lua"]
        if not opts.full:
            args.append("--quick")
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        data = json.loads(out)
        label = data["python"] + (" (default)" if py == "python3" else "")
        rows.append((label, {name: r["ratios"] for name, r in data["workloads"].items()}))
        if sys.stderr.isatty():
            print(f"  {data['python']} done", file=sys.stderr)
    names = list(rows[0][1]) if rows else []
    if opts.markdown:
        print("| CPython | " + " | ".join(names) + " |")
        print("| --- |" + " --- |" * len(names))
        for version, ratios in rows:
            cells = [f"{r[n]['floor']:.2f} ({r[n]['stdlib']:.2f})" for r in [ratios] for n in names]
            print(f"| {version} | " + " | ".join(cells) + " |")
    else:
        print(f"{'CPython':<17}" + "".join(f" {n:>14}" for n in names))
        for version, ratios in rows:
            print(f"{version:<17}" + "".join(
                f" {ratios[n]['floor']:>6.3f} ({ratios[n]['stdlib']:.2f})" for n in names))
    print("posixsock/floor (posixsock/stdlib), "
          + ("full runs" if opts.full else "bench/run.py --quick") + ", one run per version")


if __name__ == "__main__":
    main()
