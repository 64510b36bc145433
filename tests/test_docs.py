"""docs/api.md, the API reference generated from the docstrings (issue 10),
is the generator's current output: a change to a docstring, signature,
type or ``__all__`` needs ``python3 docs/gen_api.py`` before committing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import posixsock as ps

ROOT = Path(__file__).resolve().parent.parent


def test_api_reference_is_up_to_date() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "gen_api.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_api_reference_covers_every_public_name() -> None:
    text = (ROOT / "docs" / "api.md").read_text()
    for name in ps.__all__:
        assert f"`{name}`" in text or f"### {name}\n" in text, name
    # functions come first, with their signatures and docstrings
    assert text.index("## Functions") < text.index("## Types") < text.index("## Constants")
    assert "recvmsg(fd: int, count: int, ancillary_size: int = 0, flags: int = 0, /)" in text


def test_readme_porting_section() -> None:
    """The section next to the example names each idiom a port changes, and
    the ported example marks where it changed one."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Porting from Lua")
    assert readme.index("## Example") < start < readme.index("## API")
    section = readme[start:readme.index("## API")]
    for idiom in ("ps.check(", "isinstance(", "os.close(fd)", "select.poll()",
                  "os.set_blocking(fd, False)", "SO_RCVTIMEO", "(sec, usec)",
                  "assert ps.bind", "examples/http_get.py"):
        assert idiom in section, idiom
    example = (ROOT / "examples" / "http_get.py").read_text()
    assert example.count("# Lua:") >= 6
