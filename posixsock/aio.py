"""posixsock's calls that can wait, awaitable: the same names, parameters,
defaults and results (``T | Error``), on asyncio (any event loop, uvloop
included) and trio, found at run time (no dependency on either)::

    import posixsock as ps
    from posixsock import aio

    data = await aio.recv(fd, 4096)
    if isinstance(data, ps.Error):
        ...                       # (None, "Connection reset by peer", 104)

Each call is made at once; only EAGAIN makes it wait for the descriptor to
be ready (``_ready``, the one owner of each descriptor's waiters) and then
make the call again.  The event loop never blocks, whatever the
descriptor's O_NONBLOCK flag, and the flag is never changed:

* the send and receive calls add ``MSG_DONTWAIT`` to the flags;
* ``accept`` and ``connect`` read the flag (one ``fcntl``).  On a
  non-blocking descriptor they run in the loop: ``connect``'s EINPROGRESS
  waits until the descriptor is writable and then reads ``SO_ERROR``.  On a
  blocking descriptor ``accept`` waits until it is readable in the loop,
  then accepts on a thread; ``connect`` connects on a thread.  The thread
  works on a duplicate of the descriptor, never on the caller's number.

Errors are values, as in the sync calls; only cancellation and programming
errors (TypeError, ValueError) raise.  A call cancelled while it waits has
received and sent nothing (a ``sendall`` cancelled after part of its data
went has sent that part).  A connection a cancelled ``accept`` on a
blocking descriptor had already taken on its thread is returned by the
next ``aio.accept`` of that listening socket.

``close(fd)`` wakes every task waiting on ``fd`` -- they return the EBADF
triple -- and closes it.  ``os.close`` wakes nobody (see the README).
"""
from __future__ import annotations

import _socket
import os
import threading
from errno import EAGAIN, EBADF, EINPROGRESS, EWOULDBLOCK
from typing import Callable, Dict, Iterable, List, Optional, Tuple, TypeVar, Union

from . import _args, _calls, _msg
from ._args import Buffer
from ._errors import Error, fail, from_oserror
from ._msg import Cmsg, Received, ReceivedFds
from ._ready import close_waiters, duplicate, offload, wait
from ._sockaddr import SockAddr, SockAddrArg, SockAddrBound

__all__ = [
    "accept", "connect", "recv", "recvfrom", "recvmsg", "recv_fds", "send", "sendto",
    "sendmsg", "send_fds", "sendall", "close",
]

_DONTWAIT: int = getattr(_socket, "MSG_DONTWAIT", 0x40)  # Linux's value where unnamed
_SOL_SOCKET: int = _socket.SOL_SOCKET
_SO_ERROR: int = _socket.SO_ERROR

_recv = _calls.recv
_recvfrom = _calls.recvfrom
_send = _calls.send
_sendto = _calls.sendto


_AGAIN = frozenset((EAGAIN, EWOULDBLOCK))


def _again(result: object) -> bool:
    """Whether a call's result is the EAGAIN/EWOULDBLOCK triple."""
    return type(result) is Error and (result.errnum == EAGAIN or result.errnum == EWOULDBLOCK)


def _flags(call: str, fd: object, argn: int, flags: object) -> int:
    """Flags that are no exact int, checked as the sync call does (the
    descriptor's type first)."""
    if type(fd) is not int:
        _args.integer(call, 1, fd)
    return _args.cint(call, argn, flags)


_T = TypeVar("_T")
_R = TypeVar("_R")


def _retryable(value: Iterable[_T]) -> Iterable[_T]:
    """A sequence argument, kept for a second try (the sync call reads an
    iterator once): a ``list`` or ``tuple`` as it is; any other iterable's
    items, read once and never sized by its ``__len__`` (``_args.items``);
    what the sync call refuses (a bytes-like or ``str``, a dict, no iterable)
    as it is, so the sync call's words name it."""
    seen: object = value  # (tested as an object: value keeps its declared type)
    if isinstance(seen, (list, tuple, str, bytes, bytearray, memoryview, dict)) \
            or not hasattr(seen, "__iter__"):
        return value
    return _args.items(value)


# --- receiving -----------------------------------------------------------------------

async def recv(fd: int, count: int, flags: int = 0, /) -> Union[bytes, Error]:
    """Receive a message from a socket, waiting until one arrives: ``recv(2)``
    with ``MSG_DONTWAIT``, then readiness.

    :param fd: socket descriptor (blocking or not)
    :param count: maximum number of bytes to receive
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: as ``posixsock.recv``: the bytes (``b""`` at end of stream), or
        ``Error(None, strerror, errnum)``; EBADF if ``aio.close`` closed
        ``fd`` while this waited
    """
    f = (flags if type(flags) is int else _flags("recv", fd, 3, flags)) | _DONTWAIT
    while True:
        result = _recv(fd, count, f)
        if type(result) is not Error or result.errnum not in _AGAIN:  # _again(), inline
            return result
        if await wait(fd, False):
            return fail(None, EBADF)


async def recvfrom(fd: int, count: int, flags: int = 0, /
                   ) -> Union[Tuple[bytes, SockAddr], Error]:
    """Receive a message and its source address, waiting until one arrives:
    ``recvfrom(2)`` with ``MSG_DONTWAIT``, then readiness.

    :param fd: socket descriptor
    :param count: maximum number of bytes to receive
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: as ``posixsock.recvfrom``: ``(bytes, source SockAddr)``, or
        ``Error(None, strerror, errnum)``
    """
    f = (flags if type(flags) is int else _flags("recvfrom", fd, 3, flags)) | _DONTWAIT
    while True:
        result = _recvfrom(fd, count, f)
        if not _again(result):
            return result
        if await wait(fd, False):
            return fail(None, EBADF)


async def recvmsg(fd: int, count: int, ancillary_size: int = 0, flags: int = 0, /
                  ) -> Union[Received, Error]:
    """Receive a message and its ancillary data, waiting until one arrives:
    ``recvmsg(2)`` with ``MSG_DONTWAIT``, then readiness.

    :param fd: socket descriptor
    :param count: maximum number of bytes to receive
    :param ancillary_size: size of the ancillary buffer (``CMSG_SPACE``)
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: as ``posixsock.recvmsg``: ``(bytes, [Cmsg, ...], msg_flags,
        source SockAddr)``, or ``Error(None, "recvmsg: <strerror>", errnum)``
    """
    f = (flags if type(flags) is int else _flags("recvmsg", fd, 4, flags)) | _DONTWAIT
    while True:
        result = _msg.recvmsg(fd, count, ancillary_size, f)
        if not _again(result):
            return result
        if await wait(fd, False):
            return fail("recvmsg", EBADF)


async def recv_fds(fd: int, count: int, maxfds: int, /) -> Union[ReceivedFds, Error]:
    """Receive bytes and up to ``maxfds`` descriptors, waiting until they
    arrive: ``recvmsg(2)`` with ``MSG_DONTWAIT``, then readiness.

    :param fd: ``AF_UNIX`` socket descriptor
    :param count: maximum number of bytes to receive
    :param maxfds: maximum number of descriptors to receive
    :returns: as ``posixsock.recv_fds``: ``(bytes, [fd, ...], msg_flags,
        source SockAddr)`` -- the descriptors are the caller's to close --
        or ``Error(None, "recv_fds: <strerror>", errnum)``
    """
    while True:
        result = _msg.recv_fds_flagged(fd, count, maxfds, _DONTWAIT)
        if not _again(result):
            return result
        if await wait(fd, False):
            return fail("recv_fds", EBADF)


# --- sending -------------------------------------------------------------------------

async def send(fd: int, buffer: Buffer, flags: int = 0, /) -> Union[int, Error]:
    """Send a message on a socket, waiting for room: ``send(2)`` with
    ``MSG_DONTWAIT``, then readiness.

    :param fd: socket descriptor
    :param buffer: the bytes to send (any bytes-like object)
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: as ``posixsock.send``: the number of bytes sent (possibly
        fewer than given, as from C), or ``Error(None, "send: <strerror>",
        errnum)``; EPIPE, never SIGPIPE
    """
    f = (flags if type(flags) is int else _flags("send", fd, 3, flags)) | _DONTWAIT
    while True:
        result = _send(fd, buffer, f)
        if type(result) is not Error or result.errnum not in _AGAIN:
            return result
        if await wait(fd, True):
            return fail("send", EBADF)


async def sendall(fd: int, buffer: Buffer, flags: int = 0, /) -> Union[int, Error]:
    """Send the whole buffer, waiting for room as often as needed: ``send(2)``
    with ``MSG_DONTWAIT`` until every byte is sent.

    :param fd: socket descriptor
    :param buffer: the bytes to send (any bytes-like object; an empty one
        makes one ``send``)
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: ``len(buffer)`` in bytes, or the first failure's
        ``Error(None, "send: <strerror>", errnum)`` (what was sent before it
        is not reported; nor is it when the call is cancelled)
    """
    f = (flags if type(flags) is int else _flags("sendall", fd, 3, flags)) | _DONTWAIT
    sent = 0
    tried = False  # the first send made, and it met EAGAIN
    if type(buffer) is bytes:  # the common case: all of it at once, no view
        first = _send(fd, buffer, f)
        if isinstance(first, int):
            if first == len(buffer):
                return first
            sent = first
        elif first.errnum in _AGAIN:
            tried = True
        else:
            return first
    try:
        view = memoryview(buffer).cast("B")
    except TypeError:
        _args.bytes_like("sendall", 2, buffer)
        raise
    total = len(view)
    with view:
        while True:
            if tried:
                tried = False
            else:
                result = _send(fd, view[sent:] if sent else view, f)
                if isinstance(result, int):
                    sent += result
                    if sent >= total:
                        return total
                    continue
                if result.errnum not in _AGAIN:
                    return result
            if await wait(fd, True):
                return fail("send", EBADF)


async def sendto(fd: int, buffer: Buffer, destination: SockAddrArg, flags: int = 0, /
                 ) -> Union[int, Error]:
    """Send a message to an address, waiting for room: ``sendto(2)`` with
    ``MSG_DONTWAIT``, then readiness.

    :param fd: socket descriptor
    :param buffer: the bytes to send
    :param destination: ``SockAddr`` to send to (numeric address)
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :returns: as ``posixsock.sendto``: the number of bytes sent, or
        ``Error(None, "sendto: <strerror>", errnum)``
    """
    f = (flags if type(flags) is int else _flags("sendto", fd, 4, flags)) | _DONTWAIT
    while True:
        result = _sendto(fd, buffer, destination, f)
        if type(result) is int or not _again(result):
            return result
        if await wait(fd, True):
            return fail("sendto", EBADF)


async def sendmsg(fd: int, buffers: Iterable[Buffer], ancillary: Iterable[Cmsg] = (),
                  flags: int = 0, destination: Optional[SockAddrArg] = None, /
                  ) -> Union[int, Error]:
    """Send a message from several buffers, with ancillary data, waiting for
    room: ``sendmsg(2)`` with ``MSG_DONTWAIT``, then readiness.

    :param fd: socket descriptor
    :param buffers: the bytes to send, gathered in order
    :param ancillary: ``Cmsg`` items
    :param flags: ``MSG_*`` flags, or-ed (default 0)
    :param destination: ``SockAddr`` to send to, or None
    :returns: as ``posixsock.sendmsg``: the number of bytes sent, or
        ``Error(None, "sendmsg: <strerror>", errnum)``
    """
    f = (flags if type(flags) is int else _flags("sendmsg", fd, 4, flags)) | _DONTWAIT
    data = _retryable(buffers)
    items = _retryable(ancillary)
    while True:
        result = _msg.sendmsg(fd, data, items, f, destination)
        if type(result) is int or not _again(result):
            return result
        if await wait(fd, True):
            return fail("sendmsg", EBADF)


async def send_fds(fd: int, buffer: Buffer, fds: Iterable[int], /) -> Union[int, Error]:
    """Send bytes and descriptors over an ``AF_UNIX`` socket, waiting for
    room: ``sendmsg(2)`` with one ``SCM_RIGHTS`` item and ``MSG_DONTWAIT``,
    then readiness.

    :param fd: ``AF_UNIX`` socket descriptor
    :param buffer: the bytes to send (at least one byte on a stream socket)
    :param fds: the descriptors to pass (they stay the caller's)
    :returns: as ``posixsock.send_fds``: the number of bytes sent, or
        ``Error(None, "send_fds: <strerror>", errnum)``
    """
    numbers = _retryable(fds)
    while True:
        result = _msg.send_fds_flagged(fd, buffer, numbers, _DONTWAIT)
        if type(result) is int or not _again(result):
            return result
        if await wait(fd, True):
            return fail("send_fds", EBADF)


# --- accept and connect ----------------------------------------------------------------

Accepted = Tuple[int, SockAddrBound]

# Connections a cancelled accept's thread took, per listening socket -- by
# (st_dev, st_ino), not by number, which may be closed and reused -- for
# the next aio.accept of that socket.
_kept: Dict[Tuple[int, int], List[Accepted]] = {}
_kept_lock = threading.Lock()


def _keeper(identity: Tuple[int, int]) -> Callable[[Union[Accepted, Error]], None]:
    def keep(result: Union[Accepted, Error]) -> None:
        if not isinstance(result, Error):
            with _kept_lock:
                _kept.setdefault(identity, []).append(result)
    return keep


def _close_quietly(dup: int) -> None:
    try:
        os.close(dup)
    except OSError:  # pragma: no cover - Linux's close(2) always closes
        pass


def _forget_kept() -> None:
    """In a forked child: the kept connections are the parent's to hand out
    (the child's copies of them are closed, or both would return one), and
    the lock is new (a thread of the parent may have held it at the fork)."""
    global _kept_lock
    _kept_lock = threading.Lock()
    for connections in _kept.values():
        for connection, _ in connections:
            _close_quietly(connection)
    _kept.clear()


os.register_at_fork(after_in_child=_forget_kept)


def _on_duplicate(name: str, fd: int, call: Callable[[int], _R]) -> Union[_R, Error]:
    """``call`` (a sync call that may block) on a duplicate of ``fd``, on
    the thread: never on the caller's number, which may be closed and reused
    meanwhile.  The duplicate is closed after it; failing to make one is the
    ``name`` triple."""
    try:
        dup = duplicate(fd)
    except OSError as exc:  # (a thread: no signal handler runs here)
        return fail(name, exc.errno or EBADF)
    try:
        return call(dup)
    finally:
        _close_quietly(dup)


async def accept(fd: int, flags: int = 0, /) -> Union[Tuple[int, SockAddrBound], Error]:
    """Accept a connection on a socket, waiting until one arrives:
    ``accept(2)``.

    :param fd: listening socket descriptor.  Non-blocking: accepted in the
        loop, waiting for readiness on EAGAIN.  Blocking (its O_NONBLOCK
        flag is read, never changed): readiness is waited for in the loop,
        then the connection is accepted on a thread, on a duplicate of
        ``fd`` (should something outside this process's aio take the
        connection first, that thread waits for the next one, and its
        duplicate keeps the socket open until then).
    :param flags: as ``posixsock.accept``: 0, or ``SOCK_NONBLOCK`` and
        ``SOCK_CLOEXEC`` or-ed (accept4's flags)
    :returns: as ``posixsock.accept``: ``(connection fd, peer
        SockAddrBound)`` -- the new descriptor is close-on-exec, and
        blocking unless ``flags`` has ``SOCK_NONBLOCK`` -- or
        ``Error(None, "accept: <strerror>", errnum)``
    """
    if type(fd) is not int:
        fd = _args.integer("accept", 1, fd)
    if type(flags) is not int:
        flags = _args.cint("accept", 2, flags)
    try:
        blocking = os.get_blocking(fd)
    except OSError as exc:
        return fail("accept", exc.errno or EBADF)
    if not blocking:
        while True:
            result = _calls.accept(fd, flags)
            if not _again(result):
                return result
            if await wait(fd, False):
                return fail("accept", EBADF)
    try:
        st = os.fstat(fd)
    except OSError as exc:  # pragma: no cover - get_blocking just worked
        return fail("accept", exc.errno or EBADF)
    identity = (st.st_dev, st.st_ino)
    while True:
        with _kept_lock:
            kept = _kept.get(identity)
            if kept:
                first = kept.pop(0)
                if not kept:
                    del _kept[identity]
                return first
        if await wait(fd, False):
            return fail("accept", EBADF)
        result = await offload(lambda: _on_duplicate("accept", fd, lambda dup: _calls.accept(dup, flags)),
                               _keeper(identity))
        if not _again(result):
            return result


async def connect(fd: int, addr: SockAddrArg, /) -> Union[int, Error]:
    """Initiate a connection on a socket and wait until it is made:
    ``connect(2)``.

    :param fd: socket descriptor.  Non-blocking: EINPROGRESS waits until
        ``fd`` is writable, then ``SO_ERROR`` says how it went.  Blocking
        (the flag is read, never changed): the connect runs on a thread, on
        a duplicate of ``fd``; cancelled, it goes on there.
    :param addr: ``SockAddr`` to connect to (numeric address)
    :returns: ``0`` once connected, or ``Error(None, "connect: <strerror>",
        errnum)`` -- the triple the C call (or ``SO_ERROR``) gives
    """
    if type(fd) is not int:
        fd = _args.integer("connect", 1, fd)
    try:
        blocking = os.get_blocking(fd)
    except OSError as exc:
        return fail("connect", exc.errno or EBADF)
    if blocking:
        checked = _calls._addressed("connect", fd, addr, 2)  # programming errors raise here
        if type(checked) is Error:
            return checked
        return await offload(lambda: _on_duplicate("connect", fd, lambda dup: _calls.connect(dup, addr)))
    result = _calls.connect(fd, addr)
    if type(result) is not Error or result.errnum != EINPROGRESS:
        return result
    if await wait(fd, True):
        return fail("connect", EBADF)
    error = _calls.getsockopt(fd, _SOL_SOCKET, _SO_ERROR)
    if type(error) is Error:
        return fail("connect", error.errnum)
    return fail("connect", error) if error else 0  # type: ignore[arg-type]


# --- close ---------------------------------------------------------------------------

async def close(fd: int, /) -> Union[int, Error]:
    """Close a descriptor, first waking every task of this loop (trio run)
    waiting on it in ``posixsock.aio``: they return the EBADF triple.
    ``close(2)``.

    :param fd: descriptor to close
    :returns: ``0``, or ``Error(None, "close: <strerror>", errnum)``
    """
    if type(fd) is not int:
        fd = _args.integer("close", 1, fd)
    if not _args.INT_MIN <= fd <= _args.INT_MAX or fd < 0:
        return fail("close", EBADF)
    close_waiters(fd)
    try:
        os.close(fd)
    except OSError as exc:  # a signal handler's own OSError propagates
        return from_oserror("close", exc, EBADF)
    return 0
