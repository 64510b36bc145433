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
import fcntl
import os
import struct
import sys
from errno import EAFNOSUPPORT, EINVAL, ENAMETOOLONG, ENODEV
from typing import (
    TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Literal, Mapping, Optional, Tuple, TypedDict, Union, final,
)

from . import _args
from ._constants import AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_UNSPEC, AF_VSOCK
from ._errors import propagate

__all__ = [
    "SockAddr", "SockAddrInet", "SockAddrInet6", "SockAddrUnix", "SockAddrNetlink",
    "SockAddrPacket", "SockAddrPacketArg", "SockAddrVsock", "SockAddrUnspec", "AddrInfo",
    "AddrInfoInet", "AddrInfoInet6", "SockAddrArg", "SockAddrInet6Arg", "AddrInfoHints",
    "SockAddrBound",
]

# The type of each TypedDict's ``family``: its Linux value as a literal, the
# type of the matching constant (``_constants``), so that both checkers narrow
# a ``SockAddr`` on ``sa["family"] == AF_INET``.  Elsewhere the values differ
# (AF_INET6 is 30 on macOS, 28 on FreeBSD) and the families are plain ``int``:
# there a key test (``"port" in sa``) narrows instead.
if sys.platform == "linux":
    _Unspec = Literal[0]
    _Unix = Literal[1]
    _Inet = Literal[2]
    _Inet6 = Literal[10]
    _Netlink = Literal[16]
    _Packet = Literal[17]
    _Vsock = Literal[40]
else:  # pragma: no cover - exercised on other platforms only
    _Unspec = int
    _Unix = int
    _Inet = int
    _Inet6 = int
    _Netlink = int
    _Packet = int
    _Vsock = int

# Every public TypedDict is @final: a checker may then take ``"port" in sa``
# to mean an AF_INET or AF_INET6 address.  Shared fields live in private
# bases, so that getaddrinfo's results are addresses too.


class _Inet4Fields(TypedDict):
    """The fields of every AF_INET address."""

    family: _Inet
    port: int
    addr: str


class _Inet6Fields(TypedDict):
    """The fields of every AF_INET6 address posixsock returns."""

    family: _Inet6
    port: int
    addr: str
    flowinfo: int
    scope_id: int


@final
class SockAddrInet(_Inet4Fields):
    """An ``AF_INET`` address: ``port``, ``addr`` (numeric, dotted quad)."""


@final
class SockAddrInet6(_Inet6Fields):
    """An ``AF_INET6`` address: ``port``, ``addr`` (numeric), ``flowinfo``,
    ``scope_id``, as every call that returns one gives it (as an argument,
    ``SockAddrInet6Arg`` may leave out the last two)."""


@final
class SockAddrUnix(TypedDict):
    """An ``AF_UNIX`` address: ``path`` (Linux abstract names start with
    ``"\\0"``; an unnamed socket has ``""``)."""

    family: _Unix
    path: str


@final
class SockAddrNetlink(TypedDict):
    """An ``AF_NETLINK`` address: ``pid`` (port id), ``groups`` (bit mask)."""

    family: _Netlink
    pid: int
    groups: int


class _PacketFields(TypedDict):
    """The fields every AF_PACKET address has (luaposix's only one)."""

    family: _Packet
    ifindex: int


@final
class SockAddrPacket(_PacketFields):
    """An ``AF_PACKET`` address, the whole ``struct sockaddr_ll``: the
    interface's ``ifindex``; ``protocol``, the ``ETH_P_*`` number in *host*
    byte order (C's ``sll_protocol`` is network order; posixsock swaps, as
    CPython does); ``pkttype`` (``PACKET_HOST``, ``PACKET_OUTGOING``, ...);
    ``hatype`` (``ARPHRD_*``); ``haddr``, the hardware address (``sll_addr``'s
    first ``sll_halen`` bytes).  luaposix gives only ``ifindex``; the rest is
    posixsock's extension.  As an argument, ``SockAddrPacketArg``."""

    protocol: int
    pkttype: int
    hatype: int
    haddr: bytes


@final
class SockAddrPacketArg(_PacketFields, total=False):
    """An ``AF_PACKET`` address as an argument: ``ifindex`` alone (as in
    luaposix: the other fields 0 and no hardware address), or with any of
    ``protocol`` (host byte order, 0-65535), ``pkttype`` (0-255),
    ``hatype`` (0-65535) and ``haddr`` (at most 8 bytes).  ``sendto`` on a
    ``SOCK_DGRAM`` packet socket needs ``protocol`` and ``haddr`` (the
    destination) as in C."""

    protocol: int
    pkttype: int
    hatype: int
    haddr: bytes


@final
class SockAddrVsock(TypedDict):
    """An ``AF_VSOCK`` address (Linux, host<->VM): ``cid`` (context id:
    ``VMADDR_CID_ANY``, ``VMADDR_CID_HOST`` ...) and ``port``, both 32-bit
    unsigned.  C's ``svm_flags`` cannot be passed through the stdlib (0)."""

    family: _Vsock
    cid: int
    port: int


@final
class SockAddrUnspec(TypedDict):
    """No address, ``{"family": AF_UNSPEC}``: what ``recvfrom``, ``recvmsg``
    and ``recv_fds`` give when the kernel reports no source (stream sockets,
    unnamed AF_UNIX senders)."""

    family: _Unspec


# SockAddr and SockAddrBound (below) each spell out their members: written
# as Union[SockAddrBound, SockAddrUnspec], mypy (1.20) no longer narrows a
# key test ("port" in sa) to the @final TypedDicts that have the key.
if sys.platform == "linux":
    SockAddr = Union[SockAddrInet, SockAddrInet6, SockAddrUnix, SockAddrNetlink, SockAddrPacket,
                     SockAddrVsock, SockAddrUnspec]
else:  # pragma: no cover - no AF_VSOCK, and there "port" in sa must mean AF_INET/AF_INET6
    SockAddr = Union[SockAddrInet, SockAddrInet6, SockAddrUnix, SockAddrNetlink, SockAddrPacket,
                     SockAddrUnspec]
"""A socket address, luaposix's ``sockaddr`` table, as posixsock returns it:
one TypedDict per family, told apart by ``family``; ``SockAddrUnspec`` when
a source may be missing (``recvfrom``, ``recvmsg``, ``recv_fds``).  (A
socket of a family posixsock has no constant for -- made with a bare number
-- gives ``{"family": <number>}``, which no member describes.)"""

if sys.platform == "linux":
    SockAddrBound = Union[SockAddrInet, SockAddrInet6, SockAddrUnix, SockAddrNetlink,
                          SockAddrPacket, SockAddrVsock]
else:  # pragma: no cover - no AF_VSOCK there
    SockAddrBound = Union[SockAddrInet, SockAddrInet6, SockAddrUnix, SockAddrNetlink,
                          SockAddrPacket]
"""The address of a socket, as ``getsockname``, ``getpeername`` and
``accept`` give it: one TypedDict per family, told apart by ``family``, and
never ``SockAddrUnspec`` (a socket always has its family, bound or not), so
it goes back into ``connect``, ``bind``, ``sendto`` as it is.  Every member
of ``SockAddr`` but AF_UNSPEC's: a family added there belongs here too."""


class _Inet4Info(_Inet4Fields):
    """What getaddrinfo adds to every AF_INET result."""

    socktype: int
    protocol: int


class _Inet6Info(_Inet6Fields):
    """What getaddrinfo adds to every AF_INET6 result."""

    socktype: int
    protocol: int


@final
class AddrInfoInet(_Inet4Info, total=False):
    """A ``getaddrinfo`` result for ``AF_INET``: the address's fields,
    ``socktype`` and ``protocol``, and ``canonname`` when the resolver gave
    one (``AI_CANONNAME``, first result).  Accepted wherever a ``SockAddrInet``
    is."""

    canonname: str


@final
class AddrInfoInet6(_Inet6Info, total=False):
    """A ``getaddrinfo`` result for ``AF_INET6``: as ``AddrInfoInet``, with
    ``flowinfo`` and ``scope_id``.  Accepted wherever a ``SockAddrInet6`` is."""

    canonname: str


AddrInfo = Union[AddrInfoInet, AddrInfoInet6]
"""One ``getaddrinfo`` result."""


class _Inet6ArgFields(TypedDict):
    """The fields an AF_INET6 argument must have."""

    family: _Inet6
    port: int
    addr: str


@final
class SockAddrInet6Arg(_Inet6ArgFields, total=False):
    """An ``AF_INET6`` address as an argument: ``flowinfo`` and ``scope_id``
    may be left out (0)."""

    flowinfo: int
    scope_id: int


if sys.platform == "linux":
    SockAddrArg = Union[SockAddrInet, SockAddrInet6, SockAddrInet6Arg, SockAddrUnix,
                        SockAddrNetlink, SockAddrPacket, SockAddrPacketArg, SockAddrVsock]
else:  # pragma: no cover - families are plain int: AF_UNSPEC cannot be told apart
    SockAddrArg = Union[SockAddrInet, SockAddrInet6, SockAddrInet6Arg, SockAddrUnix,
                        SockAddrNetlink, SockAddrPacket, SockAddrPacketArg, SockAddrUnspec]
"""An address argument (``connect``, ``bind``, ``sendto``, ``sendmsg``,
``getnameinfo``): any ``SockAddr`` but the AF_UNSPEC one, which C cannot be
given ("unsupported family type 0"), ``AF_INET6`` without ``flowinfo`` and
``scope_id``, and -- structurally -- any ``AddrInfo``.  A field of another
family, a missing field or a wrong value type is a type error."""


class AddrInfoHints(TypedDict, total=False):
    """``getaddrinfo`` hints, luaposix's ``PosixAddrInfo`` table."""

    family: int
    socktype: int
    protocol: int
    flags: int


_U32 = 2**32 - 1
# sizeof(((struct sockaddr_un *)0)->sun_path): 108 on Linux, 104 on macOS and
# the BSDs, whose sockaddr_un starts with a sun_len byte.  CPython leaves
# sun_len 0 and their kernels set it from the length argument (getsockaddr
# in FreeBSD's uipc_syscalls.c, XNU's likewise), so nothing is needed for it.
_SUN_PATH = 108 if sys.platform == "linux" else 104
# Linux's abstract namespace: a name whose first byte is NUL names no file.
# macOS and the BSDs have none; there the kernel reads sun_path up to its
# first NUL, so "\0name" would be the empty path: EINVAL, as any path with a
# NUL inside (nothing is cut silently).
_ABSTRACT = sys.platform == "linux"
_FLOWINFO_MAX = 0xFFFFF  # CPython's getsockaddrarg refuses more (OverflowError)

Native = Union[Tuple[object, ...], bytes]
Parsed = Union[Tuple[int, Native], int]  # (family, stdlib address) or errno

# luaposix's Safinet_fields and friends: the names each family accepts
_INET4: FrozenSet[str] = frozenset({"family", "port", "addr", "socktype", "canonname", "protocol"})
_INET6: FrozenSet[str] = _INET4 | {"flowinfo", "scope_id"}
_UNIX: FrozenSet[str] = frozenset({"family", "path"})
_NETLINK: FrozenSet[str] = frozenset({"family", "pid", "groups"})
_PACKET: FrozenSet[str] = frozenset({"family", "ifindex", "protocol", "pkttype", "hatype", "haddr"})
_VSOCK: FrozenSet[str] = frozenset({"family", "cid", "port"})
_HADDR = 8  # sizeof(((struct sockaddr_ll *)0)->sll_addr)

_MISSING = _args.MISSING


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
    if type(value) is str:
        return value
    if not isinstance(value, str):
        _args.expected(call, argn, "str", value, name)
    return _args.exact_text(value)  # the text C reads, not the subclass's methods


# os.fsencode(text) is text.encode(<filesystem encoding>, <its error
# handler>), but it is Python code: a signal handler can run inside it, and
# its own frame would make _errors.propagate take a genuine UnicodeError
# for a handler's.  The encodings str.encode runs in C alone (CPython's
# shortcuts for UTF-8, Latin-1 and ASCII; Linux's is UTF-8) are called
# directly; any other is a Python codec, whose failure cannot be told from
# a handler's, and goes through os.fsencode as before.
_FS_ENCODING: str = sys.getfilesystemencoding()
_FS_ERRORS: str = sys.getfilesystemencodeerrors()
_FS_IN_C = _FS_ENCODING.lower().replace("_", "-") in {
    "utf-8", "utf8", "latin-1", "latin1", "iso-8859-1", "iso8859-1", "ascii", "us-ascii"}


def fs_bytes(text: str) -> Optional[bytes]:
    """``os.fsencode(text)`` (undoes the surrogateescape of decoding), or
    None if ``text`` has no bytes C could be given (lone surrogates).  A
    signal handler's exception propagates (``_errors.propagate``)."""
    text = _args.exact_text(text)  # the characters, not a subclass's encode()
    if _FS_IN_C:
        try:
            return text.encode(_FS_ENCODING, _FS_ERRORS)
        except UnicodeError as exc:
            propagate(exc)
            return None
    try:  # pragma: no cover - a filesystem encoding in Python code
        return os.fsencode(text)
    except UnicodeError:  # pragma: no cover
        return None


def pton(family: int, text: str) -> Optional[bytes]:
    """``inet_pton(family, text)``, or None if ``text`` is not a numeric
    address of ``family`` (NUL and non-ASCII text included).

    An exception raised by a signal handler that ran while the stdlib's
    function was called is no verdict on ``text``: it propagates
    (``_errors.propagate``).
    """
    try:
        packed: bytes = _socket.inet_pton(family, text)
    except (OSError, ValueError, UnicodeError) as exc:
        propagate(exc)  # a handler's exception (TimeoutError from an alarm, ...)
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
        _args.fields(call, argn, addr, _INET4)
    if 0 <= port <= 0xFFFF and (_numeric4_get(host) or _is_numeric(AF_INET, host)):
        return AF_INET, (host, port)
    return EINVAL


def _inet6(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    port = _int(call, argn, addr, "port")
    host = _str(call, argn, addr, "addr")
    flowinfo = _int(call, argn, addr, "flowinfo", 0)
    scope_id = _int(call, argn, addr, "scope_id", 0)
    _args.fields(call, argn, addr, _INET6)
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
    _args.fields(call, argn, addr, _UNIX)
    path = fs_bytes(text)
    if path is None:
        return EINVAL  # lone surrogates: no bytes C could be given
    # CPython needs room for a terminating NUL after a filesystem path (so
    # 107 bytes), none after an abstract name (108).  luaposix silently
    # truncated at 108; the kernel would read past a longer one.
    abstract = path[:1] in (b"", b"\0") if _ABSTRACT else not path
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
    _args.fields(call, argn, addr, _NETLINK)
    if pid < 0 or groups < 0:
        return EINVAL
    assert AF_NETLINK is not None
    return AF_NETLINK, (pid, groups)


def _packet(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    ifindex = _int(call, argn, addr, "ifindex")
    protocol = _int(call, argn, addr, "protocol", 0)
    pkttype = _int(call, argn, addr, "pkttype", 0)
    hatype = _int(call, argn, addr, "hatype", 0)
    haddr = addr.get("haddr", b"")
    if type(haddr) is not bytes:
        if not isinstance(haddr, bytes):
            _args.expected(call, argn, "bytes", haddr, "haddr")
        haddr = b"".join((haddr,))  # the bytes C reads, not the subclass's methods
    _args.fields(call, argn, addr, _PACKET)
    # C's fields are uint16 (sll_protocol, sll_hatype), unsigned char
    # (sll_pkttype) and 8 bytes (sll_addr): a value they cannot hold is
    # EINVAL, never truncated.  CPython takes ``protocol`` in host order and
    # stores htons(protocol), as C callers write htons(ETH_P_IP).
    if (not 0 <= protocol <= 0xFFFF or not 0 <= pkttype <= 0xFF or not 0 <= hatype <= 0xFFFF
            or len(haddr) > _HADDR):
        return EINVAL
    # CPython's AF_PACKET address names the interface, which it turns back
    # into sll_ifindex with SIOCGIFINDEX; fields not given stay 0, as
    # luaposix's memset leaves them.  An index with no interface (0, "any",
    # included: CPython cannot express it) is ENODEV.
    # The name is asked of the socket itself (packet_named), once the caller
    # has it: here (index, ...) holds the place of (name, ...).  Interface
    # indexes are positive C ints.
    if not 0 < ifindex <= _args.INT_MAX:
        return ENODEV
    assert AF_PACKET is not None
    return AF_PACKET, (ifindex, protocol, pkttype, hatype, haddr)


def _vsock(call: str, argn: int, addr: Mapping[str, object]) -> Parsed:
    cid = _int(call, argn, addr, "cid")
    port = _int(call, argn, addr, "port")
    _args.fields(call, argn, addr, _VSOCK)
    # svm_cid and svm_port are C unsigned ints: VMADDR_CID_ANY and
    # VMADDR_PORT_ANY are 0xFFFFFFFF, written -1U in C; a C int -1 stored
    # there is the same value, as C's assignment stores it.
    cid = _u32(cid)
    port = _u32(port)
    if cid < 0 or port < 0:
        return EINVAL
    if not _HAVE_VSOCK:  # CPython built without <linux/vm_sockets.h>
        return EAFNOSUPPORT
    assert AF_VSOCK is not None
    return AF_VSOCK, (cid, port)


# Whether this Python's getsockaddrarg/makesockaddr know AF_VSOCK (not every
# build does: python-build-standalone lacked it).  Without it the family
# still exists in the kernel: sockets are made, an address argument is an
# EAFNOSUPPORT triple, and a returned address is decoded from sa_data.
_HAVE_VSOCK: bool = hasattr(_socket, "AF_VSOCK")


# Linux's interface ioctls, which any socket answers (CPython's AF_PACKET
# code makes them on the socket itself): struct ifreq is the name
# (IFNAMSIZ 16 bytes), then a union whose first member is the int
# ifr_ifindex; 40 bytes on 64-bit Linux, fewer on 32-bit (more is harmless).
_SIOCGIFNAME = 0x8910
_SIOCGIFINDEX = 0x8933
_IFREQ = struct.Struct("@16si20x")


def packet_named(fd: int, address: Native) -> Union[Native, int]:
    """The ``(name, protocol, pkttype, hatype, haddr)`` CPython takes for an
    AF_PACKET address that ``native`` gave with the index in the name's place, the name asked of descriptor ``fd``
    itself (SIOCGIFNAME), so no other descriptor is opened (the C library's
    ``if_indextoname`` opens a socket: EMFILE at the descriptor limit, where
    C's call, which takes the index, succeeds).  An errno if the ioctl
    fails: ENODEV (no such interface), EBADF, ENOTTY (not a socket)."""
    try:
        reply = fcntl.ioctl(fd, _SIOCGIFNAME, _IFREQ.pack(b"", address[0]))
        # the kernel's name, as CPython's "s" reads it back (strict UTF-8)
        name = reply[:16].split(b"\0", 1)[0].decode()
    except OSError as exc:
        propagate(exc)
        return exc.errno or ENODEV
    except UnicodeError as exc:  # a name that is not UTF-8: CPython cannot take it
        propagate(exc)
        return ENODEV
    return (name,) + tuple(address[1:])


_PARSERS: Dict[int, Callable[[str, int, Mapping[str, object]], Parsed]] = {
    AF_INET: _inet4, AF_INET6: _inet6, AF_UNIX: _unix,
}
if AF_NETLINK is not None:
    _PARSERS[AF_NETLINK] = _netlink
if AF_PACKET is not None:
    _PARSERS[AF_PACKET] = _packet
if AF_VSOCK is not None:
    _PARSERS[AF_VSOCK] = _vsock


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
    addr = _args.table(addr)  # a subclass: the table it holds, not its methods
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
    except OSError as exc:
        propagate(exc)
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
                # makesockaddr's "shbhy#": every field as C's unsigned value
                # (Py_BuildValue reads 'b' and 'h' as promoted ints), the
                # protocol already through ntohs
                return {"family": AF_PACKET, "ifindex": _ifindex(host, sock), "protocol": value[1],
                        "pkttype": value[2], "hatype": value[3], "haddr": value[4]}
        elif size == 2 and type(value[1]) is int:
            domain = _domain(sock)
            if AF_VSOCK is not None and domain == AF_VSOCK:
                return _vsock_address(host, value[1])
            if AF_NETLINK is not None and domain in (AF_NETLINK, -1):
                return {"family": AF_NETLINK, "pid": host, "groups": value[1]}
        elif size == 2 and type(value[1]) is bytes and type(host) is int:
            if host == AF_VSOCK and len(value[1]) >= _VM_DATA.size:
                # a Python without AF_VSOCK: makesockaddr's unknown-family
                # branch gives sa_data, which holds sockaddr_vm's fields
                _, port, cid = _VM_DATA.unpack_from(value[1])
                return _vsock_address(cid, port)
            # makesockaddr's unknown-family branch; outside SockAddr's members
            return {"family": host}  # type: ignore[typeddict-item, unused-ignore]
    elif kind is str:
        return {"family": AF_UNIX, "path": value}
    elif kind is bytes:  # Linux abstract name, "\0" first: keep every byte
        return {"family": AF_UNIX, "path": os.fsdecode(value)}
    elif value is None:
        return {"family": AF_UNSPEC}
    family = _domain(sock)  # a shape of another family: say which, no more
    return {"family": AF_UNSPEC if family < 0 else family}  # type: ignore[typeddict-item, unused-ignore]


if sys.platform == "linux":
    def _vsock_address(cid: int, port: int) -> SockAddr:
        return {"family": AF_VSOCK, "cid": cid, "port": port}
else:  # pragma: no cover - AF_VSOCK is None there: never called
    def _vsock_address(cid: int, port: int) -> SockAddr:
        return {"family": AF_UNSPEC}


# struct sockaddr_vm after svm_family: svm_reserved1, svm_port, svm_cid
_VM_DATA = struct.Struct("=HII")


# The same conversion, declared for a socket's own address (getsockname,
# getpeername, accept): CPython's makesockaddr gives None -- the AF_UNSPEC
# case -- only for an address length of 0, which the kernel reports for a
# missing source (recvfrom and friends), never for a socket's own or its
# peer's address (an unnamed AF_UNIX socket has the length of its family
# field: "path": "").  One function object under two declared types: no
# call added on the hot path.
if TYPE_CHECKING:
    def socket_address(value: Any, sock: Optional[_socket.socket] = None) -> SockAddrBound:
        """``sockaddr`` for a socket's own or its peer's address."""
        ...
else:
    socket_address = sockaddr


def _ifindex(name: str, sock: Optional[_socket.socket]) -> int:
    # makesockaddr turned sll_ifindex into a name with SIOCGIFNAME on the
    # socket ("" when that failed); turn it back the same way, with
    # SIOCGIFINDEX on the socket: the C library's if_nametoindex would open a
    # descriptor of its own (EMFILE at the limit).
    if not name:
        return 0
    try:
        if sock is None:
            return _socket.if_nametoindex(name)
        reply = fcntl.ioctl(sock.fileno(), _SIOCGIFINDEX,
                            _IFREQ.pack(name.encode(), 0))  # read as UTF-8 by CPython
    except OSError as exc:
        propagate(exc)
        return 0
    index: int = _IFREQ.unpack(reply)[1]
    return index

