"""Run one scenario of socket calls in luaposix and in posixsock, alike.

A ``Scenario`` is a list of steps -- a function of ``posix.sys.socket`` (or
one of the prelude's helpers) and its arguments.  ``lua_script`` turns it
into a Lua program (``prelude.lua`` + one ``step(...)`` line per step) for
the real luaposix; ``run_python`` makes the same calls on posixsock.  Both
sides produce, per step, the same JSON shape: the list of return values
(an ``Error`` is ``[None, message, errnum]``; bytes are latin-1 text) or
``{"raise": message}`` for an argument error.  ``normalize`` then masks what
legitimately differs between two runs: descriptor numbers, ephemeral ports,
netlink pids and the scratch directory.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import posixsock as ps

HERE = Path(__file__).resolve().parent
ORACLE = HERE.parents[2] / "shared" / "tools" / "luaposix"
PRELUDE = (HERE / "prelude.lua").read_text()

Json = Any  # what json.loads returns


class K(NamedTuple):
    """A constant of the module: ``S.NAME`` / ``posixsock.NAME``."""
    name: str


class V(NamedTuple):
    """Return value ``ret`` of the step saved as ``name``, then ``keys``
    into it (list indices 0-based on both sides)."""
    name: str
    ret: int = 0
    keys: Tuple[object, ...] = ()


class P(NamedTuple):
    """A path in the run's scratch directory (``abstract``: with a leading
    NUL, a Linux abstract AF_UNIX name)."""
    name: str
    abstract: bool = False


class W(NamedTuple):
    """A copy of the dict ``base`` with ``key`` set to ``value``."""
    base: object
    key: str
    value: object


class N(NamedTuple):
    """The integer ``base`` plus ``delta``."""
    base: object
    delta: int


@dataclass
class Step:
    fn: str
    args: Tuple[object, ...]
    save: Optional[str] = None


@dataclass
class Scenario:
    name: str
    steps: List[Step] = field(default_factory=list)

    def do(self, fn: str, *args: object, save: Optional[str] = None) -> int:
        """Add a step; returns its index in the results."""
        self.steps.append(Step(fn, args, save))
        return len(self.steps) - 1


# --- Lua ---------------------------------------------------------------------

def _lua_str(data: bytes) -> str:
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b:03d}"
                         for b in data) + '"'


def _lua(arg: object, tmp: str) -> str:
    if arg is None:
        return "nil"
    if isinstance(arg, bool):
        return "true" if arg else "false"
    if isinstance(arg, int):
        return str(arg)
    if isinstance(arg, K):
        return f"S.{arg.name}"
    if isinstance(arg, P):
        return _lua_str(_path(arg, tmp).encode())
    if isinstance(arg, V):
        text = f"V[{_lua_str(arg.name.encode())}][{arg.ret + 1}]"
        for key in arg.keys:
            text += f"[{key + 1}]" if isinstance(key, int) else f"[{_lua_str(str(key).encode())}]"
        return text
    if isinstance(arg, W):
        return f"with({_lua(arg.base, tmp)}, {_lua_str(arg.key.encode())}, {_lua(arg.value, tmp)})"
    if isinstance(arg, N):
        return f"({_lua(arg.base, tmp)} + {arg.delta})"
    if isinstance(arg, str):
        return _lua_str(arg.encode())
    if isinstance(arg, bytes):
        return _lua_str(arg)
    if isinstance(arg, dict):
        return "{" + ", ".join(f"[{_lua_str(str(k).encode())}] = {_lua(v, tmp)}"
                               for k, v in arg.items()) + "}"
    raise TypeError(f"no Lua form for {arg!r}")


_LUA_HELPERS = {"constnames", "openfile", "closefd", "value", "cloexec"}


def lua_script(scn: Scenario, tmp: str) -> str:
    lines = [PRELUDE]
    for st in scn.steps:
        fn = st.fn if st.fn in _LUA_HELPERS else f"S.{st.fn}"
        args = ", ".join(_lua(a, tmp) for a in st.args)
        save = "nil" if st.save is None else _lua_str(st.save.encode())
        lines.append(f"step({save}, function() return {fn}({args}) end)")
    return "\n".join(lines) + "\n"


def run_lua(scn: Scenario) -> List[Json]:
    """The scenario's results from the real luaposix (raises on failure)."""
    tmp = tempfile.mkdtemp(prefix="psl", dir="/tmp")
    try:
        script = Path(tmp) / "scenario.lua"
        script.write_text(lua_script(scn, tmp))
        proc = subprocess.run([str(ORACLE), str(script)], capture_output=True, text=True,
                              timeout=60, cwd=tmp)
        if proc.returncode != 0:
            raise RuntimeError(f"lua failed ({proc.returncode}): {proc.stderr}")
        rows = [json.loads(line) for line in proc.stdout.splitlines()]
        if len(rows) != len(scn.steps):
            raise RuntimeError(f"lua printed {len(rows)} rows for {len(scn.steps)} steps:\n"
                               + proc.stdout + proc.stderr)
        return [normalize(st.fn, row, tmp) for st, row in zip(scn.steps, rows)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- Python ------------------------------------------------------------------

def _path(arg: P, tmp: str) -> str:
    return ("\0" if arg.abstract else "") + f"{tmp}/{arg.name}"


def _resolve(arg: object, tmp: str, saved: Dict[str, List[object]]) -> object:
    if isinstance(arg, K):
        return getattr(ps, arg.name)
    if isinstance(arg, P):
        return _path(arg, tmp)
    if isinstance(arg, V):
        value: Any = saved[arg.name][arg.ret]
        for key in arg.keys:
            value = value[key]
        return value
    if isinstance(arg, W):
        base = _resolve(arg.base, tmp, saved)
        assert isinstance(base, dict)
        return {**base, arg.key: _resolve(arg.value, tmp, saved)}
    if isinstance(arg, N):
        base_int = _resolve(arg.base, tmp, saved)
        assert isinstance(base_int, int)
        return base_int + arg.delta
    if isinstance(arg, dict):
        return {k: _resolve(v, tmp, saved) for k, v in arg.items()}
    return arg


def _constnames() -> List[str]:
    return sorted(n for n in ps.SEED_CONSTANTS if isinstance(getattr(ps, n, None), int))


def _cloexec(fd: int) -> bool:
    return not os.get_inheritable(fd)


def _openfile(path: str) -> int:
    return os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)


_FD_CALLS = {"socket": 1, "socketpair": 2, "accept": 1, "openfile": 1}


def _values(result: object) -> List[object]:
    if isinstance(result, ps.Error):
        return [None, result.message, result.errnum]
    if isinstance(result, tuple):
        return list(result)
    return [result]


def run_python(scn: Scenario) -> List[Json]:
    """The scenario's results from posixsock, in the Lua side's shape."""
    tmp = tempfile.mkdtemp(prefix="psp", dir="/tmp")
    saved: Dict[str, List[object]] = {}
    opened: List[int] = []
    rows: List[Json] = []
    helpers: Dict[str, Callable[..., object]] = {
        "constnames": _constnames, "openfile": _openfile, "value": lambda x: x,
        "cloexec": _cloexec,
    }
    try:
        for st in scn.steps:
            args = [_resolve(a, tmp, saved) for a in st.args]
            if st.fn == "closefd":
                fd = args[0]
                assert isinstance(fd, int)
                os.close(fd)
                opened.remove(fd)
                rows.append(["ok"])
                continue
            fn = helpers.get(st.fn) or getattr(ps, st.fn)
            try:
                values = _values(fn(*args))
            except (TypeError, ValueError) as exc:
                rows.append({"raise": str(exc)})
                continue
            if st.fn in _FD_CALLS and values[0] is not None:
                opened.extend(v for v in values[:_FD_CALLS[st.fn]] if isinstance(v, int))
            if st.save is not None:
                saved[st.save] = values
            rows.append(normalize(st.fn, _jsonable(values), tmp))
        return rows
    finally:
        for fd in opened:
            os.close(fd)
        shutil.rmtree(tmp, ignore_errors=True)


def _jsonable(value: object) -> Json:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


# --- masking -----------------------------------------------------------------

def _mask(value: Json, tmp: str) -> Json:
    if isinstance(value, str):
        return value.replace(tmp, "<tmp>")
    if isinstance(value, list):
        return [_mask(v, tmp) for v in value] if value else {}
    if isinstance(value, dict):
        out = {k: _mask(v, tmp) for k, v in value.items()}
        # kernel-chosen numbers: ephemeral ports, netlink port ids
        if isinstance(out.get("port"), int) and out["port"] >= 1024:
            out["port"] = "<port>"
        if isinstance(out.get("pid"), int) and out["pid"] != 0:
            out["pid"] = "<pid>"
        if "ifindex" in out:  # AF_PACKET: luaposix gives ifindex; the rest
            # of sockaddr_ll is posixsock's extension (issue 17), checked
            # against C in tests/test_families.py
            for extension in ("protocol", "pkttype", "hatype", "haddr"):
                out.pop(extension, None)
        return out
    return value


def normalize(fn: str, row: Json, tmp: str) -> Json:
    """Mask one step's row: descriptors returned by ``fn``, ports, pids, ``tmp``."""
    if isinstance(row, dict):  # {"raise": ...}
        return row
    row = [_mask(v, tmp) for v in row]
    if row and row[0] is not None:
        for i in range(_FD_CALLS.get(fn, 0)):
            if isinstance(row[i], int):
                row[i] = "<fd>"
    return row


# --- the oracle itself ---------------------------------------------------------

def oracle_problem() -> Optional[str]:
    """None if the oracle runs; otherwise why not (first call may install it)."""
    if not os.access(ORACLE, os.X_OK):
        return f"{ORACLE} is missing"
    try:
        proc = subprocess.run([str(ORACLE), "--setup"], capture_output=True, text=True,
                              timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{ORACLE} --setup failed: {exc}"
    if proc.returncode != 0 or "luaposix" not in proc.stdout:
        return f"{ORACLE} --setup failed ({proc.returncode}): {proc.stderr.strip()}"
    return None


def run_both(scn: Scenario) -> Tuple[List[Json], List[Json]]:
    return run_lua(scn), run_python(scn)


def diff(scn: Scenario, lua: List[Json], py: List[Json],
         skip: Tuple[int, ...] = ()) -> List[str]:
    """Lines describing every step whose rows differ (``skip``: not compared)."""
    out = []
    for i, (st, a, b) in enumerate(zip(scn.steps, lua, py)):
        if i not in skip and a != b:
            out.append(f"{scn.name}[{i}] {st.fn}{st.args!r}:\n    luaposix:  {a!r}\n"
                       f"    posixsock: {b!r}")
    return out
