"""One function per C call of luaposix's ``posix.sys.socket``, in its order.

Every function reads its arguments, makes the one system call through a
borrowed stdlib socket object (``_fd``), and turns failure into an ``Error``
triple (``_errors``).  Hot paths test argument types inline and leave the
wording of argument errors to the slow path.
"""
from __future__ import annotations

import _socket
import os
from errno import EBADF, EINVAL, ENODEV, ENOTTY
from typing import Any, Dict, List, Optional, Tuple, Union, overload

from . import _args
from ._args import Buffer
from ._connect import finish_connect
from ._constants import (
    AF_INET, IfNameOption, InAddrOption, IntOption, IpIntOption, IpprotoIp, IpprotoIpv6,
    IpprotoTcp, Ipv6IntOption, LingerOption, Mreq6Option, MreqOption, PeerCredOption,
    SocketIntOption, SolSocket, TcpIntOption, TimevalOption,
)
from ._errors import (
    Error, fail, from_oserror, from_resolver, propagate, raised_by_handler, resolver_failure,
)
from ._fd import _Borrowed, borrow, by_family, due, lend, made, plain, sweep
from ._recvbuf import DIRECT, available, receive_big
from ._sockaddr import (
    AddrInfo, AddrInfoHints, Native, SockAddr, SockAddrArg, SockAddrBound, SockAddrInet,
    _numeric4_get, native, packet_named, socket_address, sockaddr,
)
from ._sockopt import CODEC_NAMES, TABLE, Linger, OptValue, PeerCred, Timeval
from ._sockopt import encode as encode_option

__all__ = [
    "socket", "socketpair", "getaddrinfo", "connect", "bind", "listen",
    "accept", "recv", "recvfrom", "send", "sendto", "shutdown", "setsockopt",
    "getsockopt", "getsockname", "getpeername", "if_nametoindex",
]

_AF_UNIX: int = _socket.AF_UNIX
_AF_INET: int = _socket.AF_INET
_AF_INET6: int = _socket.AF_INET6
_AF_PACKET: int = getattr(_socket, "AF_PACKET", -1)
_SOCK_NONBLOCK: int = getattr(_socket, "SOCK_NONBLOCK", 0)
_ACCEPT4_FLAGS: int = _SOCK_NONBLOCK | getattr(_socket, "SOCK_CLOEXEC", 0)
_DETACH = _socket.socket.detach
_SOL_SOCKET: int = _socket.SOL_SOCKET
_SO_TYPE: int = _socket.SO_TYPE
_MSG_TRUNC: int = getattr(_socket, "MSG_TRUNC", 0)
# The receive flags CPython passes through unchanged, as C would: any C int
# bit but MSG_TRUNC.  ``flags & _SLOW_FLAGS`` (one operation, as cheap as
# the truthiness test it replaces) sends the rest to ``_recv_slow``:
# MSG_TRUNC (CPython's recv/recvfrom resize their bytes to the length the
# kernel returns, which MSG_TRUNC lets exceed ``count``: bytes never
# written), negative values and values beyond a C int (OverflowError in
# CPython's "i" format; the slow path words them).  MSG_DONTWAIT, MSG_PEEK,
# MSG_WAITALL, MSG_OOB, MSG_ERRQUEUE... stay on the fast path.
_SLOW_FLAGS: int = ~(_args.INT_MAX & ~_MSG_TRUNC)
# Added to every send: a broken pipe is an EPIPE triple even where SIGPIPE's
# action is the default (which would kill the process).  Python ignores
# SIGPIPE at start-up; this keeps the promise if a program restores it.
_MSG_NOSIGNAL: int = getattr(_socket, "MSG_NOSIGNAL", 0)
# plain.get, bound once: calling it is cheaper than plain.get(fd) each time
_plain_get = plain.get
_inet4_get = by_family.setdefault(_AF_INET, {}).get

# CPython probes SOCK_CLOEXEC once per process, at its first socket() or
# socketpair(); if that first call fails with EINVAL (as socket(AF_INET, -2,
# 0) does) it concludes SOCK_CLOEXEC is unsupported and stops using it for
# the whole process.  Settle the probe with a call that succeeds.
try:
    _socket.socket(_AF_UNIX, _socket.SOCK_DGRAM, 0).close()
except OSError:  # pragma: no cover - no AF_UNIX at all
    pass


# --- shared steps ------------------------------------------------------------

# luaposix's words when sockaddr_from_lua fails (its errno was stale; ours is
# the reason the address was refused).  Calls not in luaposix use their name.
_ADDRESS_WORDS = {
    "connect": "not a valid IPv4 or IPv6 address argument",
    "bind": "not a valid IPv4 or IPv6 argument",
    "sendto": "not a valid IPv4 or IPv6 argument",
}


def _addressed(call: str, fd: object, addr: object, argn: int
               ) -> Union[Tuple[_Borrowed, Native], Error]:
    """Check ``fd`` and convert ``addr``: the object to call, in the address's
    family, and the address in the stdlib's form."""
    # Fast path: an fd already lent for AF_INET and exactly {"family":
    # AF_INET, "port": int in 0-65535, "addr": text already found numeric}.
    # (``is``: CPython's one object for 2; any other family value, an int
    # subclass included, takes the checked path.)
    if type(addr) is dict and len(addr) == 3 and type(fd) is int:
        port = addr.get("port")
        host = addr.get("addr")
        if (addr.get("family") is _AF_INET and type(port) is int and 0 <= port <= 0xFFFF
                and type(host) is str and _numeric4_get(host)):
            sock = _inet4_get(fd)
            if sock is not None:
                return sock, (host, port)
    if type(fd) is not int:  # argument 1 is checked first, as in luaposix
        fd = _args.integer(call, 1, fd)
    parsed = native(call, argn, addr)
    if type(parsed) is int:
        return fail(_ADDRESS_WORDS.get(call, call) if parsed == EINVAL else call, parsed)
    family, address = parsed  # type: ignore[misc]
    table = by_family.get(family)
    sock = None if table is None else table.get(fd)
    if sock is None:
        lent = lend(fd, family, call)
        if isinstance(lent, Error):
            return lent
        sock = lent
    if family == _AF_PACKET:  # the interface's name, asked of the socket itself
        named = packet_named(fd, address)
        if isinstance(named, int):
            return _refused(call, sock, named)
        address = named
    return sock, address


def _refused(call: str, sock: _Borrowed, errnum: int) -> Error:
    """The triple for an errno met on the way to the call (error path): a
    number that is no longer a socket fails an interface ioctl with ENOTTY,
    where C's call gives ENOTSOCK (see ``_address_error``)."""
    return _address_error(call, sock, OSError(errnum, os.strerror(errnum)), errnum)


def _address_error(call: str, sock: _Borrowed, exc: OSError, default: int) -> Error:
    """The triple for a failed ``bind``/``connect``/``sendto``/``sendmsg``
    with an address (error path only).

    For an AF_PACKET address CPython turns the interface name into
    ``sll_ifindex`` with an SIOCGIFINDEX ioctl on the descriptor itself.  A
    number that is no longer a socket (a pipe, a file) fails that ioctl
    with ENOTTY before any socket call is made, where C's call gives
    ENOTSOCK: ask the descriptor what it is now.
    """
    err = from_oserror(call, exc, default)
    if err.errnum == ENOTTY:
        try:
            sock.getsockopt(_SOL_SOCKET, _SO_TYPE)
        except OSError as again:  # ENOTSOCK, or EBADF if it was closed since
            return from_oserror(call, again, default)
    return err


class _New(_socket.socket):
    """A new socket until ``socket`` takes its descriptor out.  A signal
    handler that raises before that loses the call's result: the object
    then closes the descriptor quietly (CPython's finalizer would add a
    ResourceWarning, an error under ``-W error``)."""

    __slots__ = ()

    __del__ = _socket.socket.close


def _blocking_as_made(sock: _socket.socket, nonblocking: bool) -> None:
    """Make a new stdlib object's descriptor blocking as C made it.

    A new stdlib object applies ``socket.setdefaulttimeout`` by setting
    O_NONBLOCK; the C call's descriptor is blocking unless the type asked
    for SOCK_NONBLOCK.  (Checked on every new descriptor: another thread
    may change the default at any moment.)  The object still owns the
    descriptor meanwhile: a signal handler that raises here leaves it to
    the object, which closes it.
    """
    fd = sock.fileno()
    if os.get_blocking(fd) == nonblocking:
        os.set_blocking(fd, not nonblocking)


def _unmagic(value: int, same: int) -> int:
    # CPython's socket() reads -1 as "use the default" (AF_INET, SOCK_STREAM,
    # protocol 0).  C passes -1 to the kernel; ``same`` is another value the
    # kernel treats exactly like -1 (see socket()).
    return same if value == -1 else value


# --- the calls -----------------------------------------------------------------

def socket(domain: int, type: int, options: int, /) -> Union[int, Error]:
    """Create an endpoint for communication: ``socket(2)``.

    :param domain: ``AF_INET``, ``AF_INET6``, ``AF_UNIX``, ``AF_NETLINK`` or
        ``AF_PACKET``
    :param type: ``SOCK_STREAM``, ``SOCK_DGRAM`` or ``SOCK_RAW``, optionally
        or-ed with ``SOCK_NONBLOCK``
    :param options: the protocol, usually 0
    :returns: the new descriptor (close-on-exec, as every descriptor Python
        makes, PEP 446), or ``Error(None, strerror, errnum)``
    """
    d = _args.cint("socket", 1, domain)
    t = _args.cint("socket", 2, type)
    p = _args.cint("socket", 3, options)
    # -1 has a stdlib meaning; substitute a value the kernel handles the same
    # way: any negative family is EAFNOSUPPORT; -2 has the same invalid high
    # flag bits as -1 (EINVAL); -65537 is negative like -1 and has the same
    # low 16 bits (AF_PACKET reads the protocol as a 16-bit ethertype).
    try:
        sock = _New(_unmagic(d, -2), _unmagic(t, -2), _unmagic(p, -65537))
    except OSError as exc:
        return from_oserror(None, exc, EINVAL)
    # _blocking_as_made(sock, ...), inline: the object owns the descriptor
    # until it is taken out, last
    fd: int = sock.fileno()
    if os.get_blocking(fd) == bool(t & _SOCK_NONBLOCK):
        os.set_blocking(fd, not t & _SOCK_NONBLOCK)
    if next(made) > due[0]:  # (see _fd.made)
        sweep()
    return sock.detach()


def socketpair(domain: int, socktype: int, options: int, /) -> Union[Tuple[int, int], Error]:
    """Create a pair of connected sockets: ``socketpair(2)``.

    :param domain: usually ``AF_UNIX`` (others give EOPNOTSUPP on Linux)
    :param socktype: ``SOCK_STREAM``, ``SOCK_DGRAM`` or ``SOCK_SEQPACKET``
    :param options: the protocol, usually 0
    :returns: ``(fd1, fd2)`` (both close-on-exec), or
        ``Error(None, "socketpair: <strerror>", errnum)``
    """
    d = _args.cint("socketpair", 1, domain)
    t = _args.cint("socketpair", 2, socktype)
    p = _args.cint("socketpair", 3, options)
    try:
        one, two = _socket.socketpair(d, t, p)  # no -1 defaults here
    except OSError as exc:
        return from_oserror("socketpair", exc, EINVAL)
    nonblocking = bool(t & _SOCK_NONBLOCK)
    _blocking_as_made(one, nonblocking)
    _blocking_as_made(two, nonblocking)
    if next(made) > due[0]:  # (see _fd.made)
        sweep()
    # Ownership taken last, of both at once: map calls detach from C, where
    # no signal handler runs between the two (one could between two calls
    # made from Python, and the first descriptor would be lost).
    return tuple(map(_DETACH, (one, two)))  # type: ignore[return-value]


_HINT_FIELDS = ("family", "socktype", "protocol", "flags")
_EAI_NONAME: int = _socket.EAI_NONAME
_EAI_SERVICE: int = _socket.EAI_SERVICE


_hint_names_only = frozenset(_HINT_FIELDS).issuperset
# Text already turned into a C string (plain str keys), so a loop resolving
# the same name does not check and encode it each time.  Bounded: at most 256
# strings of at most 255 characters.
_c_strings: Dict[str, bytes] = {}
_c_string_get = _c_strings.get


def _c_string(text: str) -> Optional[bytes]:
    """``text`` as the C string luaposix passes (UTF-8), or None if C cannot
    hold it (a NUL would end it early; lone surrogates have no UTF-8)."""
    text = _args.exact_text(text)  # a str subclass's methods could lie
    if "\0" in text:
        return None
    try:
        data = text.encode()
    except UnicodeError as exc:
        propagate(exc)  # a handler's own exception is no verdict on the text
        return None
    if len(text) <= 255:  # a host name has at most 253
        if len(_c_strings) >= 256:
            _c_strings.clear()
        _c_strings[text] = data
    return data


def _hints(hints: object) -> List[int]:
    """getaddrinfo's hints, every field checked, in luaposix's order."""
    if not isinstance(hints, dict):
        _args.expected("getaddrinfo", 3, "dict or None", hints)
    hints = _args.table(hints)
    _args.fields("getaddrinfo", 3, hints, _HINT_FIELDS)
    values = [0, 0, 0, 0]
    for i, name in enumerate(_HINT_FIELDS):
        value = _args.integer("getaddrinfo", 3, hints.get(name, 0), name)
        if not _args.INT_MIN <= value <= _args.INT_MAX:
            _args.bad("getaddrinfo", 3, f"field '{name}' out of C int range, got {value}",
                      ValueError)
        values[i] = value
    return values


def getaddrinfo(host: Optional[str], service: Union[str, int, None] = None,
                hints: Optional[AddrInfoHints] = None, /) -> Union[List[AddrInfo], Error]:
    """Network address and service translation: ``getaddrinfo(3)``.

    :param host: a host name or numeric address (``None`` for the local
        host); passed to the resolver as UTF-8 bytes, as C would (no IDNA)
    :param service: a service name or port number (may be ``None`` if
        ``host`` is given)
    :param hints: ``AddrInfoHints`` -- ``family``, ``socktype``,
        ``protocol``, ``flags``
    :returns: a list of ``AddrInfo`` -- ``AF_INET`` or ``AF_INET6`` address
        fields with ``socktype``, ``protocol`` and
        (when the resolver gave one) ``canonname``, or
        ``Error(None, gai_strerror, EAI code)``.  Text that cannot be a C
        string (NUL, lone surrogates) gives EAI_NONAME (host) or
        EAI_SERVICE (service) without asking the resolver.
    """
    if host is not None and not isinstance(host, str):
        _args.expected("getaddrinfo", 1, "str or None", host)
    svc: Optional[bytes] = None
    if type(service) is str:
        svc = _c_string_get(service)  # text seen before: checked and converted
        if svc is None:
            svc = _c_string(service)
            if svc is None:
                return resolver_failure(_EAI_SERVICE)
    elif service is None:
        if host is None:
            _args.expected("getaddrinfo", 2, "int or str", service)
    elif isinstance(service, int):
        try:  # the number's own digits (an int subclass's are read exactly)
            svc = b"%d" % _args.exact(service)
        except ValueError as exc:  # beyond sys.get_int_max_str_digits: no port is
            propagate(exc)
            return resolver_failure(_EAI_SERVICE)
    elif isinstance(service, str):
        svc = _c_string(service)
        if svc is None:
            return resolver_failure(_EAI_SERVICE)
    else:
        port = _args.as_int(service)  # an object with __index__: its number
        if port is None:
            _args.expected("getaddrinfo", 2, "int, None or str", service)
        try:
            svc = b"%d" % port
        except ValueError as exc:  # beyond sys.get_int_max_str_digits
            propagate(exc)
            return resolver_failure(_EAI_SERVICE)
    h: Optional[bytes] = None
    if host is not None:
        h = _c_string_get(host) if type(host) is str else None
        if h is None:
            h = _c_string(host)
            if h is None:
                return resolver_failure(_EAI_NONAME)
    if hints is None:
        hfamily = hsocktype = hprotocol = hflags = 0
    elif type(hints) is dict and _hint_names_only(hints):
        # fast path: the fields' values go to CPython as they are; one that
        # is no C int makes it raise, and the checked path words the error
        # (hints.get each time: CPython 3.11+ calls a method faster than a
        # bound method kept in a variable, which it must first create)
        hfamily, hsocktype = hints.get("family", 0), hints.get("socktype", 0)
        hprotocol, hflags = hints.get("protocol", 0), hints.get("flags", 0)
    else:
        hfamily, hsocktype, hprotocol, hflags = _hints(hints)
    try:  # (no *args: CPython calls those more slowly)
        found = _socket.getaddrinfo(h, svc, hfamily, hsocktype, hprotocol, hflags)
    except OSError as exc:  # gaierror, or errno's OSError for EAI_SYSTEM
        return from_resolver(exc)
    except (TypeError, OverflowError) as exc:
        if hints is None or raised_by_handler(exc):
            raise
        # a hint CPython refused: _hints raises, naming the field -- unless an
        # __index__ answers otherwise this time: then the values it gave now
        hfamily, hsocktype, hprotocol, hflags = _hints(hints)
        try:
            found = _socket.getaddrinfo(h, svc, hfamily, hsocktype, hprotocol, hflags)
        except OSError as again:
            return from_resolver(again)
    result: List[AddrInfo] = []
    for family, socktype, protocol, canonname, address in found:
        if family == _AF_INET and not canonname:  # the common entry, built at once
            result.append({"family": family, "port": address[1],  # type: ignore[typeddict-item]
                           "addr": address[0],  # type: ignore[typeddict-item]
                           "socktype": socktype, "protocol": protocol})
        else:
            result.append(_entry(family, socktype, protocol, canonname, address))
    return result


def _entry(family: int, socktype: int, protocol: int, canonname: str, address: Any) -> AddrInfo:
    """One getaddrinfo result that is not a plain IPv4 one, built field by
    field in luaposix's order: an AddrInfoInet or AddrInfoInet6 once
    complete (the resolver gives no other family)."""
    entry: Dict[str, Any] = {"family": family}
    if family == _AF_INET or family == _AF_INET6:
        entry["port"] = address[1]
        entry["addr"] = address[0]
        if family == _AF_INET6:
            entry["flowinfo"] = address[2]
            entry["scope_id"] = address[3]
    entry["socktype"] = socktype
    if canonname:
        entry["canonname"] = canonname
    entry["protocol"] = protocol
    return entry  # type: ignore[return-value]


def connect(fd: int, addr: SockAddrArg, /) -> Union[int, Error]:
    """Initiate a connection on a socket: ``connect(2)``.

    :param fd: socket descriptor
    :param addr: ``SockAddr`` to connect to (numeric address; no name
        resolution)
    :returns: ``0``, or ``Error(None, "connect: <strerror>", errnum)``; an
        address C could not be given is ``Error(None, "not a valid IPv4 or
        IPv6 address argument: Invalid argument", EINVAL)`` (ENAMETOOLONG as
        for ``bind``)

    Interrupted by a signal whose handler returns, a blocking connect goes
    on and returns ``0`` only once the socket is connected: a TCP
    connection still being made is waited for, at most SO_SNDTIMEO from the
    interruption (then EINPROGRESS); an abandoned AF_UNIX connect is made
    again until SO_SNDTIMEO from the interruption has run out (then EAGAIN).
    A handler that closed ``fd`` gives EBADF; a non-blocking ``fd`` EINTR.
    """
    target = _addressed("connect", fd, addr, 2)
    if isinstance(target, Error):
        return target
    sock, address = target
    try:
        sock.connect(address)
    except InterruptedError as exc:  # EINTR after a handler that returned
        propagate(exc)  # a handler's own exception goes on to the caller
        return finish_connect(sock, address)
    except OSError as exc:
        return _address_error("connect", sock, exc, EINVAL)
    return 0


def bind(fd: int, addr: SockAddrArg, /) -> Union[int, Error]:
    """Bind an address to a socket: ``bind(2)``.

    :param fd: socket descriptor
    :param addr: ``SockAddr`` to bind (numeric address; ``""`` is not
        INADDR_ANY, use ``"0.0.0.0"``)
    :returns: ``0``, or ``Error(None, "bind: <strerror>", errnum)``; an
        address C could not be given is ``Error(None, "not a valid IPv4 or
        IPv6 argument: Invalid argument", EINVAL)``, an AF_UNIX path too
        long for ``sun_path`` ``Error(None, "bind: File name too long",
        ENAMETOOLONG)``
    """
    target = _addressed("bind", fd, addr, 2)
    if isinstance(target, Error):
        return target
    sock, address = target
    try:
        sock.bind(address)
    except OSError as exc:
        return _address_error("bind", sock, exc, EINVAL)
    return 0


def listen(fd: int, backlog: int, /) -> Union[int, Error]:
    """Listen for connections on a socket: ``listen(2)``.

    :param fd: socket descriptor
    :param backlog: maximum length of the queue of pending connections
    :returns: ``0``, or ``Error(None, "listen: <strerror>", errnum)``
    """
    n = _args.cint("listen", 2, backlog)
    sock = borrow("listen", "listen", fd)
    if isinstance(sock, Error):
        return sock
    # CPython raises a negative backlog to 0; the kernel reads it as unsigned
    # and caps it at somaxconn, exactly as it caps INT_MAX.
    try:
        sock.listen(_args.INT_MAX if n < 0 else n)
    except OSError as exc:
        return from_oserror("listen", exc, EBADF)
    return 0


def accept(fd: int, flags: int = 0, /) -> Union[Tuple[int, SockAddrBound], Error]:
    """Accept a connection on a socket: ``accept(2)``, or with ``flags``
    ``accept4(2)``.

    :param fd: listening socket descriptor
    :param flags: 0 (default), or ``SOCK_NONBLOCK`` and ``SOCK_CLOEXEC``
        or-ed: accept4's flags, beyond luaposix (whose accept takes the
        descriptor alone).  The new descriptor is close-on-exec either way,
        as every descriptor Python makes (PEP 446); ``SOCK_NONBLOCK`` makes
        it non-blocking before it is returned.  Any other bit is
        ``Error(None, "accept: Invalid argument", EINVAL)``, as accept4
        gives (after EBADF, before ENOTSOCK, as Linux orders them).  Where
        there is no accept4 (macOS), every flag is that EINVAL.
    :returns: ``(connection fd, peer SockAddrBound)`` -- the new descriptor
        is close-on-exec, and blocking unless ``flags`` has
        ``SOCK_NONBLOCK`` -- or ``Error(None, "accept: <strerror>", errnum)``
    """
    f = 0
    if type(flags) is not int or flags:  # (the common call, 0, tests nothing more)
        f = _args.cint("accept", 2, flags)
    sock = borrow("accept", "accept", fd)
    if f & ~_ACCEPT4_FLAGS:  # accept4 tests its flags once it has the file:
        return _accept4_flags_error(sock, fd)  # after EBADF, before ENOTSOCK
    if isinstance(sock, Error):
        return sock
    if next(made) > due[0]:  # (see _fd.made; before the call: nothing may
        sweep()              # run between the call and the return)
    try:
        # CPython's C method: accept4(fd, ..., SOCK_CLOEXEC) where the
        # kernel has it, so the new descriptor is never inheritable
        new, peer = sock._accept()  # type: ignore[attr-defined]
    except OSError as exc:
        return from_oserror("accept", exc, EBADF)
    if f & _SOCK_NONBLOCK:
        # CPython's accept has no flags argument: O_NONBLOCK is set here, on
        # a descriptor nobody else holds yet.  A signal handler's exception
        # in between loses the connection, not the descriptor.
        try:
            os.set_blocking(new, False)
        except BaseException:
            os.close(new)
            raise
    return new, socket_address(peer, sock)


def _accept4_flags_error(sock: Union[_Borrowed, Error], fd: object) -> Error:
    """accept4 with a flag it does not know (error path): EBADF if ``fd``
    is not open now -- a descriptor lent before may have been closed since
    -- else EINVAL."""
    if isinstance(sock, Error) and sock.errnum == EBADF:
        return sock
    try:
        os.get_inheritable(_args.integer("accept", 1, fd))  # fcntl(F_GETFD): is it open?
    except OSError as exc:
        return from_oserror("accept", exc, EBADF)
    return fail("accept", EINVAL)


def _recv_slow(call: str, sock: _Borrowed, count: object, flags: object) -> Tuple[bytes, Any]:
    """A receive the fast path does not take: checks the arguments,
    receives a large ``count`` into a lazily committed buffer, and keeps
    MSG_TRUNC from reading past the data.  Returns ``(data, source
    address)``; raises ``OSError`` as the receive would.

    With MSG_TRUNC the kernel returns a datagram's full length, which can
    exceed ``count``; CPython's ``recv`` would then grow its buffer to that
    length without filling it.  Receiving into our own buffer returns only
    the bytes that arrived.
    """
    n = _args.size(call, 2, count, "count")
    f = _args.cint(call, 3, flags)
    if n > DIRECT:  # (0: the whole view)
        big = receive_big(lambda view: sock.recvfrom_into(view, 0, f), n, f)
        if big is not None:
            data, (_, source) = big
            return data, source
        n = available(sock, n, f)  # no mapping: learn the size first
    if not f & _MSG_TRUNC:
        return sock.recvfrom(n, f)
    buffer = bytearray(n)
    got, source = sock.recvfrom_into(buffer, n, f)
    return bytes(buffer[:got]) if got < n else bytes(buffer), source


def _receiver(call: str, fd: object, count: object, flags: object) -> Union[_Borrowed, Error]:
    """The object for a receive's fd (slow path); when the fd is bad, the
    other arguments are still checked first, as luaposix does."""
    lent = borrow(call, None, fd)
    if isinstance(lent, Error):
        _args.size(call, 2, count, "count")
        _args.cint(call, 3, flags)
    return lent


def recv(fd: int, count: int, flags: int = 0, /) -> Union[bytes, Error]:
    """Receive a message from a socket: ``recv(2)``.

    :param fd: socket descriptor
    :param count: maximum number of bytes to receive (any size: memory is
        spent on what arrives, not on ``count``)
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: the bytes received (``b""`` at end of stream), or
        ``Error(None, strerror, errnum)`` (no call name, as in luaposix)
    """
    sock = _plain_get(fd) if type(fd) is int else None
    if sock is None:
        lent = _receiver("recv", fd, count, flags)
        if isinstance(lent, Error):
            return lent
        sock = lent
    try:
        # count 0 takes the slow path too: CPython's recv() returns b"" for it
        # without a system call, while C's recv consumes a datagram.
        if (type(count) is not int or not 0 < count <= DIRECT or type(flags) is not int
                or flags & _SLOW_FLAGS):
            return _recv_slow("recv", sock, count, flags)[0]
        data: bytes = sock.recv(count, flags)
    except OSError as exc:
        return from_oserror(None, exc, EBADF)
    return data


def recvfrom(fd: int, count: int, flags: int = 0, /) -> Union[Tuple[bytes, SockAddr], Error]:
    """Receive a message and its source address: ``recvfrom(2)``.

    :param fd: socket descriptor
    :param count: maximum number of bytes to receive
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: ``(bytes, source SockAddr)`` -- ``{"family": AF_UNSPEC}`` when
        the kernel gives no address (stream sockets, unnamed senders) -- or
        ``Error(None, strerror, errnum)``
    """
    sock = _plain_get(fd) if type(fd) is int else None
    if sock is None:
        lent = _receiver("recvfrom", fd, count, flags)
        if isinstance(lent, Error):
            return lent
        sock = lent
    try:
        if (type(count) is not int or not 0 <= count <= DIRECT or type(flags) is not int
                or flags & _SLOW_FLAGS):
            data, source = _recv_slow("recvfrom", sock, count, flags)
        else:
            data, source = sock.recvfrom(count, flags)
    except OSError as exc:
        return from_oserror(None, exc, EBADF)
    if type(source) is tuple and len(source) == 2:  # sockaddr()'s IPv4 case, inline
        host, port = source
        if type(host) is str and ":" not in host:
            address: SockAddrInet = {"family": AF_INET, "port": port, "addr": host}
            return data, address
    return data, sockaddr(source, sock)


def _send_args(call: str, buffer: object, flags: object, argn: int) -> None:
    """Say which argument made the stdlib refuse a send (raises, if ours)."""
    _args.bytes_like(call, 2, buffer)
    _args.cint(call, argn, flags)


def send(fd: int, buffer: Buffer, flags: int = 0, /) -> Union[int, Error]:
    """Send a message on a socket: ``send(2)``.

    :param fd: socket descriptor
    :param buffer: the bytes to send (any bytes-like object; not ``str``)
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: the number of bytes sent, or
        ``Error(None, "send: <strerror>", errnum)``; a closed peer is EPIPE,
        never SIGPIPE (MSG_NOSIGNAL is always added)
    """
    sock = _plain_get(fd) if type(fd) is int else None
    if sock is None:
        lent = borrow("send", "send", fd)
        if isinstance(lent, Error):
            _send_args("send", buffer, flags, 3)  # programming errors first
            return lent
        sock = lent
    if type(flags) is not int:  # an int subclass's | could drop MSG_NOSIGNAL
        _args.bytes_like("send", 2, buffer)
        flags = _args.cint("send", 3, flags)
    try:
        return sock.send(buffer, flags | _MSG_NOSIGNAL)
    except OSError as exc:
        return from_oserror("send", exc, EBADF)
    except (TypeError, OverflowError, BufferError):
        _send_args("send", buffer, flags, 3)  # raises if an argument is the cause
        raise  # not ours: unchanged (a signal handler's)


def sendto(fd: int, buffer: Buffer, destination: SockAddrArg, flags: int = 0, /
           ) -> Union[int, Error]:
    """Send a message to an address: ``sendto(2)``.

    :param fd: socket descriptor
    :param buffer: the bytes to send (any bytes-like object; not ``str``)
    :param destination: ``SockAddr`` to send to (numeric address)
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: the number of bytes sent, or
        ``Error(None, "sendto: <strerror>", errnum)``; a destination C
        could not be given is ``Error(None, "not a valid IPv4 or IPv6
        argument: Invalid argument", EINVAL)`` (ENAMETOOLONG as for
        ``bind``); a closed peer is EPIPE, never SIGPIPE
    """
    # _addressed()'s fast path, inline: a hot UDP loop sends to one address
    sock: Optional[_Borrowed] = None
    if type(destination) is dict and len(destination) == 3 and type(fd) is int:
        port = destination.get("port")
        host = destination.get("addr")
        if (destination.get("family") is _AF_INET and type(port) is int and 0 <= port <= 0xFFFF
                and type(host) is str and _numeric4_get(host)):
            sock = _inet4_get(fd)
            address: Native = (host, port)
    if sock is None:
        target = _addressed("sendto", fd, destination, 3)
        if isinstance(target, Error):
            _send_args("sendto", buffer, flags, 4)  # programming errors first
            return target
        sock, address = target
    if type(flags) is not int:  # an int subclass's | could drop MSG_NOSIGNAL
        _args.bytes_like("sendto", 2, buffer)
        flags = _args.cint("sendto", 4, flags)
    try:
        # (address is bound: sock is set only where address is)
        return sock.sendto(buffer, flags | _MSG_NOSIGNAL, address)  # pyright: ignore[reportPossiblyUnboundVariable]
    except OSError as exc:
        return _address_error("sendto", sock, exc, EBADF)
    except (TypeError, OverflowError, BufferError):
        _send_args("sendto", buffer, flags, 4)  # raises if an argument is the cause
        raise  # not ours: unchanged (a signal handler's)


def shutdown(fd: int, how: int, /) -> Union[int, Error]:
    """Shut down part of a full-duplex connection: ``shutdown(2)``.

    :param fd: socket descriptor
    :param how: ``SHUT_RD``, ``SHUT_WR`` or ``SHUT_RDWR``
    :returns: ``0``, or ``Error(None, "shutdown: <strerror>", errnum)``
    """
    h = _args.cint("shutdown", 2, how)
    sock = borrow("shutdown", "shutdown", fd)
    if isinstance(sock, Error):
        return sock
    try:
        sock.shutdown(h)
    except OSError as exc:
        return from_oserror("shutdown", exc, EBADF)
    return 0


# One overload per kind of option: the level's type and the name's choose
# what the value must be (see ``_constants``).  No overload takes a plain
# ``int`` name: an option posixsock has no constant for is named with
# ``IntOption(number)``, a C int option at any level.
@overload
def setsockopt(fd: int, level: SolSocket, name: SocketIntOption, value1: int, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: SolSocket, name: TimevalOption, value1: int, value2: int, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: SolSocket, name: LingerOption, value1: int, value2: int, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: SolSocket, name: IfNameOption, value1: str, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: SolSocket, name: PeerCredOption, value1: int, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: IpprotoIp, name: IpIntOption, value1: int, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: IpprotoIp, name: InAddrOption, value1: str, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: IpprotoIp, name: MreqOption, value1: str,
               value2: Optional[str] = None, /) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: IpprotoIpv6, name: Ipv6IntOption, value1: int, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: IpprotoIpv6, name: Mreq6Option, value1: str,
               value2: Optional[int] = None, /) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: IpprotoTcp, name: TcpIntOption, value1: int, /
               ) -> Union[int, Error]: ...
@overload
def setsockopt(fd: int, level: int, name: IntOption, value1: int, /) -> Union[int, Error]: ...


def setsockopt(fd: int, level: int, name: int, value1: Union[int, str],
               value2: Union[int, str, None] = None, /) -> Union[int, Error]:
    """Set a socket option: ``setsockopt(2)``.

    :param fd: socket descriptor
    :param level: ``SOL_SOCKET``, ``IPPROTO_IP``, ``IPPROTO_IPV6``,
        ``IPPROTO_TCP``, ...
    :param name: the option (its constant's type says what it takes: see
        the overloads; ``IntOption(number)`` for an option without a
        constant, a C ``int``)
    :param value1: a C ``int`` for most options; SO_LINGER ``l_onoff``;
        SO_RCVTIMEO/SO_SNDTIMEO seconds; SO_BINDTODEVICE an interface name;
        IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP an IPv6 group address;
        IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP an IPv4 group address;
        IP_MULTICAST_IF the outgoing interface's IPv4 address
        (``struct in_addr``; ``"0.0.0.0"``: the kernel chooses)
    :param value2: SO_LINGER ``l_linger``; SO_RCVTIMEO/SO_SNDTIMEO
        microseconds; optionally the interface: its index for
        IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP (default 0), its IPv4 address for
        IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP (default ``"0.0.0.0"``); must
        be omitted otherwise
    :returns: ``0``, or ``Error(None, "setsockopt: <strerror>", errnum)``;
        an address C could not be given is EINVAL
    """
    # Fast path: an int option with int arguments.  CPython refuses a level
    # that is no int or out of C int range (TypeError, OverflowError); the
    # checked path below then says which argument.  ``name`` and ``value1``
    # must be exact ints here: they choose the option's codec.  An fd not
    # lent yet (KeyError from the lookup) is lent by the checked path.
    if (type(fd) is int and value2 is None and type(value1) is int and type(name) is int
            and name not in CODEC_NAMES):
        try:
            plain[fd].setsockopt(level, name, value1)
            return 0
        except OSError as exc:
            return from_oserror("setsockopt", exc, EINVAL)
        except (KeyError, OverflowError, TypeError) as exc:
            if raised_by_handler(exc):  # a signal handler's own, not CPython's refusal
                raise
    return _setsockopt(fd, level, name, value1, value2)


def _setsockopt(fd: object, level: object, name: object, value1: object, value2: object
                ) -> Union[int, Error]:
    """setsockopt with every argument checked, and the option table."""
    lvl = _args.cint("setsockopt", 2, level)
    opt = _args.cint("setsockopt", 3, name)
    codec = TABLE.get((lvl, opt))
    if value2 is not None and codec is None:
        _args.bad("setsockopt", 5, "no more than 4 arguments expected, got 5")
    value: Union[int, bytes]
    if codec is None:
        value = _args.cint("setsockopt", 4, value1)
    else:
        encoded = encode_option(lvl, opt, codec, value1, value2)
        if type(encoded) is int:
            return fail("setsockopt", encoded)
        value = encoded
    sock = borrow("setsockopt", "setsockopt", fd)
    if isinstance(sock, Error):
        return sock
    try:
        sock.setsockopt(lvl, opt, value)
    except OSError as exc:
        return from_oserror("setsockopt", exc, EINVAL)
    return 0


@overload
def getsockopt(fd: int, level: SolSocket, name: SocketIntOption, /) -> Union[int, Error]: ...
@overload
def getsockopt(fd: int, level: SolSocket, name: TimevalOption, /) -> Union[Timeval, Error]: ...
@overload
def getsockopt(fd: int, level: SolSocket, name: LingerOption, /) -> Union[Linger, Error]: ...
@overload
def getsockopt(fd: int, level: SolSocket, name: IfNameOption, /) -> Union[str, Error]: ...
@overload
def getsockopt(fd: int, level: SolSocket, name: PeerCredOption, /) -> Union[PeerCred, Error]: ...
@overload
def getsockopt(fd: int, level: IpprotoIp, name: IpIntOption, /) -> Union[int, Error]: ...
@overload
def getsockopt(fd: int, level: IpprotoIp, name: InAddrOption, /) -> Union[str, Error]: ...
@overload
def getsockopt(fd: int, level: IpprotoIpv6, name: Ipv6IntOption, /) -> Union[int, Error]: ...
@overload
def getsockopt(fd: int, level: IpprotoTcp, name: TcpIntOption, /) -> Union[int, Error]: ...
@overload
def getsockopt(fd: int, level: int, name: IntOption, /) -> Union[int, Error]: ...
@overload  # an option chosen at run time: any of the values
def getsockopt(fd: int, level: int, name: int, /) -> Union[OptValue, Error]: ...


def getsockopt(fd: int, level: int, name: int, /) -> Union[OptValue, Error]:
    """Get a socket option: ``getsockopt(2)``.

    :param fd: socket descriptor
    :param level: ``SOL_SOCKET``, ``IPPROTO_IPV6``, ``IPPROTO_TCP``, ...
    :param name: the option
    :returns: an ``int`` for most options; ``Timeval`` for
        SO_RCVTIMEO/SO_SNDTIMEO; ``Linger`` for SO_LINGER; ``str`` for
        SO_BINDTODEVICE and IP_MULTICAST_IF (a dotted IPv4 address);
        ``PeerCred`` for SO_PEERCRED -- or
        ``Error(None, "getsockopt: <strerror>", errnum)``.  Called with a
        level constant and an option constant of that level, the declared
        result is that option's own type (overloads); with an option
        chosen at run time (plain ``int``), the ``OptValue`` union.
    """
    # Fast path: an int option.  A level that is no C int makes CPython
    # raise, and the checked path words the error; ``name`` must be an exact
    # int here, as it chooses the option's codec.  An fd not lent yet
    # (KeyError from the lookup) is lent by the checked path.
    if type(fd) is int and type(name) is int and name not in CODEC_NAMES:
        try:
            value: int = plain[fd].getsockopt(level, name)
            return value
        except OSError as exc:
            return from_oserror("getsockopt", exc, EINVAL)
        except (KeyError, OverflowError, TypeError) as exc:
            if raised_by_handler(exc):  # a signal handler's own, not CPython's refusal
                raise
    return _getsockopt(fd, level, name)


def _getsockopt(fd: object, level: object, name: object) -> Union[OptValue, Error]:
    """getsockopt with every argument checked, and the option table."""
    lvl = _args.cint("getsockopt", 2, level)
    opt = _args.cint("getsockopt", 3, name)
    sock = borrow("getsockopt", "getsockopt", fd)
    if isinstance(sock, Error):
        return sock
    codec = TABLE.get((lvl, opt))
    try:
        if codec is None or codec.decode is None:
            return sock.getsockopt(lvl, opt)
        return codec.decode(sock.getsockopt(lvl, opt, codec.size))
    except OSError as exc:
        return from_oserror("getsockopt", exc, EINVAL)


def getsockname(fd: int, /) -> Union[SockAddrBound, Error]:
    """Get the address a socket is bound to: ``getsockname(2)``.

    :param fd: socket descriptor
    :returns: its ``SockAddr``, or
        ``Error(None, "getsockname: <strerror>", errnum)``
    """
    sock = _plain_get(fd) if type(fd) is int else None
    if sock is None:
        lent = borrow("getsockname", "getsockname", fd)
        if isinstance(lent, Error):
            return lent
        sock = lent
    try:
        name = sock.getsockname()
    except OSError as exc:
        return from_oserror("getsockname", exc, EBADF)
    if type(name) is tuple and len(name) == 2:  # sockaddr()'s IPv4 case, inline
        host, port = name
        if type(host) is str and ":" not in host:
            address: SockAddrInet = {"family": AF_INET, "port": port, "addr": host}
            return address
    return socket_address(name, sock)


def getpeername(fd: int, /) -> Union[SockAddrBound, Error]:
    """Get the address of a socket's peer: ``getpeername(2)``.

    :param fd: socket descriptor
    :returns: the peer's ``SockAddr``, or
        ``Error(None, "getpeername: <strerror>", errnum)``
    """
    sock = borrow("getpeername", "getpeername", fd)
    if isinstance(sock, Error):
        return sock
    try:
        return socket_address(sock.getpeername(), sock)
    except OSError as exc:
        return from_oserror("getpeername", exc, EBADF)


def _c_if_nametoindex(ifname: str) -> Union[int, Error]:  # pragma: no cover
    """The C library's if_nametoindex, for a stdlib without it."""
    import ctypes
    try:
        name = os.fsencode(ifname)
    except UnicodeError:  # (os.fsencode is Python code: its own frames would
        # make raised_by_handler take its error for a signal handler's)
        return fail("if_nametoindex", ENODEV)
    libc = ctypes.CDLL(None, use_errno=True)
    index = libc.if_nametoindex(name)
    return index if index else fail("if_nametoindex", ctypes.get_errno() or ENODEV)


def if_nametoindex(ifname: str, /) -> Union[int, Error]:
    """Get a network interface's index from its name: ``if_nametoindex(3)``.

    :param ifname: interface name, e.g. ``"lo"``
    :returns: the index, or ``Error(None, "if_nametoindex: <strerror>",
        errnum)`` (ENODEV when there is no such interface)
    """
    if not isinstance(ifname, str):
        _args.expected("if_nametoindex", 1, "str", ifname)
    ifname = _args.exact_text(ifname)  # a str subclass's __contains__ could lie
    if "\0" in ifname:  # C would read a shorter name; no interface has this one
        return fail("if_nametoindex", ENODEV)
    stdlib = getattr(_socket, "if_nametoindex", None)
    if stdlib is None:  # pragma: no cover - every CPython on Linux has it
        return _c_if_nametoindex(ifname)
    try:
        index: int = stdlib(ifname)
    except OSError as exc:  # the stdlib's has no errno: glibc's is ENODEV
        return from_oserror("if_nametoindex", exc, ENODEV)
    except UnicodeError as exc:  # lone surrogates: no interface has such a name
        propagate(exc)
        return fail("if_nametoindex", ENODEV)
    return index
