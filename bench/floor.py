"""The floor: the least Python that gives posixsock's API on the happy path.

``bench/run.py`` times these functions next to posixsock and the stdlib's
socket objects.  Each is what any pure-stdlib adapter with posixsock's API
has to do, and nothing more:

* one Python function per call, taking an ``int`` fd;
* fd -> a cached ``_socket.socket`` object lent the descriptor (built once
  per number and family, like posixsock's, and never closing it);
* the same C method posixsock calls, with the same arguments
  (``MSG_NOSIGNAL`` added to sends, as a plain ``int``);
* the result dict built (``SockAddr``, ``Timeval``, ...) or the address
  dict read;
* an ``OSError`` caught and returned as the ``(None, message, errnum)``
  triple.

What it leaves out is exactly what posixsock adds on top: argument checks
(types, C ``int`` ranges, unknown dict fields, numeric-only addresses,
ports in range), error translation beyond catching ``OSError`` (signal
handlers' own exceptions, argument errors worded as luaposix does), the
slow paths (counts over 256 KiB, ``recv(fd, 0)``, ``MSG_TRUNC``) and the
families and options the benchmark does not use are handled only as far as
needed to return the right shape.  So on good arguments it returns what
posixsock returns -- ``tests/test_bench.py`` checks that value for value --
and on bad ones it may return anything.  Not part of the package.
"""
from __future__ import annotations

import _socket
import os
import struct
from typing import Any, Dict, List, Optional, Tuple, Union

AF_INET: int = _socket.AF_INET
AF_INET6: int = _socket.AF_INET6
AF_UNIX: int = _socket.AF_UNIX
AF_UNSPEC: int = _socket.AF_UNSPEC
SOL_SOCKET: int = _socket.SOL_SOCKET
_NOSIGNAL: int = int(getattr(_socket, "MSG_NOSIGNAL", 0))
_NONBLOCK: int = int(getattr(_socket, "SOCK_NONBLOCK", 0))
_LEND_TYPE: int = _socket.SOCK_STREAM | _NONBLOCK
_TIMEVAL = struct.Struct("@ll")
_LINGER = struct.Struct("@ii")
# the options that are not a C int (posixsock's table, by option name)
_STRUCT_OPTS: Dict[Tuple[int, int], struct.Struct] = {
    (SOL_SOCKET, _socket.SO_RCVTIMEO): _TIMEVAL,
    (SOL_SOCKET, _socket.SO_SNDTIMEO): _TIMEVAL,
    (SOL_SOCKET, _socket.SO_LINGER): _LINGER,
}
_OPT_NAMES = frozenset(name for _level, name in _STRUCT_OPTS)

Triple = Tuple[None, str, int]
Addr = Dict[str, Any]


class _Lent(_socket.socket):
    """A socket object that never closes its descriptor."""

    __slots__ = ()
    __del__ = _socket.socket.detach


_plain: Dict[int, _Lent] = {}  # fd -> object, for calls without an address
_families: Dict[int, Dict[int, _Lent]] = {AF_UNIX: _plain, AF_INET: {}, AF_INET6: {}}


def _lend(fd: int, family: int = AF_UNIX) -> _Lent:
    sock = _families[family][fd] = _Lent(family, _LEND_TYPE, 0, fd)
    return sock


def _fail(call: Optional[str], exc: OSError) -> Triple:
    text = os.strerror(exc.errno or 0)
    return None, text if call is None else f"{call}: {text}", exc.errno or 0


def _addr(value: Any) -> Addr:
    """A ``makesockaddr`` result other than IPv4, as posixsock's SockAddr."""
    if type(value) is tuple and len(value) == 4:
        return {"family": AF_INET6, "port": value[1], "addr": value[0],
                "flowinfo": value[2], "scope_id": value[3]}
    if type(value) is str:
        return {"family": AF_UNIX, "path": value}
    if type(value) is bytes:
        return {"family": AF_UNIX, "path": os.fsdecode(value)}
    return {"family": AF_UNSPEC}


def _native(addr: Addr) -> Any:
    """A SockAddr other than IPv4 in the stdlib's form."""
    family = addr["family"]
    if family == AF_INET6:
        return (addr["addr"], addr["port"], addr.get("flowinfo", 0), addr.get("scope_id", 0))
    return os.fsencode(addr["path"])


def socket(domain: int, type: int, options: int) -> Union[int, Triple]:
    try:
        fd: int = _socket.socket(domain, type, options).detach()
    except OSError as exc:
        return _fail(None, exc)
    # the descriptor is blocking unless SOCK_NONBLOCK was asked for, whatever
    # socket.setdefaulttimeout() says (CPython's constructor applies it)
    if os.get_blocking(fd) == bool(type & _NONBLOCK):
        os.set_blocking(fd, not type & _NONBLOCK)
    return fd


def connect(fd: int, addr: Addr) -> Union[int, Triple]:
    family = addr["family"]
    address = (addr["addr"], addr["port"]) if family == AF_INET else _native(addr)
    try:
        try:
            _families[family][fd].connect(address)
        except KeyError:
            _lend(fd, family).connect(address)
    except OSError as exc:
        return _fail("connect", exc)
    return 0


def accept(fd: int) -> Union[Tuple[int, Addr], Triple]:
    try:
        try:
            new, peer = _plain[fd]._accept()  # type: ignore[attr-defined]
        except KeyError:
            new, peer = _lend(fd)._accept()  # type: ignore[attr-defined]
    except OSError as exc:
        return _fail("accept", exc)
    if type(peer) is tuple and len(peer) == 2:
        return new, {"family": AF_INET, "port": peer[1], "addr": peer[0]}
    return new, _addr(peer)


def recv(fd: int, count: int, flags: int = 0) -> Union[bytes, Triple]:
    try:
        try:
            return _plain[fd].recv(count, flags)
        except KeyError:
            return _lend(fd).recv(count, flags)
    except OSError as exc:
        return _fail(None, exc)


def recvfrom(fd: int, count: int, flags: int = 0) -> Union[Tuple[bytes, Addr], Triple]:
    try:
        try:
            data, source = _plain[fd].recvfrom(count, flags)
        except KeyError:
            data, source = _lend(fd).recvfrom(count, flags)
    except OSError as exc:
        return _fail(None, exc)
    if type(source) is tuple and len(source) == 2:
        return data, {"family": AF_INET, "port": source[1], "addr": source[0]}
    return data, _addr(source)


def send(fd: int, buffer: bytes, flags: int = 0) -> Union[int, Triple]:
    try:
        try:
            return _plain[fd].send(buffer, flags | _NOSIGNAL)
        except KeyError:
            return _lend(fd).send(buffer, flags | _NOSIGNAL)
    except OSError as exc:
        return _fail("send", exc)


def sendto(fd: int, buffer: bytes, destination: Addr, flags: int = 0) -> Union[int, Triple]:
    family = destination["family"]
    if family == AF_INET:
        address: Any = (destination["addr"], destination["port"])
    else:
        address = _native(destination)
    try:
        try:
            return _families[family][fd].sendto(buffer, flags | _NOSIGNAL, address)
        except KeyError:
            return _lend(fd, family).sendto(buffer, flags | _NOSIGNAL, address)
    except OSError as exc:
        return _fail("sendto", exc)


def getsockname(fd: int) -> Union[Addr, Triple]:
    try:
        try:
            value = _plain[fd].getsockname()
        except KeyError:
            value = _lend(fd).getsockname()
    except OSError as exc:
        return _fail("getsockname", exc)
    if type(value) is tuple and len(value) == 2:
        return {"family": AF_INET, "port": value[1], "addr": value[0]}
    return _addr(value)


def setsockopt(fd: int, level: int, name: int, value1: int,
               value2: Optional[int] = None) -> Union[int, Triple]:
    value: Union[int, bytes] = value1
    if name in _OPT_NAMES:  # a struct option: two values
        value = _STRUCT_OPTS[(level, name)].pack(value1, value2)
    try:
        try:
            _plain[fd].setsockopt(level, name, value)
        except KeyError:
            _lend(fd).setsockopt(level, name, value)
    except OSError as exc:
        return _fail("setsockopt", exc)
    return 0


def getsockopt(fd: int, level: int, name: int) -> Union[int, Dict[str, int], Triple]:
    if name in _OPT_NAMES:
        return _getsockopt_struct(fd, level, name)
    try:
        try:
            return _plain[fd].getsockopt(level, name)
        except KeyError:
            return _lend(fd).getsockopt(level, name)
    except OSError as exc:
        return _fail("getsockopt", exc)


def _getsockopt_struct(fd: int, level: int, name: int) -> Union[Dict[str, int], Triple]:
    layout = _STRUCT_OPTS[(level, name)]
    try:
        data = (_plain.get(fd) or _lend(fd)).getsockopt(level, name, layout.size)
    except OSError as exc:
        return _fail("getsockopt", exc)
    one, two = layout.unpack(data)
    if layout is _LINGER:
        return {"l_onoff": one, "l_linger": two}
    return {"tv_sec": one, "tv_usec": two}


def getaddrinfo(host: Optional[str], service: Union[str, int, None] = None,
                hints: Optional[Dict[str, int]] = None) -> Union[List[Addr], Triple]:
    # C gets the text as UTF-8 bytes (no IDNA), a numeric service as digits
    svc: Optional[bytes] = None
    if isinstance(service, str):
        svc = service.encode()
    elif service is not None:
        svc = b"%d" % service
    h = hints or {}
    try:
        found = _socket.getaddrinfo(None if host is None else host.encode(), svc, h.get("family", 0),
                                    h.get("socktype", 0), h.get("protocol", 0),
                                    h.get("flags", 0))
    except OSError as exc:  # gaierror included: (code, text)
        code: int = exc.args[0]
        return None, str(exc.args[1]), code
    result: List[Addr] = []
    address: Any
    for family, socktype, protocol, canonname, address in found:
        if family == AF_INET and not canonname:
            result.append({"family": family, "port": address[1], "addr": address[0],
                           "socktype": socktype, "protocol": protocol})
            continue
        if family == AF_INET:
            entry: Addr = {"family": family, "port": address[1], "addr": address[0]}
        elif family == AF_INET6:
            entry = {"family": family, "port": address[1], "addr": address[0],
                     "flowinfo": address[2], "scope_id": address[3]}
        else:
            entry = {"family": family}
        entry["socktype"] = socktype
        if canonname:
            entry["canonname"] = canonname
        entry["protocol"] = protocol
        result.append(entry)
    return result
