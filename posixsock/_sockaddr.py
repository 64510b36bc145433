"""Socket addresses: the ``SockAddr`` dict and its two conversions.

``native(call, argn, addr)`` turns a ``SockAddr`` into what the stdlib's
``getsockaddrarg`` builds the C ``struct sockaddr`` from; ``sockaddr(value)``
turns what ``makesockaddr`` returns back into a ``SockAddr``.  luaposix keeps
the same two functions (``sockaddr_from_lua``, ``pushsockaddrinfo``) with a
list of allowed fields per family; so does this module, and it is the only
place that dispatches on ``family``.

Where the stdlib would give a value a meaning C does not, the value is
refused here first: ``""`` (INADDR_ANY in CPython), ``"<broadcast>"`` and
host names (CPython resolves them inside ``bind``/``connect``/``sendto``)
are not numeric addresses, so they are EINVAL; a port outside 0-65535 is
EINVAL, not an ``OverflowError`` and not wrapped modulo 65536 as luaposix's
``htons`` does.
"""
from __future__ import annotations

import _socket
import os
import sys
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional, Tuple, TypedDict, Union

from . import _args

__all__ = ["SockAddr", "AddrInfoHints"]


class _SockAddrFamily(TypedDict):
    family: int


class SockAddr(_SockAddrFamily, total=False):
    """A socket address, luaposix's ``sockaddr`` table.

    ``family`` is always present; the other fields depend on it:

    * ``AF_INET``: ``port``, ``addr`` (dotted quad);
    * ``AF_INET6``: ``port``, ``addr``, ``flowinfo``, ``scope_id`` (the last
      two optional on input, always present on output);
    * ``AF_UNIX``: ``path`` (Linux abstract names start with ``"\\0"``; an
      unnamed socket has ``""``);
    * ``AF_NETLINK``: ``pid``, ``groups``;
    * ``AF_PACKET``: ``ifindex``;
    * ``getaddrinfo`` results also carry ``socktype``, ``protocol`` and,
      when the resolver gave one, ``canonname``.
    """

    port: int
    addr: str
    flowinfo: int
    scope_id: int
    path: str
    pid: int
    groups: int
    ifindex: int
    socktype: int
    protocol: int
    canonname: str


class AddrInfoHints(TypedDict, total=False):
    """``getaddrinfo`` hints, luaposix's ``PosixAddrInfo`` table."""

    family: int
    socktype: int
    protocol: int
    flags: int


AF_INET: int = _socket.AF_INET
AF_INET6: int = _socket.AF_INET6
AF_UNIX: int = _socket.AF_UNIX
AF_UNSPEC: int = _socket.AF_UNSPEC
AF_NETLINK: Optional[int] = getattr(_socket, "AF_NETLINK", None)
AF_PACKET: Optional[int] = getattr(_socket, "AF_PACKET", None)
EINVAL = 22
ENODEV = 19
ENAMETOOLONG = 36
_U32 = 2**32 - 1
_SUN_PATH = 108  # sizeof(((struct sockaddr_un *)0)->sun_path) on Linux
_FLOWINFO_MAX = 0xFFFFF  # CPython's getsockaddrarg refuses more (OverflowError)

Native = Union[Tuple[object, ...], bytes]
Parsed = Union[Tuple[int, Native], int]  # (family, stdlib address) or errno

# luaposix's Safinet_fields and friends: the names each family accepts
_INET4: FrozenSet[str] = frozenset({"family", "port", "addr", "socktype", "canonname", "protocol"})
_INET6: FrozenSet[str] = _INET4 | {"flowinfo", "scope_id"}
_UNIX: FrozenSet[str] = frozenset({"family", "path"})
_NETLINK: FrozenSet[str] = frozenset({"family", "pid", "groups"})
_PACKET: FrozenSet[str] = frozenset({"family", "ifindex"})

_MISSING = _args.MISSING


def _fields(call: str, argn: int, addr: Mapping[str, object], allowed: FrozenSet[str]) -> None:
    for name in addr:
        if name not in allowed:
            _args.bad(call, argn, f"invalid field name '{name}'", ValueError)


def _int(call: str, argn: int, addr: Mapping[str, object], name: str,
         default: object = _MISSING) -> int:
    # the exact int C is given; ranges are checked on it (see _args.exact)
    return _args.integer(call, argn, addr.get(name, default), name)


def _u32(value: int) -> int:
    """A C ``int`` stored into a field C declares ``uint32_t`` (netlink
    ``nl_pid``/``nl_groups``, ``sin6_scope_id``), as C's assignment stores
    it: two's complement, so -1 is 0xFFFFFFFF ("all groups" in netlink).
    -1 if ``value`` is neither such an int nor a uint32 (C could not pass it)."""
    if 0 <= value <= _U32:
        return value
    if _args.INT_MIN <= value < 0:
        return value & _U32
    return -1


def _str(call: str, argn: int, addr: Mapping[str, object], name: str) -> str:
    value = addr.get(name, _MISSING)
    if not isinstance(value, str):
        _args.expected(call, argn, "str", value, name)
    return value


def pton(family: int, text: str) -> Optional[bytes]:
    """``inet_pton(family, text)``, or None if ``text`` is not a numeric
    address of ``family`` (NUL and non-ASCII text included).

    An exception raised by a signal handler that ran while the stdlib's
    function was called is no verdict on ``text``: it propagates.  Its
    traceback tells it: the C function adds no frame of its own, the
    handler (Python code) does.
    """
    try:
        packed: bytes = _socket.inet_pton(family, text)
    except (OSError, ValueError, UnicodeError) as exc:
        # (no local may keep the traceback: it would hold this frame in a cycle)
        if exc.__traceback__ is not None and exc.__traceback__.tb_next is not None:
            raise  # a handler's exception (TimeoutError from an alarm, ...)
        return None
    return packed


# Numeric addresses already checked by inet_pton, per family, so the hot
# path of a UDP loop does not parse the same string again.  Bounded in
# entries and in bytes: only text short enough to be an address is kept
# (INET6_ADDRSTRLEN - 1 = 45 characters, the longest text inet_pton takes,
# "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), so the cache never keeps
# a caller's long strings alive.
_numeric: Dict[int, Dict[str, bool]] = {AF_INET: {}, AF_INET6: {}}
_CACHED_TEXT = 45


def _is_numeric(family: int, text: str) -> bool:
    seen = _numeric[family]
    ok = seen.get(text)
    if ok is None:
        ok = pton(family, text) is not None  # a handler's exception: not cached
        if len(text) <= _CACHED_TEXT:
            if len(seen) >= 1024:
                seen.clear()
            seen[text] = ok
    return ok


_numeric4_get = _numeric[AF_INET].get


def _inet4(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    port = addr.get("port")
    host = addr.get("addr")
    if type(port) is not int or type(host) is not str or len(addr) != 3:
        # anything but exactly {family, port, addr} with exact types: check
        # each field in luaposix's order, for its words
        port = _int(call, argn, addr, "port")
        host = _str(call, argn, addr, "addr")
        _fields(call, argn, addr, _INET4)
    if 0 <= port <= 0xFFFF and (_numeric4_get(host) or _is_numeric(AF_INET, host)):
        return AF_INET, (host, port)
    return EINVAL


def _inet6(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    port = _int(call, argn, addr, "port")
    host = _str(call, argn, addr, "addr")
    flowinfo = _int(call, argn, addr, "flowinfo", 0)
    scope_id = _int(call, argn, addr, "scope_id", 0)
    _fields(call, argn, addr, _INET6)
    if not 0 <= scope_id <= _U32:
        scope_id = _u32(scope_id)  # a negative C int, stored as C stores it
        if scope_id < 0:
            return EINVAL
    if (not 0 <= port <= 0xFFFF or not 0 <= flowinfo <= _FLOWINFO_MAX
            or not _is_numeric(AF_INET6, host)):
        return EINVAL
    return AF_INET6, (host, port, flowinfo, scope_id)


def _unix(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    text = _str(call, argn, addr, "path")
    _fields(call, argn, addr, _UNIX)
    try:
        path = os.fsencode(text)  # undoes the surrogateescape of decoding
    except UnicodeError:
        return EINVAL  # lone surrogates: no bytes C could be given
    # CPython needs room for a terminating NUL after a filesystem path (so
    # 107 bytes), none after an abstract name (108).  luaposix silently
    # truncated at 108; the kernel would read past a longer one.
    abstract = path[:1] in (b"", b"\0")
    limit = _SUN_PATH if abstract else _SUN_PATH - 1
    if len(path) > limit:
        return ENAMETOOLONG
    # The kernel reads a filesystem path up to its first NUL: "dir/ok\0x"
    # would name "dir/ok".  Nothing is cut silently; an abstract name keeps
    # every byte, NULs included.
    if not abstract and b"\0" in path:
        return EINVAL
    return AF_UNIX, path


def _netlink(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    pid = _u32(_int(call, argn, addr, "pid"))
    groups = _u32(_int(call, argn, addr, "groups"))
    _fields(call, argn, addr, _NETLINK)
    if pid < 0 or groups < 0:
        return EINVAL
    assert AF_NETLINK is not None
    return AF_NETLINK, (pid, groups)


def _packet(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    ifindex = _int(call, argn, addr, "ifindex")
    _fields(call, argn, addr, _PACKET)
    # CPython's AF_PACKET address names the interface, which it turns back
    # into sll_ifindex with SIOCGIFINDEX; sll_protocol stays 0, as luaposix's
    # memset leaves it.  An index with no interface (0 included) is ENODEV.
    if not 0 < ifindex <= _U32:
        return ENODEV
    try:
        name = _socket.if_indextoname(ifindex)
    except (OSError, OverflowError):
        return ENODEV
    assert AF_PACKET is not None
    return AF_PACKET, (name, 0)


_PARSERS: Dict[int, Callable[[str, int, Mapping[str, object]], Parsed]] = {
    AF_INET: _inet4, AF_INET6: _inet6, AF_UNIX: _unix,
}
if AF_NETLINK is not None:
    _PARSERS[AF_NETLINK] = _netlink
if AF_PACKET is not None:
    _PARSERS[AF_PACKET] = _packet


def native(call: str, argn: int, addr: object) -> Parsed:
    """Convert argument ``argn`` of ``call`` to ``(family, stdlib address)``.

    Returns an errno (EINVAL, ENAMETOOLONG, ENODEV) for an address C could not
    express; raises ``TypeError``/``ValueError`` for a malformed dict.
    """
    if type(addr) is dict:
        family = addr.get("family")
        if type(family) is int:
            parse = _PARSERS.get(family)
            if parse is not None:
                return parse(call, argn, addr)
    if not isinstance(addr, dict):
        _args.expected(call, argn, "dict", addr)
    family = _args.integer(call, argn, addr.get("family", _MISSING), "family")
    parse = _PARSERS.get(family)
    if parse is None:
        _args.bad(call, argn, f"unsupported family type {family}", ValueError)
    return parse(call, argn, addr)


_SO_DOMAIN: Optional[int] = getattr(_socket, "SO_DOMAIN", None)


def _domain(sock: Optional[_socket.socket]) -> int:
    """The descriptor's family, asked of the kernel (-1: cannot tell)."""
    if sock is None or _SO_DOMAIN is None:
        return -1
    try:
        family: int = sock.getsockopt(_socket.SOL_SOCKET, _SO_DOMAIN)
    except OSError:
        return -1
    return family


def sockaddr(value: Any, sock: Optional[_socket.socket] = None) -> SockAddr:
    """Convert a ``makesockaddr`` result into a ``SockAddr``.

    ``makesockaddr`` dispatches on the ``sa_family`` the kernel wrote, so the
    shape of its result tells the family; the two shapes other families
    share -- ``(int, int)`` is netlink but also vsock and qipcrtr, and
    ``(str, int)`` with a colon is Bluetooth -- are settled by asking the
    socket (``SO_DOMAIN``).  ``None`` means the kernel returned no address
    (a stream socket's ``recvfrom``, an unnamed datagram sender): the
    zeroed ``sockaddr`` a C caller would see, ``{"family": AF_UNSPEC}``.
    """
    if type(value) is tuple and len(value) == 2:
        host, port = value
        if type(host) is str and ":" not in host:  # IPv4: the hot case first
            return {"family": AF_INET, "port": port, "addr": host}
    return _other(value, sock)


def _other(value: Any, sock: Optional[_socket.socket]) -> SockAddr:
    kind = type(value)
    if kind is tuple:
        size = len(value)
        host = value[0]
        if type(host) is str:
            if size == 4:
                return {"family": AF_INET6, "port": value[1], "addr": host,
                        "flowinfo": value[2], "scope_id": value[3]}
            if size == 5 and AF_PACKET is not None:
                return {"family": AF_PACKET, "ifindex": _ifindex(host)}
        elif size == 2 and type(value[1]) is int and AF_NETLINK is not None:
            if _domain(sock) in (AF_NETLINK, -1):
                return {"family": AF_NETLINK, "pid": host, "groups": value[1]}
        elif size == 2 and type(value[1]) is bytes and type(host) is int:
            return {"family": host}  # makesockaddr's unknown-family branch
    elif kind is str:
        return {"family": AF_UNIX, "path": value}
    elif kind is bytes:  # Linux abstract name, "\0" first: keep every byte
        return {"family": AF_UNIX, "path": os.fsdecode(value)}
    elif value is None:
        return {"family": AF_UNSPEC}
    family = _domain(sock)  # a shape of another family: say which, no more
    return {"family": AF_UNSPEC if family < 0 else family}


def _ifindex(name: str) -> int:
    # makesockaddr turned sll_ifindex into a name with SIOCGIFNAME ("" when
    # that failed); turn it back.
    if not name:
        return 0
    try:
        return _socket.if_nametoindex(name)
    except OSError:
        return 0


if sys.platform != "linux":  # pragma: no cover
    _SUN_PATH = 104  # BSD and macOS
