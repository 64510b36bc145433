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


# --- issue 15: every type a public signature names is public ------------------

# What a signature may name besides posixsock's exports: typing's and the
# builtins' names.
_GENERIC = {"Union", "Optional", "Tuple", "List", "Dict", "Iterable", "Sequence", "NoReturn",
            "Literal", "int", "str", "bytes", "bytearray", "memoryview", "bool", "float",
            "object", "None"}


def _names(expr: str) -> set:
    import ast
    return {node.id for node in ast.walk(ast.parse(expr, mode="eval"))
            if isinstance(node, ast.Name)}


def _type_variables(module: object) -> set:
    import typing
    return {name for name, value in vars(module).items() if isinstance(value, typing.TypeVar)}


def test_every_type_in_a_public_signature_is_exported() -> None:
    """Every name in the annotations of every public function -- each
    overload too, read from the source -- and of every public TypedDict,
    NamedTuple and alias can be imported from posixsock (a type variable
    such as check's ``_T`` excepted; a TypedDict's ``family`` literal is
    written ``Literal[AF_INET]`` in the docs and must name an exported
    constant)."""
    import ast
    import inspect
    import sys as _sys
    import typing
    public = set(ps.__all__) | _GENERIC
    problems = []
    for name in ps.__all__:
        obj = getattr(ps, name)
        if inspect.isfunction(obj) and not hasattr(obj, "__supertype__"):
            module = _sys.modules[obj.__module__]
            tree = ast.parse(Path(inspect.getsourcefile(obj) or "").read_text())
            defs = [node for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == obj.__name__]
            assert defs, name
            allowed = public | _type_variables(module)
            for node in defs:
                for expr in [a.annotation for a in node.args.posonlyargs + node.args.args]:
                    assert expr is not None, f"{name}: unannotated parameter"
                    for used in _names(ast.unparse(expr)) - allowed:
                        problems.append(f"{name}: parameter type names {used}")
                assert node.returns is not None, name
                for used in _names(ast.unparse(node.returns)) - allowed:
                    problems.append(f"{name}: result type names {used}")
        elif isinstance(obj, type) and issubclass(obj, (dict, tuple)):
            for field, ann in getattr(obj, "__annotations__", {}).items():
                ann = getattr(ann, "__forward_arg__", ann)  # TypedDict keeps ForwardRefs
                for used in _names(ann if isinstance(ann, str) else repr(ann)) - public:
                    family = "AF_" + used[1:].upper()
                    if not (used.startswith("_") and family in ps.__all__):
                        problems.append(f"{name}.{field} names {used}")
        elif typing.get_args(obj):  # an alias: its members
            for member in typing.get_args(obj):
                label = getattr(member, "__name__", None) or getattr(member, "_name", None)
                if isinstance(member, type) and member.__module__.startswith("posixsock"):
                    if label not in ps.__all__:
                        problems.append(f"{name} names {label}")
    assert not problems, "\n".join(problems)


def test_api_reference_names_only_exported_types() -> None:
    """docs/api.md: every name in a signature (overloads included), an alias
    or a field's type is exported from posixsock, and every exported type
    has a section of its own."""
    import ast
    import re
    text = (ROOT / "docs" / "api.md").read_text()
    public = set(ps.__all__) | _GENERIC | {"_T"}  # check's type variable
    problems = []
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        for line in block.splitlines():
            call = re.match(r"(\w+)\((.*)\)( -> .*)?$", line)
            assert call, line
            tree = ast.parse(f"def {line}: ...")
            func = tree.body[0]
            assert isinstance(func, ast.FunctionDef)
            exprs = [a.annotation for a in func.args.posonlyargs + func.args.args]
            for expr in exprs + [func.returns]:
                if expr is not None:
                    problems += [f"{line}: {n}" for n in _names(ast.unparse(expr)) - public]
    for alias, expr in re.findall(r"\*alias\* `(\w+) = (.*)`", text):
        problems += [f"alias {alias}: {n}" for n in _names(expr) - public]
    for field_type in re.findall(r"^\| `\w+` \| `([^`]*)` \|", text, re.M):
        used = _names(field_type) - public
        problems += [f"field type {field_type}: {n}" for n in used]
    assert not problems, "\n".join(problems)
    for name in ps.__all__:
        obj = getattr(ps, name)
        if isinstance(obj, type) or hasattr(obj, "__supertype__") or name in (
                "SockAddr", "SockAddrBound", "SockAddrArg", "AddrInfo", "OptValue", "Received",
                "ReceivedFds", "Buffer"):
            assert f"### `{name}`\n" in text, f"{name} has no section in docs/api.md"
