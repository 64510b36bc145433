"""Programming errors: arguments of the wrong type or outside what the C
parameter can hold.

The words follow Lua's ``luaL_argerror`` as luaposix prints them --
``bad argument #2 to 'connect' (int expected for field 'port', got str)`` --
with Python's type names.  Only these raise; everything the kernel or the
resolver judges comes back as an ``Error`` triple.
"""
from __future__ import annotations

import sys
import warnings
from operator import index as _index
from typing import (
    Callable, Container, Dict, Iterable, List, NoReturn, Optional, SupportsIndex, TypeVar, Union,
    cast,
)

from ._errors import propagate

__all__ = ["Buffer"]  # the one public name; the rest is posixsock's own

# (mypy --strict no longer takes bytearray and memoryview for ``bytes``.)
Buffer = Union[bytes, bytearray, memoryview]
"""What the calls that send take: any bytes-like object (``bytes``,
``bytearray``, ``memoryview``), never text."""

_K = TypeVar("_K")
_V = TypeVar("_V")

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


# Stands for an argument or field that was not given: "got no value".
MISSING: object = object()


def typename(value: object) -> str:
    """Python's name for ``value``'s type, as Lua's messages put it."""
    if value is MISSING:
        return "no value"
    return "None" if value is None else type(value).__name__


def bad(call: str, argn: int, words: str, exc: type = TypeError) -> NoReturn:
    """Raise ``exc`` with luaposix's ``bad argument`` wording."""
    raise exc(f"bad argument #{argn} to '{call}' ({words})")


def expected(call: str, argn: int, what: str, value: object,
             field: Optional[str] = None) -> NoReturn:
    """Raise ``TypeError``: ``what`` was expected, ``value`` was given."""
    where = "" if field is None else f" for field '{field}'"
    bad(call, argn, f"{what} expected{where}, got {typename(value)}")


# The value the stdlib's C converters read from an ``int`` (subclass or
# not): they read its digits, never its methods.  ``int.__index__`` is
# CPython's ``long_long``, which copies the digits into an exact ``int``
# whatever the subclass overrides (``__int__``, ``__index__``, comparisons);
# ``operator.index`` does the same from Python 3.10 on, not on 3.9.
exact: Callable[[int], int] = int.__index__
# The same for text: ``str.__str__`` copies a ``str`` subclass's characters
# into an exact ``str``, so a subclass's ``__eq__``/``__hash__`` (the
# numeric-address cache is a dict), ``__contains__`` (the NUL checks) or
# ``encode`` cannot make a check see other text than C is given.
exact_text: Callable[[str], str] = str.__str__


def as_int(value: object) -> Optional[int]:
    """``value`` as the exact ``int`` C will be given, or None if it is no
    integer.  An integer is what ``operator.index`` accepts, as for every C
    ``int`` the stdlib takes: an ``int`` (a subclass is read by its digits),
    or an object with ``__index__`` (numpy's integers), asked once (on 3.9
    also one with only ``__int__``, as CPython 3.9's converters).  An
    exception raised in Python code while it is asked (its ``__index__``, a
    signal handler) propagates."""
    if type(value) is int:
        return value
    if isinstance(value, int):
        return exact(value)
    try:
        number = _index(cast(SupportsIndex, value))
    except TypeError as exc:
        propagate(exc)  # an __index__'s own TypeError (Python code) is its own
        if not _INT_TOO or isinstance(value, float) or not hasattr(type(value), "__int__"):
            return None
        # CPython 3.9's C int converters (the fast paths hand values to them)
        # also take an object with only __int__, with this warning
        warnings.warn(f"an integer is required (got type {type(value).__name__}).  Implicit "
                      "conversion to integers using __int__ is deprecated", DeprecationWarning,
                      stacklevel=4)
        number = int(value)  # type: ignore[call-overload]
    return exact(number)  # (3.9: __index__ may return an int subclass)


_INT_TOO = sys.version_info < (3, 10)


def integer(call: str, argn: int, value: object, field: Optional[str] = None) -> int:
    """``value`` as the exact ``int`` C will be given (see ``as_int``);
    ``TypeError`` if it is no integer.  Range checks must compare this,
    never the caller's object (an ``int`` subclass can lie in its
    comparisons, an ``__index__`` give another value next time)."""
    if type(value) is int:
        return value
    number = as_int(value)
    if number is None:
        expected(call, argn, "int", value, field)
    return number


def table(value: Dict[_K, _V]) -> Dict[_K, _V]:
    """An argument ``dict`` (an address, getaddrinfo's hints, a ``Cmsg``
    item) as the table it holds: a subclass is copied with ``dict.copy``,
    which reads the table itself, so its ``get``, ``__iter__``,
    ``__contains__`` or ``__len__`` cannot answer differently from one look
    to the next (or raise OverflowError).  An exact ``dict`` is returned as
    it is."""
    return value if type(value) is dict else dict.copy(value)


def items(value: Iterable[_V]) -> List[_V]:
    """The items of a sequence argument, as a new list.  A ``list`` or
    ``tuple`` subclass is read as the items it holds (as CPython's
    ``PySequence_Fast`` does), anything else by iterating it: never by asking
    its ``__len__`` or ``__length_hint__``, which ``list()`` does to size its
    result (a lying one makes it raise OverflowError or MemoryError)."""
    if isinstance(value, list):
        return list.copy(value)
    if isinstance(value, tuple):
        return list(tuple.__iter__(value))  # the iterator's hint is the true size
    return [item for item in value]


def size(call: str, argn: int, value: object, what: str) -> int:
    """``value`` as a count or length C is given: an ``int``, not negative
    (``ValueError`` naming ``what``)."""
    n = integer(call, argn, value)
    if n < 0:
        bad(call, argn, f"{what} must not be negative, got {n}", ValueError)
    return n


def fields(call: str, argn: int, table: Iterable[object], allowed: Container[object]) -> None:
    """Raise ``ValueError`` for a field name of ``table`` (an argument dict)
    that ``allowed`` does not hold, as luaposix's ``checkfieldnames``."""
    for name in table:
        if name not in allowed:
            bad(call, argn, f"invalid field name '{name}'", ValueError)


def cint(call: str, argn: int, value: object) -> int:
    """Check that ``value`` can be passed as a C ``int`` and return it.

    Python ints have no width; a C ``int`` has 32 bits.  Rather than let the
    stdlib raise ``OverflowError`` or truncate, out-of-range is a
    ``ValueError`` naming the argument.  The value is converted first (see
    ``exact``), then checked.
    """
    n = value if type(value) is int else integer(call, argn, value)
    if not INT_MIN <= n <= INT_MAX:
        bad(call, argn, f"int out of C int range, got {n}", ValueError)
    return n


def bytes_like(call: str, argn: int, value: object) -> None:
    """Check that ``value`` is a buffer of bytes (not text)."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        expected(call, argn, "bytes", value)
    if isinstance(value, memoryview) and not value.c_contiguous:
        bad(call, argn, "contiguous bytes expected, got a strided memoryview")
