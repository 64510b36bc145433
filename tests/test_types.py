"""The type contract, checked by mypy (the pinned one of the test extra).

* ``mypy --strict posixsock typings`` must pass, for the default Python
  version and for 3.9.  ``typings/pass/`` is code that must type-check;
  every misuse line in ``typings/fail/`` ends with ``# type: ignore[<code>]``,
  and because --strict reports unneeded ignores, that run also proves each
  marked line is rejected with exactly that code.
* With the ignores removed, mypy must report exactly the marked lines, with
  their codes, and nothing else (an explicit check, with readable output).
* The pass files also run: the typed examples work over loopback.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPINGS = ROOT / "typings"
PASS_FILES = sorted((TYPINGS / "pass").glob("*.py"))
FAIL_FILES = sorted((TYPINGS / "fail").glob("*.py"))
MARK = re.compile(r"#\s*type:\s*ignore\[([a-z-]+)\]\s*$")
ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<text>.*?)\s+\[(?P<code>[a-z-]+)\]$")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for this module's runs, apart from the repo's."""
    return tmp_path_factory.mktemp("mypy-cache")


def mypy(cache: Path, *args: str, cwd: Path = ROOT) -> Tuple[int, str]:
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache),
                          "--no-color-output", "--no-error-summary", *args],
                         cwd=cwd, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, MYPYPATH=str(ROOT)))
    return out.returncode, out.stdout + out.stderr


def marked(path: Path) -> Set[Tuple[int, str]]:
    """(line, code) of every ``# type: ignore[code]`` marker in ``path``."""
    found = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = MARK.search(line)
        if match:
            found.add((number, match.group(1)))
    return found


def test_case_files_exist() -> None:
    assert len(PASS_FILES) >= 3 and len(FAIL_FILES) >= 3


@pytest.mark.parametrize("path", PASS_FILES + FAIL_FILES, ids=lambda p: p.name)
def test_ignores_are_specific(path: Path) -> None:
    text = path.read_text()
    assert "# type: ignore\n" not in text and "type: ignore  " not in text
    assert "# mypy:" not in text and "type: ignore[" not in text.splitlines()[0]
    if path.parent.name == "pass":
        assert "type: ignore" not in text, "pass cases must type-check without ignores"
    else:
        assert marked(path), "a fail case needs at least one marked line"
        # every ignore comment is a marker at the end of a line
        assert len(re.findall(r"\s#\s*type:\s*ignore", text)) == len(marked(path))


@pytest.mark.parametrize("version", [None, "3.9"], ids=["default", "py3.9"])
def test_mypy_strict_posixsock_and_typings(cache_dir: Path, version: Optional[str]) -> None:
    """What the README's test command and the repo's hook run."""
    extra = [] if version is None else ["--python-version", version]
    rc, output = mypy(cache_dir, *extra, "posixsock", "typings")
    assert rc == 0, output


def test_fail_cases_report_exactly_the_marked_lines(cache_dir: Path, tmp_path: Path) -> None:
    copies: Dict[str, Path] = {}
    for path in FAIL_FILES:
        copy = tmp_path / path.name
        copy.write_text("\n".join(MARK.sub("", line) for line in path.read_text().splitlines()) + "\n")
        copies[path.name] = path
    rc, output = mypy(cache_dir, *sorted(str(tmp_path / name) for name in copies))
    assert rc == 1, output
    reported: Dict[str, Set[Tuple[int, str]]] = {name: set() for name in copies}
    for line in output.splitlines():
        match = ERROR.match(line)
        if match:
            reported[Path(match["file"]).name].add((int(match["line"]), match["code"]))
        else:
            assert ": note: " in line, f"unexpected mypy output: {line}"
    problems: List[str] = []
    for name, original in copies.items():
        expected = marked(original)
        for line_no, code in sorted(expected - reported[name]):
            problems.append(f"{name}:{line_no}: [{code}] expected, not reported")
        for line_no, code in sorted(reported[name] - expected):
            problems.append(f"{name}:{line_no}: [{code}] reported, not marked")
    assert not problems, "\n".join(problems) + "\n--- mypy output ---\n" + output


@pytest.mark.parametrize("path", PASS_FILES, ids=lambda p: p.name)
def test_pass_cases_run(path: Path) -> None:
    out = subprocess.run([sys.executable, str(path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stdout + out.stderr
