#!/usr/bin/env python3
"""Generate docs/api.md, posixsock's API reference, from its docstrings.

    python3 docs/gen_api.py            # rewrite docs/api.md
    python3 docs/gen_api.py --check    # exit 1 if docs/api.md is out of date

The docstrings are the source: functions in ``__all__`` order with their
signatures, then the result and argument types with their fields, then the
constants by name.  Nothing platform- or Python-version-dependent goes in
(no constant values, no ``version`` string), so the file is the same
wherever it is generated; ``tests/test_docs.py`` checks it is up to date.
"""
from __future__ import annotations

import ast
import inspect
import re
import sys
import typing
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "api.md"


def fmt(ann: Any) -> str:
    """An annotation as source text, without module prefixes."""
    if isinstance(ann, str):
        return ann
    if isinstance(ann, typing.ForwardRef):
        return ann.__forward_arg__
    if ann is type(None) or ann is None:
        return "None"
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin is typing.Union:
        return f"Union[{', '.join(fmt(a) for a in args)}]"
    if isinstance(ann, type) and not args:
        return ann.__name__
    text = repr(ann).replace("typing.", "")
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text)


def doc(obj: Any) -> str:
    """The docstring as Markdown: RST literals ``x`` are code spans already;
    ``:param x:``/``:returns:`` become list items (their indented
    continuation lines stay in the item)."""
    text = inspect.getdoc(obj) or ""
    text = re.sub(r"^:param (\w+):", r"- `\1`:", text, flags=re.M)
    text = re.sub(r"^:returns:", "- **returns**:", text, flags=re.M)
    text = re.sub(r"^:raises (\w+):", r"- **raises** `\1`:", text, flags=re.M)
    return text.strip()


def is_newtype(obj: Any) -> bool:
    """A ``NewType`` (a function on Python 3.9, an object on 3.10+)."""
    return hasattr(obj, "__supertype__")


def is_function(obj: Any) -> bool:
    return inspect.isfunction(obj) and not is_newtype(obj)


def module_tree(obj: Any) -> ast.Module:
    return ast.parse(Path(inspect.getsourcefile(obj) or "").read_text())


def _arg(arg: ast.arg, default: Optional[ast.expr]) -> str:
    text = arg.arg if arg.annotation is None else f"{arg.arg}: {ast.unparse(arg.annotation)}"
    return text if default is None else f"{text} = {ast.unparse(default)}"


def overloads(name: str, func: Any) -> List[str]:
    """The ``@overload`` signatures of ``func`` as its source declares them
    (read with ``ast``: ``typing.get_overloads`` is Python 3.11+)."""
    found = []
    for node in module_tree(func).body:
        if (isinstance(node, ast.FunctionDef) and node.name == func.__name__
                and any(ast.unparse(d) == "overload" for d in node.decorator_list)):
            args = node.args
            plain = args.posonlyargs + args.args
            defaults: List[Optional[ast.expr]] = [None] * (len(plain) - len(args.defaults))
            defaults += args.defaults
            parts = [_arg(a, d) for a, d in zip(plain, defaults)]
            if args.posonlyargs:
                parts.insert(len(args.posonlyargs), "/")
            returns = "" if node.returns is None else f" -> {ast.unparse(node.returns)}"
            found.append(f"{name}({', '.join(parts)}){returns}")
    return found


def alias_source(name: str, module: Any) -> Tuple[str, str]:
    """(right-hand side, docstring) of the module-level ``name = ...`` as
    written (the first one: Linux's, where a platform test gives two)."""
    def docstring(body: List[ast.stmt], i: int) -> str:
        after = body[i + 1] if i + 1 < len(body) else None
        if (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            return inspect.cleandoc(after.value.value)
        return ""

    def walk(body: List[ast.stmt]) -> Optional[Tuple[str, str]]:
        for i, node in enumerate(body):
            if isinstance(node, ast.If):  # a platform test: the text follows it
                hit = walk(node.body)
                if hit:
                    return hit[0], hit[1] or docstring(body, i)
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name):
                return ast.unparse(node.value), docstring(body, i)
        return None
    return walk(ast.parse(Path(module.__file__).read_text()).body) or ("", "")


def constants_of(newtype: str) -> List[str]:
    """The constants ``_constants`` declares with ``newtype``, in order."""
    tree = ast.parse((ROOT / "posixsock" / "_constants.py").read_text())
    names: List[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            text = ast.unparse(node.annotation) + " " + ast.unparse(node.value or ast.Constant(""))
            if re.search(rf"\b{newtype}\b", text) and node.target.id not in names:
                names.append(node.target.id)
    return names


# The literal type of a TypedDict's ``family`` (``_Inet``: ``Literal[2]`` on
# Linux) is written as the constant's: ``Literal[AF_INET]``.
def family_literal(text: str) -> str:
    match = re.fullmatch(r"_([A-Z][a-z0-9]*)", text)
    return f"Literal[AF_{match.group(1).upper()}]" if match else text


def is_typeddict(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, dict) and hasattr(obj, "__required_keys__")


def fields_table(cls: Any) -> List[str]:
    lines = ["| field | type | |", "| --- | --- | --- |"]
    required = getattr(cls, "__required_keys__", None)
    for name, ann in cls.__annotations__.items():
        note = "" if required is None else ("required" if name in required else "optional")
        lines.append(f"| `{name}` | `{family_literal(fmt(ann))}` | {note} |")
    return lines


def type_section(name: str, obj: Any, lines: List[str], seen: Set[str]) -> None:
    if name in seen:
        return
    seen.add(name)
    lines += [f"### `{name}`", ""]
    if is_newtype(obj):
        lines += [f"*NewType* of `{obj.__supertype__.__name__}` (at run time the plain"
                  " `int`)", "", obj.__doc__ or "", ""]
        constants = constants_of(name)
        if constants:
            lines += ["Constants: " + ", ".join(f"`{c}`" for c in constants) + ".", ""]
        return
    if isinstance(obj, type):
        if issubclass(obj, tuple) and hasattr(obj, "_fields"):
            kind = "NamedTuple"
        elif is_typeddict(obj):
            kind = "TypedDict"
        else:
            kind = "class"
        lines += [f"*{kind}*", ""]
        if doc(obj) and obj.__doc__ is not None:
            lines += [doc(obj), ""]
        lines += fields_table(obj) + [""]
        return
    members = typing.get_args(obj)
    source, text = alias_source(name, sys.modules[owner(name)])
    lines += [f"*alias* `{name} = {source or fmt(obj)}`", ""]
    if text:
        lines += [text, ""]
    for member in members:  # the TypedDicts of a union alias get their own section
        if is_typeddict(member):
            type_section(member.__name__, member, lines, seen)


def owner(name: str) -> str:
    """The private module that defines the public ``name``."""
    import posixsock
    for module in sorted(m for m in sys.modules if m.startswith("posixsock._")):
        if name in getattr(sys.modules[module], "__all__", ()):
            return module
    return posixsock.__name__


def generate() -> str:
    sys.path.insert(0, str(ROOT))
    import posixsock as ps

    names = list(ps.__all__)
    functions = [n for n in names if is_function(getattr(ps, n))]
    constant_like = {n for n in names if isinstance(getattr(ps, n), (int, type(None)))}
    constant_like |= {"SEED_CONSTANTS", "EXTRA_CONSTANTS", "version"}
    types = [n for n in names if n not in functions and n not in constant_like]

    lines = [
        "# posixsock API reference",
        "",
        "<!-- Generated from the docstrings by `python3 docs/gen_api.py`; do not edit.",
        "     tests/test_docs.py checks that this file is up to date. -->",
        "",
        doc(ps).split("\n\n")[0],
        "",
        "Every name below is at the package top level (`import posixsock as ps`).",
        "Each call returns its success value or an `Error` triple; only programming",
        "errors raise. The README explains the conventions; this page is the",
        "reference.",
        "",
        "## Functions",
        "",
    ]
    lines += [f"- [`{n}`](#{n.lower()})" for n in functions] + [""]
    for name in functions:
        sig = inspect.signature(getattr(ps, name))
        lines += [f"### {name}", "", "```python", f"{name}{sig}".replace("'", ""), "```", ""]
        variants = overloads(name, getattr(ps, name))
        if variants:
            lines += ["Overloads (what the type checkers apply, in order):", "", "```python"]
            lines += variants + ["```", ""]
        lines += [doc(getattr(ps, name)), ""]

    from posixsock import aio
    lines += ["## posixsock.aio", "", doc(aio).split("\n\n")[0], "",
              "`from posixsock import aio`; each is awaited: `await aio.recv(fd, 4096)`.", ""]
    for name in aio.__all__:
        sig = inspect.signature(getattr(aio, name))
        lines += [f"### aio.{name}", "", "```python", f"{name}{sig}".replace("'", ""),
                  "```", "", doc(getattr(aio, name)), ""]

    lines += ["## Types", ""]
    seen: Set[str] = set()
    for name in types:
        type_section(name, getattr(ps, name), lines, seen)

    seed, extra = list(ps.SEED_CONSTANTS), list(ps.EXTRA_CONSTANTS)
    lines += [
        "## Constants",
        "",
        "Plain `int`s with this platform's values; on Linux every one is there,",
        "elsewhere a constant the platform lacks is `None`.",
        "",
        f"`SEED_CONSTANTS`: luaposix's table ({len(seed)} names):",
        "",
        ", ".join(f"`{n}`" for n in seed),
        "",
        f"`EXTRA_CONSTANTS`: beyond luaposix ({len(extra)} names):",
        "",
        ", ".join(f"`{n}`" for n in sorted(extra)),
        "",
        "`version`: a string, \"posixsock <version> (posix.sys.socket for Python <x.y>)\".",
        "",
    ]
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    text = generate()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python3 docs/gen_api.py",
                  file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
