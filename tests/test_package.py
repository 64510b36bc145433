"""The package as built: the wheel builds without a warning and ships the
LICENSE with PEP 639 metadata (issue 10).

The build runs as a user's ``pip wheel`` would, but offline: no build
isolation (the test extra installs the build backend, ``flit_core``), no
index, on a copy of the sources so the worktree gets nothing new.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _backend_version() -> Tuple[int, ...]:
    try:
        from importlib.metadata import version
        return tuple(int(p) for p in re.findall(r"\d+", version("flit_core"))[:2])
    except Exception:  # not installed: the test extra was not
        return ()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Tuple[str, Path]:
    """(build output, wheel path) of one ``pip wheel`` of a copy of the repo."""
    if _backend_version() < (3, 12):
        pytest.fail("needs flit_core>=3.12: python3 -m pip install -e '.[test]'")
    tmp = tmp_path_factory.mktemp("wheel")
    src, out = tmp / "src", tmp / "out"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "posixsock", src / "posixsock",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(src)],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    wheels = list(out.glob("posixsock-*.whl"))
    assert len(wheels) == 1, output
    return output, wheels[0]


def test_wheel_build_prints_no_warning(built: Tuple[str, Path]) -> None:
    output, _ = built
    assert "Building wheel for posixsock" in output  # the build's own log is there
    noisy = [line for line in output.splitlines() if re.search(r"(?i)warn|deprecat", line)]
    assert noisy == [], "\n".join(noisy)


def test_wheel_ships_license_and_spdx_metadata(built: Tuple[str, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        license_path = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert len(license_path) == 1, names
        assert zf.read(license_path[0]) == (ROOT / "LICENSE").read_bytes()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        assert "posixsock/py.typed" in names
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert "License-Expression: MIT" in headers
    assert "License-File: LICENSE" in headers
    assert not any(h.startswith("License: ") for h in headers)  # the deprecated field


def test_license_file_is_mit() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the posixsock developers\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_package_docstring_names_every_call() -> None:
    """``python -m pydoc posixsock`` shows the package docstring first and
    the functions only after every TypedDict's inherited dict methods: the
    docstring lists every call, so the first screen says what there is."""
    import inspect

    import posixsock as ps
    doc = ps.__doc__ or ""
    for name in ps.__all__:
        obj = getattr(ps, name)
        if inspect.isfunction(obj) and not hasattr(obj, "__supertype__"):  # (3.9's NewType)
            assert re.search(rf"\b{name}\b", doc), name


def _imports() -> Dict[str, Set[str]]:
    """Each posixsock module -> the posixsock modules it imports, at run
    time or for the checkers only (``if TYPE_CHECKING:``)."""
    import ast
    graph: Dict[str, Set[str]] = {}
    for path in sorted((ROOT / "posixsock").glob("*.py")):
        found: Set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module)
                else:
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("posixsock"):
                found.add((node.module or "").split(".")[-1])
        graph[path.stem] = found - {path.stem}
    return graph


def test_no_import_circle() -> None:
    """The package's modules import one another downward only (issue 15):
    no circle, not even one the checkers alone follow.  ``_errors`` is the
    bottom, and ``check``, whose overloads name the result types, stands
    above the modules that define them."""
    graph = _imports()
    assert graph["_errors"] == set()
    assert {"_errors", "_sockaddr", "_sockopt"} <= graph["_check"]
    assert "_check" not in set().union(*(graph[m] for m in graph if m not in
                                         ("__init__", "__main__")))
    order: List[str] = []
    left = dict(graph)
    while left:  # Kahn: take the modules whose imports are all placed
        ready = sorted(m for m, deps in left.items() if deps <= set(order))
        assert ready, f"import circle among {sorted(left)}: " + "; ".join(
            f"{m} -> {sorted(left[m] & set(left))}" for m in sorted(left))
        order += ready
        for m in ready:
            del left[m]
