"""Socket options: one table row per option that is not a C ``int``.

Each row names the option's value codec.  ``setsockopt`` encodes
``value1``/``value2`` into the bytes C would pass; ``getsockopt`` asks for
the codec's size and decodes.  Options without a row are a C ``int``, as in
luaposix's ``Psetsockopt``/``Pgetsockopt`` fallback.
"""
from __future__ import annotations

import _socket
import os
import struct
from errno import EINVAL, ENODEV
from typing import Callable, Dict, FrozenSet, NamedTuple, Optional, Tuple, TypedDict, Union, final

from . import _args
from ._errors import propagate
from ._sockaddr import fs_bytes, pton

__all__ = ["Timeval", "Linger", "PeerCred", "OptValue"]


@final
class Timeval(TypedDict):
    """``struct timeval``: SO_RCVTIMEO / SO_SNDTIMEO values."""

    tv_sec: int
    tv_usec: int


@final
class Linger(TypedDict):
    """``struct linger``: SO_LINGER values."""

    l_onoff: int
    l_linger: int


@final
class PeerCred(TypedDict):
    """``struct ucred``: the SO_PEERCRED value, the peer's credentials as
    they were when it connected (or called ``socketpair``)."""

    pid: int
    uid: int
    gid: int


OptValue = Union[int, Timeval, Linger, str, PeerCred]
Encoded = Union[bytes, int]  # the bytes to pass, or an errno to report

_U32 = 2**32 - 1
_IFNAMSIZ = 16
_LONG_MIN, _LONG_MAX = -(2 ** (8 * struct.calcsize("@l") - 1)), 2 ** (8 * struct.calcsize("@l") - 1) - 1
_LINGER = struct.Struct("@ii")
_TIMEVAL = struct.Struct("@ll")  # time_t, suseconds_t: both long on Linux
_MREQ6_IFINDEX = struct.Struct("@I")
_UCRED = struct.Struct("@iII")  # pid_t, uid_t, gid_t
# struct xucred (macOS and FreeBSD <sys/ucred.h>): cr_version, cr_uid,
# cr_ngroups (short), cr_groups[16]; FreeBSD 13+ then has a union whose
# pid_t cr_pid sits at the pointer-aligned offset 80 (88 bytes in all).
_XUCRED = struct.Struct("@IIh16I")
_XUCRED_PID = struct.Struct("@i")
_XUCRED_PID_AT = 80
_XUCRED_SIZE = 88
_INT = struct.Struct("@i")


class Codec(NamedTuple):
    """How one option's value travels: ``setsockopt`` takes ``least`` to
    ``most`` values (1 or 2) and ``encode`` makes the bytes; ``getsockopt``
    asks for ``size`` bytes and ``decode`` reads them (None: get is a C
    ``int``, as luaposix does for options it only special-cases on set).
    """

    least: int
    most: int
    encode: Callable[[object, object], Encoded]
    size: int
    decode: Optional[Callable[[bytes], OptValue]]


def _long(argn: int, value: object) -> int:
    n = _args.integer("setsockopt", argn, value)
    if not _LONG_MIN <= n <= _LONG_MAX:
        _args.bad("setsockopt", argn, f"int out of C long range, got {n}", ValueError)
    return n


def _padded(data: bytes, size: int) -> bytes:
    return data if len(data) >= size else data + bytes(size - len(data))


def _enc_linger(v1: object, v2: object) -> Encoded:
    return _LINGER.pack(_args.cint("setsockopt", 4, v1), _args.cint("setsockopt", 5, v2))


def _dec_linger(data: bytes) -> OptValue:
    onoff, linger = _LINGER.unpack(_padded(data, _LINGER.size))
    return {"l_onoff": onoff, "l_linger": linger}


def _enc_timeval(v1: object, v2: object) -> Encoded:
    return _TIMEVAL.pack(_long(4, v1), _long(5, v2))


def _dec_timeval(data: bytes) -> OptValue:
    sec, usec = _TIMEVAL.unpack(_padded(data, _TIMEVAL.size))
    return {"tv_sec": sec, "tv_usec": usec}


def _enc_ifname(v1: object, v2: object) -> Encoded:
    # The whole name goes to the kernel, which itself stops at IFNAMSIZ-1;
    # luaposix truncated it first with strncpy.
    if not isinstance(v1, str):
        _args.expected("setsockopt", 4, "str", v1)
    name = fs_bytes(v1)  # the text itself: a str subclass's encode() could lie
    return ENODEV if name is None else name  # lone surrogates: no such interface


def _dec_ifname(data: bytes) -> OptValue:
    # The kernel counts the terminating NUL in the length it returns, which
    # luaposix passes on ("lo\0"); the name is what precedes it.
    return os.fsdecode(data.split(b"\0", 1)[0])


def _address(family: int, value: object, argn: int) -> Optional[bytes]:
    """``value``, a numeric address text, packed as C's ``inet_pton`` would
    (None: not an address of ``family``)."""
    if not isinstance(value, str):
        _args.expected("setsockopt", argn, "str", value)
    return pton(family, _args.exact_text(value))


def _enc_mreq6(v1: object, v2: object) -> Encoded:
    # struct ipv6_mreq: the group address, then the interface index.  Without
    # value2 the index is 0 (the kernel chooses), as luaposix always sends.
    group = _address(_socket.AF_INET6, v1, 4)
    index = 0 if v2 is None else _args.integer("setsockopt", 5, v2)
    if group is None:
        return EINVAL  # luaposix ignored inet_pton failing and sent "::"
    if not 0 <= index <= _U32:
        return ENODEV  # an index no interface can have
    return group + _MREQ6_IFINDEX.pack(index)


def _enc_mreq(v1: object, v2: object) -> Encoded:
    # struct ip_mreq: the group address, then the local interface's address
    # (value2; without it INADDR_ANY, "0.0.0.0": the kernel chooses).
    group = _address(_socket.AF_INET, v1, 4)
    local = b"\0\0\0\0" if v2 is None else _address(_socket.AF_INET, v2, 5)
    if group is None or local is None:
        return EINVAL
    return group + local


def _enc_inaddr(v1: object, v2: object) -> Encoded:
    # struct in_addr: IP_MULTICAST_IF's outgoing interface, by its address
    # ("0.0.0.0": the kernel chooses).  A number here would be the packed
    # address in host byte order, which no caller should have to build.
    address = _address(_socket.AF_INET, v1, 4)
    return EINVAL if address is None else address


def _dec_inaddr(data: bytes) -> OptValue:
    return _socket.inet_ntop(_socket.AF_INET, _padded(data, 4)[:4])


def _enc_int(v1: object, v2: object) -> Encoded:
    return _INT.pack(_args.cint("setsockopt", 4, v1))


def _dec_ucred(data: bytes) -> OptValue:
    pid, uid, gid = _UCRED.unpack(_padded(data, _UCRED.size))
    return {"pid": pid, "uid": uid, "gid": gid}


def _dec_xucred(data: bytes) -> OptValue:
    """LOCAL_PEERCRED's ``struct xucred`` as the same ``PeerCred`` shape as
    Linux's SO_PEERCRED: ``uid`` is cr_uid, ``gid`` cr_groups[0] (the
    effective gid); ``pid`` is FreeBSD's cr_pid, 0 where the struct has none
    (macOS: LOCAL_PEERPID, option 2 at level 0, gives it as an int)."""
    _version, uid, ngroups, *groups = _XUCRED.unpack(_padded(data, _XUCRED.size)[:_XUCRED.size])
    pid = 0
    if len(data) >= _XUCRED_PID_AT + _XUCRED_PID.size:
        pid = _XUCRED_PID.unpack_from(data, _XUCRED_PID_AT)[0]
    return {"pid": pid, "uid": uid, "gid": groups[0] if ngroups > 0 else 0}


LINGER = Codec(2, 2, _enc_linger, _LINGER.size, _dec_linger)
TIMEVAL = Codec(2, 2, _enc_timeval, _TIMEVAL.size, _dec_timeval)
IFNAME = Codec(1, 1, _enc_ifname, _IFNAMSIZ, _dec_ifname)
MREQ6 = Codec(1, 2, _enc_mreq6, 0, None)
MREQ = Codec(1, 2, _enc_mreq, 0, None)
INADDR = Codec(1, 1, _enc_inaddr, 4, _dec_inaddr)
# SO_PEERCRED is read-only: a set passes the int C would, and the kernel
# refuses it (ENOPROTOOPT).
UCRED = Codec(1, 1, _enc_int, _UCRED.size, _dec_ucred)
XUCRED = Codec(1, 1, _enc_int, _XUCRED_SIZE, _dec_xucred)
_SOL_LOCAL = 0  # macOS and FreeBSD <sys/un.h>

_SOL_SOCKET: int = _socket.SOL_SOCKET
_IPPROTO_IPV6: int = _socket.IPPROTO_IPV6
_IPPROTO_IP: int = _socket.IPPROTO_IP

# One row per option whose value is not a C int (every other option is one):
# (level, name, codec, what it takes -- added to an argument error about it,
# since luaposix's words say "int expected, got no value" and these say why;
# None for the read-only credentials, whose set passes the int C would).
# An option enters the table where the platform has it.
_ROWS: Tuple[Tuple[int, str, Codec, Optional[str]], ...] = (
    (_SOL_SOCKET, "SO_LINGER", LINGER, "(onoff, linger)"),
    (_SOL_SOCKET, "SO_RCVTIMEO", TIMEVAL, "(sec, usec)"),
    (_SOL_SOCKET, "SO_SNDTIMEO", TIMEVAL, "(sec, usec)"),
    (_SOL_SOCKET, "SO_BINDTODEVICE", IFNAME, "an interface name"),
    (_SOL_SOCKET, "SO_PEERCRED", UCRED, None),
    (_SOL_LOCAL, "LOCAL_PEERCRED", XUCRED, None),  # macOS, FreeBSD: SO_PEERCRED's counterpart
    (_IPPROTO_IPV6, "IPV6_JOIN_GROUP", MREQ6, "(group[, ifindex]): an IPv6 address string, an int"),
    (_IPPROTO_IPV6, "IPV6_LEAVE_GROUP", MREQ6, "(group[, ifindex]): an IPv6 address string, an int"),
    (_IPPROTO_IP, "IP_ADD_MEMBERSHIP", MREQ, "(group[, interface_address]): IPv4 address strings"),
    (_IPPROTO_IP, "IP_DROP_MEMBERSHIP", MREQ, "(group[, interface_address]): IPv4 address strings"),
    (_IPPROTO_IP, "IP_MULTICAST_IF", INADDR, "an interface's IPv4 address string"),
)
TABLE: Dict[Tuple[int, int], Codec] = {}
TAKES: Dict[Tuple[int, int], str] = {}
for _level, _name, _codec, _takes in _ROWS:
    if hasattr(_socket, _name):
        _key = (_level, getattr(_socket, _name))
        TABLE[_key] = _codec
        if _takes is not None:
            TAKES[_key] = f"{_name} takes {_takes}"


def encode(level: int, name: int, codec: Codec, value1: object, value2: object) -> Encoded:
    """``value1``/``value2`` encoded by ``codec`` for option (level, name).

    A value missing, extra or of the wrong type raises as luaposix would,
    with what the option takes added: "bad argument #5 to 'setsockopt'
    (int expected, got no value; SO_RCVTIMEO takes (sec, usec))".
    """
    try:
        if value2 is None and codec.least == 2:
            _args.expected("setsockopt", 5, "int", _args.MISSING)
        if value2 is not None and codec.most == 1:
            _args.bad("setsockopt", 5, "no more than 4 arguments expected, got 5")
        return codec.encode(value1, value2)
    except (TypeError, ValueError) as exc:
        propagate(exc)  # a signal handler's goes on unchanged
        takes = TAKES.get((level, name))
        text = str(exc)
        if takes is None or not text.endswith(")"):
            raise
        raise type(exc)(f"{text[:-1]}; {takes})") from None


# Option names that have a row at some level: only these leave the int path.
CODEC_NAMES: FrozenSet[int] = frozenset(name for _level, name in TABLE)
