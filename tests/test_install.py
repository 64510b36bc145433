"""The install the README gives leaves posixsock visible to the type
checkers from a program outside the checkout (issue 15).

setuptools' editable install is an import hook (a finder module in
site-packages) that neither mypy nor pyright follows: a user's program got
``Cannot find implementation or library stub for module named "posixsock"``
from mypy and ``Import "posixsock" could not be resolved`` from pyright.
flit_core's editable install is a ``.pth`` file naming the checkout, which
both read.

Two checks, each with mypy --strict and pyright strict on a file in a
temporary directory (never the checkout, whose own directory would let both
find the package anyway), with no MYPYPATH or extra paths:

* this environment, which the README's test command set up
  (``python3 -m pip install -e '.[test]'``, as CI runs it verbatim);
* a fresh venv set up with the README's "Use it in your project" command,
  ``python3 -m pip install -e PATH`` (building needs the backend from the
  package index, as any install from a path does).

The file also holds one deliberate type error, which both checkers must
report: they see posixsock's types, not ``Any`` or ``Unknown``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import List

import pytest

from test_types import pyright_env, pyright_errors

ROOT = Path(__file__).resolve().parent.parent

CLIENT = '''\
import posixsock as ps
from posixsock import Error, SockAddrBound

fd: int = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
where: SockAddrBound = ps.check(ps.getsockname(fd))
r = ps.connect(fd, where)
if isinstance(r, Error):
    print(r.message)
wrong: str = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
'''
WRONG_LINE = 9  # the deliberate error: an int where a str is declared


def check_outside(tmp: Path, python: str) -> List[str]:
    """Problems found running both checkers, against ``python``'s
    environment, on the client file in ``tmp``."""
    client = tmp / "client.py"
    client.write_text(CLIENT)
    problems: List[str] = []
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                          "--python-executable", python, "--no-error-summary",
                          "--no-color-output", "client.py"],
                         cwd=tmp, capture_output=True, text=True, timeout=300, env=env)
    lines = [line for line in out.stdout.splitlines() if ": error: " in line]
    if [line.split(":")[1] for line in lines] != [str(WRONG_LINE)] or "assignment" not in lines[0]:
        problems.append(f"mypy: expected one [assignment] error on line {WRONG_LINE}:\n"
                        + out.stdout + out.stderr)
    (tmp / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict"}))
    ran = subprocess.run([sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", python,
                          "--project", str(tmp / "pyrightconfig.json"), str(client)],
                         cwd=tmp, capture_output=True, text=True, timeout=300,
                         env={k: v for k, v in pyright_env().items() if k != "PYTHONPATH"})
    try:
        errors = pyright_errors(json.loads(ran.stdout))
    except ValueError:
        raise AssertionError(f"pyright gave no report:\n{ran.stdout}{ran.stderr}") from None
    if [line for _, line, _ in errors] != [WRONG_LINE] or "reportAssignmentType" not in errors[0][2]:
        problems.append(f"pyright: expected one error on line {WRONG_LINE}: {errors}")
    return problems


def test_readme_test_command_leaves_posixsock_visible(tmp_path: Path) -> None:
    """This environment: posixsock installed editable from this checkout,
    the way the README's test command installs it."""
    import sysconfig
    from importlib.metadata import distributions
    # the installed one (a checkout once installed by setuptools may also
    # hold a stale posixsock.egg-info, first on sys.path when run from it)
    found = list(distributions(name="posixsock", path=[sysconfig.get_paths()["purelib"]]))
    assert len(found) == 1, "posixsock is not installed: python3 -m pip install -e '.[test]'"
    dist = found[0]
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct.get("dir_info", {}).get("editable") is not True \
            or Path(direct["url"].replace("file://", "", 1)).resolve() != ROOT:
        pytest.fail(f"posixsock is not installed editable from {ROOT} "
                    f"(python3 -m pip install -e '.[test]'): {direct}")
    pth = [f for f in dist.files or [] if str(f).endswith(".pth")]
    assert [Path(str(f.locate())).read_text().strip() for f in pth] == [str(ROOT)], pth
    assert not [f for f in dist.files or [] if "finder" in str(f)]  # no import hook
    problems = check_outside(tmp_path, sys.executable)
    assert not problems, "\n".join(problems)


def test_use_it_in_your_project_fresh_venv(tmp_path: Path) -> None:
    """A fresh venv and the README's "Use it in your project" command."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Use it in your project"):]
    section = section[:section.index("\n## ", 1)]
    assert "python3 -m pip install -e /path/to/posixsock" in section
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env.pop("PYTHONPATH", None)
    install = subprocess.run([python, "-m", "pip", "install", "-q", "-e", str(ROOT)],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    work = tmp_path / "project"
    work.mkdir()
    ran = subprocess.run([python, "-c", "import posixsock; print(posixsock.__file__)"],
                         cwd=work, capture_output=True, text=True, timeout=60, env=env)
    assert ran.stdout.strip() == str(ROOT / "posixsock" / "__init__.py"), ran.stderr
    problems = check_outside(work, python)
    assert not problems, "\n".join(problems)
