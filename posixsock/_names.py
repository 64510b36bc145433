"""Names and numbers: ``getnameinfo``, the interface index calls, and the
address text conversions ``inet_pton``/``inet_ntop``.

None of these is in luaposix; failures are ``"<call>: <strerror>"`` triples,
except ``getnameinfo``, which reports as ``getaddrinfo`` does (the resolver's
text and its negative ``EAI_*`` code).

The stdlib's versions differ from C in ways these functions undo:
``socket.getnameinfo`` takes a ``(host, port)`` tuple and runs the host
through ``getaddrinfo`` first; ``inet_pton`` raises ``OSError`` without an
errno for text that is not an address, and ``ValueError`` for a NUL;
``if_indextoname`` raises ``OverflowError`` outside C's ``unsigned int``;
``inet_ntop`` raises ``ValueError`` for a family or length it does not know.
"""
from __future__ import annotations

import _socket
from errno import EAFNOSUPPORT, EINVAL, ENXIO
from typing import List, Tuple, TypedDict, Union

from . import _args
from ._errors import Error, fail, from_oserror, from_resolver, propagate, resolver_failure
from ._sockaddr import SockAddrArg, native

__all__ = ["IfNameIndex", "getnameinfo", "if_indextoname", "if_nameindex",
           "inet_pton", "inet_ntop"]

_AF_INET: int = _socket.AF_INET
_AF_INET6: int = _socket.AF_INET6
_U32 = 2**32 - 1
_EAI_FAMILY: int = _socket.EAI_FAMILY
_EAI_NONAME: int = _socket.EAI_NONAME
_PACKED = {_AF_INET: 4, _AF_INET6: 16}


class IfNameIndex(TypedDict):
    """One network interface, ``struct if_nameindex``."""

    index: int
    name: str


def getnameinfo(sockaddr: SockAddrArg, flags: int = 0, /) -> Union[Tuple[str, str], Error]:
    """Address-to-name translation: ``getnameinfo(3)``.

    :param sockaddr: an ``AF_INET`` or ``AF_INET6`` ``SockAddr`` with a
        numeric ``addr`` (it is never resolved as a name)
    :param flags: ``NI_*`` flags, or-ed (``NI_NUMERICHOST`` avoids a
        reverse lookup)
    :returns: ``(host, service)``, or ``Error(None, gai_strerror, EAI
        code)``: other families give EAI_FAMILY; an address C could not put
        in a ``sockaddr`` (not numeric, port outside 0-65535) EAI_NONAME
    """
    f = _args.cint("getnameinfo", 2, flags)
    parsed = native("getnameinfo", 1, sockaddr)
    if isinstance(parsed, int):
        return resolver_failure(_EAI_NONAME)
    family, address = parsed
    if family not in _PACKED:
        return resolver_failure(_EAI_FAMILY)
    try:
        host, service = _socket.getnameinfo(address, f)  # type: ignore[arg-type]
    except OSError as exc:  # gaierror, or errno's OSError for EAI_SYSTEM
        return from_resolver(exc)
    return host, service


def if_indextoname(index: int, /) -> Union[str, Error]:
    """Get a network interface's name from its index: ``if_indextoname(3)``.

    :param index: interface index
    :returns: the name, or ``Error(None, "if_indextoname: <strerror>",
        errnum)`` -- ENXIO for an index no interface has (any ``int``:
        0, negative or beyond C's ``unsigned int`` included)
    """
    number = _args.integer("if_indextoname", 1, index)
    if not 0 < number <= _U32:
        return fail("if_indextoname", ENXIO)
    try:
        name: str = _socket.if_indextoname(number)
    except OSError as exc:
        return from_oserror("if_indextoname", exc, ENXIO)
    return name


def if_nameindex() -> Union[List[IfNameIndex], Error]:
    """List the network interfaces: ``if_nameindex(3)``.

    :returns: ``[{"index": int, "name": str}, ...]``, or
        ``Error(None, "if_nameindex: <strerror>", errnum)``
    """
    try:
        found = _socket.if_nameindex()
    except OSError as exc:
        return from_oserror("if_nameindex", exc, EINVAL)
    return [{"index": index, "name": name} for index, name in found]


def inet_pton(family: int, text: str, /) -> Union[bytes, Error]:
    """Convert an address from text to binary form: ``inet_pton(3)``.

    :param family: ``AF_INET`` or ``AF_INET6``
    :param text: a numeric address, ``"127.0.0.1"`` or ``"::1"``
    :returns: the packed address (4 or 16 bytes, network order), or
        ``Error(None, "inet_pton: <strerror>", errnum)``: EAFNOSUPPORT for
        another family, EINVAL for text that is not an address of
        ``family`` (NUL and lone surrogates included)
    """
    f = _args.cint("inet_pton", 1, family)
    if not isinstance(text, str):
        _args.expected("inet_pton", 2, "str", text)
    if f not in _PACKED:
        return fail("inet_pton", EAFNOSUPPORT)
    try:
        packed: bytes = _socket.inet_pton(f, text)
    except OSError as exc:  # no errno: C's inet_pton returned 0
        return from_oserror("inet_pton", exc, EINVAL)
    except (ValueError, UnicodeError) as exc:  # NUL, or no UTF-8 for the text
        propagate(exc)
        return fail("inet_pton", EINVAL)
    return packed


def inet_ntop(family: int, packed: Union[bytes, bytearray, memoryview], /) -> Union[str, Error]:
    """Convert an address from binary to text form: ``inet_ntop(3)``.

    :param family: ``AF_INET`` or ``AF_INET6``
    :param packed: the address, 4 or 16 bytes in network order
    :returns: its text, or ``Error(None, "inet_ntop: <strerror>", errnum)``:
        EAFNOSUPPORT for another family, EINVAL when ``packed`` is not the
        family's length (C would read past it or stop short)
    """
    f = _args.cint("inet_ntop", 1, family)
    _args.bytes_like("inet_ntop", 2, packed)
    size = _PACKED.get(f)
    if size is None:
        return fail("inet_ntop", EAFNOSUPPORT)
    if memoryview(packed).nbytes != size:
        return fail("inet_ntop", EINVAL)
    return _socket.inet_ntop(f, packed)
