"""A darwin- or freebsd-shaped standard library on this Linux kernel.

``POSIXSOCK_SIMULATE=darwin`` (or ``freebsd14``) makes ``conftest.py`` call
``apply`` before posixsock is imported: ``sys.platform`` becomes that
platform's, and the names ``socket``, ``_socket`` and ``mmap`` have on Linux
but not there are deleted.  So posixsock decides its platform differences
(at import, in ``_constants`` and the modules that read the stdlib) exactly
as it would there, while the system calls still reach this kernel.

Which names a platform lacks comes from typeshed's platform blocks -- the
copy inside the mypy of the test extra -- evaluated for the platform and
the running Python; then corrected where CPython's ``socketmodule.c``
(every constant is under ``#ifdef``) and the platform's headers say
otherwise than typeshed's coarse blocks (``_CORRECTIONS``).  Values that
remain are Linux's: the kernel underneath is Linux.

What a simulation cannot show: the other kernels' behaviour (BSD
``MADV_DONTNEED``, ``LOCAL_PEERCRED``'s ``xucred``, ``sun_len``); those
are covered by unit tests of the code paths and by the static checks for
``--platform darwin``/``freebsd14``.
"""
from __future__ import annotations

import _socket
import ast
import importlib.util
import mmap
import socket
import sys
import sysconfig
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Set, Tuple

PLATFORMS = ("darwin", "freebsd14")

# Where typeshed's blocks are coarser than the platforms: (names the
# platform has although typeshed leaves them out, names it lacks although
# typeshed gives them), per module.
_CORRECTIONS: Dict[str, Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]]] = {
    "darwin": {
        # macOS's <sys/socket.h> has no MSG_NOSIGNAL (SO_NOSIGPIPE instead;
        # typeshed: "sometimes this exists on darwin"), nor SO_BINDTODEVICE
        # (IP_BOUND_IF instead; typeshed gives it for 3.13).
        "_socket": (frozenset(), frozenset({"MSG_NOSIGNAL", "SO_BINDTODEVICE"})),
    },
    "freebsd14": {
        # FreeBSD has SOCK_NONBLOCK/SOCK_CLOEXEC (10.0), MSG_CMSG_CLOEXEC
        # (10.0), SO_DOMAIN/SO_PROTOCOL (12.0) -- socketmodule.c exports
        # them wherever defined; typeshed's block says Linux.  It has no
        # SO_PEERCRED, SO_PASSCRED, SCM_CREDENTIALS (LOCAL_PEERCRED and
        # SCM_CREDS instead), SO_BINDTODEVICE, TCP_USER_TIMEOUT, which
        # typeshed's "not win32, not darwin" blocks give (they are OpenBSD's
        # or Linux's).
        "_socket": (frozenset({"SOCK_NONBLOCK", "SOCK_CLOEXEC", "MSG_CMSG_CLOEXEC"}),
                    frozenset({"SO_PEERCRED", "SO_PASSCRED", "SCM_CREDENTIALS",
                               "SO_BINDTODEVICE", "TCP_USER_TIMEOUT", "SO_PASSSEC",
                               "SO_PEERSEC", "SO_MARK", "SO_PRIORITY"})),
    },
}


def typeshed_dir() -> Path:
    spec = importlib.util.find_spec("mypy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the simulation needs mypy's typeshed: pip install -e '.[test]'")
    return Path(list(spec.submodule_search_locations)[0]) / "typeshed" / "stdlib"


def _value(node: ast.expr, platform: str) -> object:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "sys":
        if node.attr == "platform":
            return platform
        if node.attr == "version_info":
            return sys.version_info[:2]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_value(item, platform) for item in node.elts)
    raise ValueError(f"cannot evaluate {ast.dump(node)}")


def _true(test: ast.expr, platform: str) -> bool:
    """A typeshed ``if`` condition, for ``platform`` and this Python."""
    if isinstance(test, ast.BoolOp):
        results = [_true(value, platform) for value in test.values]
        return all(results) if isinstance(test.op, ast.And) else any(results)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return not _true(test.operand, platform)
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) \
            and test.func.attr == "startswith":
        return str(_value(test.func.value, platform)).startswith(
            str(_value(test.args[0], platform)))
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left = _value(test.left, platform)
        right = _value(test.comparators[0], platform)
        op = test.ops[0]
        if isinstance(left, tuple) and isinstance(right, tuple):
            left, right = left[:len(right)], right
        comparisons = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                       ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
                       ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b}
        return bool(comparisons[type(op)](left, right))  # type: ignore[no-untyped-call]
    raise ValueError(f"cannot evaluate {ast.dump(test)}")


def _names(body: Iterable[ast.stmt], platform: str, out: Set[str]) -> None:
    for node in body:
        if isinstance(node, ast.If):
            _names(node.body if _true(node.test, platform) else node.orelse, platform, out)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
        elif isinstance(node, ast.Assign):
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            out.update(alias.asname or alias.name for alias in node.names)


def names_on(module: str, platform: str) -> Set[str]:
    """The names typeshed gives ``module`` on ``platform`` (this Python)."""
    tree = ast.parse((typeshed_dir() / f"{module}.pyi").read_text())
    out: Set[str] = set()
    _names(tree.body, platform, out)
    return out


def lacking(module: str, platform: str) -> Set[str]:
    """Names the running (Linux) ``module`` has that ``platform``'s lacks."""
    runtime = set(dir(sys.modules[module]))
    gone = (names_on(module, "linux") - names_on(module, platform)) & runtime
    add, drop = _CORRECTIONS.get(platform, {}).get(module, (frozenset(), frozenset()))
    return (gone - add) | (drop & runtime)


def apply(platform: str) -> Dict[str, List[str]]:
    """Make the standard library ``platform``-shaped; return what was removed."""
    if platform not in PLATFORMS:
        raise ValueError(f"POSIXSOCK_SIMULATE={platform!r}: one of {PLATFORMS}")
    if "posixsock" in sys.modules:
        raise RuntimeError("the simulation must be applied before posixsock is imported")
    removed: Dict[str, List[str]] = {}
    # socket re-exports _socket's names: what _socket loses, socket loses too
    add, _drop = _CORRECTIONS.get(platform, {}).get("_socket", (frozenset(), frozenset()))
    socket_gone = (lacking("socket", platform) - add) | lacking("_socket", platform)
    for module, gone in (("_socket", lacking("_socket", platform)),
                         ("socket", socket_gone), ("mmap", lacking("mmap", platform))):
        target = sys.modules[module]
        for name in sorted(gone):
            if hasattr(target, name) and not name.startswith("__"):
                delattr(target, name)
        removed[module] = sorted(gone)
    # sysconfig reads its build data by sys.platform's name, lazily: read it
    # now, while the name is still this Python's (pytest plugins ask later)
    sysconfig.get_config_vars()
    # and modules that choose by sys.platform as they are imported, which
    # pytest's plugins import late (hypothesis's: urllib.request, whose
    # darwin branch needs _scproxy)
    import urllib.request  # noqa: F401
    sys.platform = platform
    return removed


__all__ = ["PLATFORMS", "apply", "lacking", "names_on"]
_ = (_socket, mmap, socket)  # imported so that sys.modules has them
