"""Scatter/gather messages and ancillary data: ``sendmsg``/``recvmsg`` and
the descriptor-passing pair ``send_fds``/``recv_fds`` built on them.

None of these is in luaposix, so every failure is named after the call:
``Error(None, "<call>: <strerror>", errnum)``.

Descriptors that arrive in ``SCM_RIGHTS`` messages are new descriptors in
this process.  Like every descriptor posixsock makes they are close-on-exec:
both receive calls always pass ``MSG_CMSG_CLOEXEC`` (and leave it out of the
``msg_flags`` they return unless the caller passed it).  Where the system
has no MSG_CMSG_CLOEXEC (macOS; FreeBSD before 10), each received
descriptor is made close-on-exec right after ``recvmsg`` returns
(``fcntl(F_SETFD, FD_CLOEXEC)``): not atomic -- a ``fork`` + ``exec`` by
another thread between the two calls would inherit it -- which is the most
any program there can do.  A socket that refuses the flag as unknown
(AF_PACKET's ``recvmsg`` is EINVAL with it; such sockets receive no
``SCM_RIGHTS``) is asked again without it, as C's ``recvmsg(fd, &msg,
flags)`` would be.  Nothing is closed
on the caller's behalf: every descriptor the kernel installed is returned --
``recv_fds`` as ints, ``recvmsg`` inside the ``Cmsg`` data -- and the kernel
itself closes the ones that did not fit, setting ``MSG_CTRUNC``.
"""
from __future__ import annotations

import _socket
import os
from array import array
from errno import EBADF, EINVAL, ENOBUFS
from typing import Iterable, List, Optional, Tuple, TypedDict, Union

from . import _args
from ._args import Buffer
from ._calls import _MSG_NOSIGNAL, _address_error, _addressed
from ._recvbuf import DIRECT, available, receive_big
from ._errors import Error, from_oserror, propagate, raised_by_handler
from ._fd import _Borrowed, borrow
from ._sockaddr import SockAddr, SockAddrArg, sockaddr

__all__ = ["Cmsg", "Received", "ReceivedFds", "sendmsg", "recvmsg", "send_fds", "recv_fds",
           "CMSG_LEN", "CMSG_SPACE"]

_SOL_SOCKET: int = _socket.SOL_SOCKET
_SCM_RIGHTS: int = getattr(_socket, "SCM_RIGHTS", 1)
_CLOEXEC: int = getattr(_socket, "MSG_CMSG_CLOEXEC", 0)
_MSG_TRUNC: int = getattr(_socket, "MSG_TRUNC", 0)
_INT_SIZE = array("i").itemsize
# The kernel's ancillary data per message is a few hundred bytes (at most
# 253 descriptors, SCM_MAX_FD, plus credentials and timestamps), so a larger
# ancillary buffer is never filled: it is cut to this, not allocated.
_ANC_MAX = 64 * 1024
_BYTES = (bytes, bytearray, memoryview)
_CMSG_FIELDS = ("level", "type", "data")


class Cmsg(TypedDict):
    """One ancillary data item (``struct cmsghdr`` and its data)."""

    level: int
    type: int
    data: bytes  # on input, any bytes-like object


Received = Tuple[bytes, List[Cmsg], int, SockAddr]
"""What ``recvmsg`` gives: ``(data, ancillary items, msg_flags, source)``;
the source may be ``{"family": AF_UNSPEC}`` (no address)."""

ReceivedFds = Tuple[bytes, List[int], int, SockAddr]
"""What ``recv_fds`` gives: ``(data, descriptors, msg_flags, source)``; the
descriptors are new and the caller's to close."""


# --- arguments -----------------------------------------------------------------

def _buffers(call: str, argn: int, buffers: Iterable[object]) -> List[object]:
    if isinstance(buffers, (str, bytes, bytearray, memoryview)) or not hasattr(buffers, "__iter__"):
        _args.expected(call, argn, "sequence of bytes", buffers)
    items = _args.items(buffers)  # never list(): it would ask a lying __len__
    for i, item in enumerate(items, 1):
        if not isinstance(item, _BYTES):
            _args.bad(call, argn, f"bytes expected for item {i}, got {_args.typename(item)}")
        if isinstance(item, memoryview) and not item.c_contiguous:
            _args.bad(call, argn, f"contiguous bytes expected for item {i}, got a strided memoryview")
    return items


def _ancillary(call: str, argn: int, ancillary: Iterable[object]) -> List[Tuple[int, int, object]]:
    if isinstance(ancillary, (str, bytes, bytearray, memoryview, dict)) \
            or not hasattr(ancillary, "__iter__"):
        _args.expected(call, argn, "sequence of Cmsg", ancillary)
    items: List[Tuple[int, int, object]] = []
    for item in _args.items(ancillary):
        if not isinstance(item, dict):
            _args.bad(call, argn, f"dict expected for item {len(items) + 1}, "
                                  f"got {_args.typename(item)}")
        item = _args.table(item)
        _args.fields(call, argn, item, _CMSG_FIELDS)
        level, kind, data = (item.get(name, _args.MISSING) for name in _CMSG_FIELDS)
        numbers: List[int] = []
        for name, value in (("level", level), ("type", kind)):
            number = _args.integer(call, argn, value, name)
            if not _args.INT_MIN <= number <= _args.INT_MAX:
                _args.bad(call, argn, f"field '{name}' out of C int range, got {number}",
                          ValueError)
            numbers.append(number)
        if not isinstance(data, _BYTES):
            _args.expected(call, argn, "bytes", data, "data")
        if isinstance(data, memoryview) and not data.c_contiguous:
            _args.bad(call, argn, "contiguous bytes expected for field 'data', "
                                  "got a strided memoryview")
        items.append((numbers[0], numbers[1], data))
    return items


def _target(call: str, fd: int, destination: object
            ) -> Union[Tuple[_Borrowed, object], Error]:
    """The object to send through -- plain, or in the destination's family
    -- and the destination in the stdlib's form (None: no destination)."""
    if destination is None:
        sock = borrow(call, call, fd)
        return sock if isinstance(sock, Error) else (sock, None)
    return _addressed(call, fd, destination, 5)


# --- the calls -------------------------------------------------------------------

def sendmsg(fd: int, buffers: Iterable[Buffer], ancillary: Iterable[Cmsg] = (),
            flags: int = 0, destination: Optional[SockAddrArg] = None, /) -> Union[int, Error]:
    """Send a message from several buffers, with ancillary data: ``sendmsg(2)``.

    :param fd: socket descriptor
    :param buffers: the bytes to send, gathered in order (a sequence of
        bytes-like objects)
    :param ancillary: ``Cmsg`` items -- ``{"level", "type", "data"}`` --
        e.g. ``{"level": SOL_SOCKET, "type": SCM_RIGHTS, "data":
        array("i", fds).tobytes()}``
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :param destination: ``SockAddr`` to send to (unconnected datagram
        sockets), or None
    :returns: the number of bytes sent, or
        ``Error(None, "sendmsg: <strerror>", errnum)``; a destination C could
        not express gives EINVAL (ENAMETOOLONG, ENODEV as for ``sendto``); a
        closed peer is EPIPE, never SIGPIPE (MSG_NOSIGNAL is always added)
    """
    fd = _args.integer("sendmsg", 1, fd)
    data = _buffers("sendmsg", 2, buffers)
    anc = _ancillary("sendmsg", 3, ancillary)
    f = _args.cint("sendmsg", 4, flags)
    target = _target("sendmsg", fd, destination)
    if isinstance(target, Error):
        return target
    sock, address = target
    try:
        if address is None:  # MSG_NOSIGNAL: EPIPE, never SIGPIPE (see send)
            return sock.sendmsg(data, anc, f | _MSG_NOSIGNAL)  # type: ignore[arg-type]
        return sock.sendmsg(data, anc, f | _MSG_NOSIGNAL, address)  # type: ignore[arg-type]
    except OSError as exc:  # no errno: ancillary data too large for C
        return _address_error("sendmsg", sock, exc, ENOBUFS)


def _close_on_exec(anc: List[Tuple[int, int, bytes]]) -> None:
    """Make the descriptors of received SCM_RIGHTS items close-on-exec, for
    a system without MSG_CMSG_CLOEXEC (see the module's docstring)."""
    for level, kind, body in anc:
        if level == _SOL_SOCKET and kind == _SCM_RIGHTS:
            for fd in array("i", body[:len(body) - len(body) % _INT_SIZE]):
                try:
                    os.set_inheritable(fd, False)
                except OSError as exc:  # pragma: no cover - the kernel just made it
                    propagate(exc)


_Raw = Tuple[bytes, List[Tuple[int, int, bytes]], int, object]


def _recvmsg(sock: _Borrowed, n: int, anc_size: int, flags: int, wanted: int
             ) -> Tuple[int, _Raw]:
    """One ``recvmsg`` of at most ``n`` bytes with the flags ``wanted``
    (``flags`` plus what posixsock adds); returns the buffer size used."""
    big = None
    if n > DIRECT:  # memory follows the data, as for recv
        big = receive_big(lambda view: sock.recvmsg_into([view], anc_size, wanted), n, flags)
        if big is None:  # no mapping: learn what is there first
            n = available(sock, n, flags)
    if big is not None:
        data, (_, anc, msg_flags, source) = big
        return n, (data, anc, msg_flags, source)
    if flags & _MSG_TRUNC:
        # CPython's recvmsg returns its buffer unwritten where a TCP
        # socket's MSG_TRUNC discards the data (freed heap memory):
        # receive into zeros, as recv does.
        zeros = bytearray(n)
        got, anc, msg_flags, source = sock.recvmsg_into([zeros], anc_size, wanted)
        return n, (bytes(zeros[:got]), anc, msg_flags, source)
    return n, sock.recvmsg(n, anc_size, wanted)


def _receive(call: str, fd: object, count: object, ancillary_size: int, flags: int
             ) -> Union[Tuple[bytes, List[Tuple[int, int, bytes]], int, SockAddr], Error]:
    """One ``recvmsg`` with MSG_CMSG_CLOEXEC added; the flag is taken back out
    of ``msg_flags`` unless the caller gave it.  Arguments are checked
    before the descriptor, as luaposix does."""
    asked = _args.size(call, 2, count, "count")
    sock = borrow(call, call, fd)
    if isinstance(sock, Error):
        return sock
    anc_size = min(ancillary_size, _ANC_MAX)
    wanted = flags | _CLOEXEC
    try:
        try:
            n, (data, anc, msg_flags, source) = _recvmsg(sock, asked, anc_size, flags, wanted)
        except OSError as exc:
            if exc.errno != EINVAL or wanted == flags or raised_by_handler(exc):
                raise
            # AF_PACKET (and other families without SCM_RIGHTS) refuse
            # MSG_CMSG_CLOEXEC as an unknown flag, before taking anything:
            # call again as C's recvmsg(fd, &msg, flags).
            wanted = flags
            n, (data, anc, msg_flags, source) = _recvmsg(sock, asked, anc_size, flags, wanted)
    except OSError as exc:
        return from_oserror(call, exc, EBADF)
    if len(data) > n:  # MSG_TRUNC gave the full length; C's buffer held n
        data = data[:n]
    if not flags & _CLOEXEC:
        msg_flags &= ~_CLOEXEC
    if anc and not wanted & _CLOEXEC:  # no MSG_CMSG_CLOEXEC here, or refused
        _close_on_exec(anc)
    # No source (a stream socket, an unnamed sender): {"family": AF_UNSPEC},
    # as recvfrom says it.
    return data, anc, msg_flags, sockaddr(source, sock)


def recvmsg(fd: int, count: int, ancillary_size: int = 0, flags: int = 0, /
            ) -> Union[Received, Error]:
    """Receive a message and its ancillary data: ``recvmsg(2)``.

    :param fd: socket descriptor
    :param count: maximum number of bytes to receive (memory follows what
        arrives, as for ``recv``)
    :param ancillary_size: size of the ancillary buffer, ``msg_controllen``
        (use ``CMSG_SPACE``; 0: none)
    :param flags: ``MSG_*`` flags, or-ed (default 0).  ``MSG_CMSG_CLOEXEC``
        is always added: received descriptors are close-on-exec (a socket
        that refuses it, AF_PACKET, is asked again without it).
    :returns: ``(bytes, [Cmsg, ...], msg_flags, source SockAddr)`` -- the
        source is ``{"family": AF_UNSPEC}`` when the kernel gives none (a
        stream socket, an unnamed AF_UNIX sender), as for ``recvfrom``;
        ``msg_flags`` has ``MSG_TRUNC``/``MSG_CTRUNC`` when data or
        ancillary data did not fit; the bytes never exceed ``count`` -- or
        ``Error(None, "recvmsg: <strerror>", errnum)``.  Descriptors in an
        ``SCM_RIGHTS`` item belong to the caller, who must close them.
    """
    fd = _args.integer("recvmsg", 1, fd)
    _args.size("recvmsg", 2, count, "count")
    size = _args.size("recvmsg", 3, ancillary_size, "ancillary_size")
    got = _receive("recvmsg", fd, count, size, _args.cint("recvmsg", 4, flags))
    if isinstance(got, Error):
        return got
    data, anc, msg_flags, source = got
    items: List[Cmsg] = [{"level": level, "type": kind, "data": body} for level, kind, body in anc]
    return data, items, msg_flags, source


def send_fds(fd: int, buffer: Buffer, fds: Iterable[int], /) -> Union[int, Error]:
    """Send bytes and descriptors over an ``AF_UNIX`` socket: ``sendmsg(2)``
    with one ``SCM_RIGHTS`` item (none when ``fds`` is empty).

    :param fd: ``AF_UNIX`` socket descriptor
    :param buffer: the bytes to send (at least one byte on a stream socket,
        or the receiver cannot tell the descriptors arrived)
    :param fds: the descriptors to pass (each a C ``int``; the kernel
        checks them: EBADF)
    :returns: the number of bytes sent, or
        ``Error(None, "send_fds: <strerror>", errnum)``; a closed peer is
        EPIPE, never SIGPIPE
    """
    return send_fds_flagged(fd, buffer, fds, 0)


def send_fds_flagged(fd: int, buffer: Buffer, fds: Iterable[int], flags: int) -> Union[int, Error]:
    """``send_fds`` with extra ``MSG_*`` flags (posixsock.aio's MSG_DONTWAIT)."""
    fd = _args.integer("send_fds", 1, fd)
    _args.bytes_like("send_fds", 2, buffer)
    if isinstance(fds, (str, bytes, bytearray, memoryview)) or not hasattr(fds, "__iter__"):
        _args.expected("send_fds", 3, "sequence of int", fds)
    numbers = array("i")
    for i, item in enumerate(_args.items(fds), 1):
        number = _args.as_int(item)
        if number is None:
            _args.bad("send_fds", 3, f"int expected for item {i}, got {_args.typename(item)}")
        if not _args.INT_MIN <= number <= _args.INT_MAX:
            _args.bad("send_fds", 3, f"item {i} out of C int range, got {number}", ValueError)
        numbers.append(number)
    anc = [(_SOL_SOCKET, _SCM_RIGHTS, numbers.tobytes())] if numbers else []
    sock = borrow("send_fds", "send_fds", fd)
    if isinstance(sock, Error):
        return sock
    try:
        return sock.sendmsg([buffer], anc, _MSG_NOSIGNAL | flags)
    except OSError as exc:
        return from_oserror("send_fds", exc, ENOBUFS)


def recv_fds(fd: int, count: int, maxfds: int, /) -> Union[ReceivedFds, Error]:
    """Receive bytes and up to ``maxfds`` descriptors: ``recvmsg(2)`` with
    room for one ``SCM_RIGHTS`` item of ``maxfds`` descriptors.

    :param fd: ``AF_UNIX`` socket descriptor
    :param count: maximum number of bytes to receive
    :param maxfds: maximum number of descriptors to receive (the kernel
        passes at most 253 per message)
    :returns: ``(bytes, [fd, ...], msg_flags, source SockAddr)`` (the
        source ``{"family": AF_UNSPEC}`` when the kernel gives none, as for
        ``recvfrom``) or ``Error(None, "recv_fds: <strerror>", errnum)``.
        The descriptors are new, close-on-exec, and the caller's to close.
        If more were sent than fit, the kernel closed the rest and
        ``msg_flags`` has ``MSG_CTRUNC``.
    """
    return recv_fds_flagged(fd, count, maxfds, 0)


def recv_fds_flagged(fd: int, count: int, maxfds: int, flags: int) -> Union[ReceivedFds, Error]:
    """``recv_fds`` with extra ``MSG_*`` flags (posixsock.aio's MSG_DONTWAIT)."""
    fd = _args.integer("recv_fds", 1, fd)
    _args.size("recv_fds", 2, count, "count")
    n = _args.size("recv_fds", 3, maxfds, "maxfds")
    room = min(n, (_ANC_MAX - _socket.CMSG_LEN(0)) // _INT_SIZE)
    # CMSG_LEN, not CMSG_SPACE: the padding of CMSG_SPACE would fit one more.
    got = _receive("recv_fds", fd, count, _socket.CMSG_LEN(room * _INT_SIZE) if room else 0,
                   flags)
    if isinstance(got, Error):
        return got
    data, anc, msg_flags, source = got
    fds: List[int] = []
    for level, kind, body in anc:
        if level == _SOL_SOCKET and kind == _SCM_RIGHTS:
            whole = len(body) - len(body) % _INT_SIZE  # the kernel installs whole ints only
            fds.extend(array("i", body[:whole]))
    return data, fds, msg_flags, source


def _cmsg_size(call: str, length: object) -> int:
    n = _args.size(call, 1, length, "length")
    try:
        size: int = getattr(_socket, call)(n)
    except OverflowError as exc:
        propagate(exc)
        _args.bad(call, 1, f"length out of range, got {n}", ValueError)
    return size


def CMSG_LEN(length: int, /) -> int:
    """``CMSG_LEN(3)``: the ``cmsg_len`` of an item with ``length`` data bytes.

    :param length: number of data bytes (not negative)
    :returns: header plus data, without trailing padding.  No system call,
        so no error triple: a non-``int`` raises ``TypeError``, a negative
        or too large ``length`` ``ValueError``
    """
    return _cmsg_size("CMSG_LEN", length)


def CMSG_SPACE(length: int, /) -> int:
    """``CMSG_SPACE(3)``: the ancillary buffer room an item with ``length``
    data bytes takes, padding included (add these up for ``recvmsg``).

    :param length: number of data bytes (not negative)
    :returns: the padded size (``TypeError``/``ValueError`` as for
        ``CMSG_LEN``)
    """
    return _cmsg_size("CMSG_SPACE", length)
