"""Receiving with a large ``count``: memory follows the data, not ``count``.

C's ``recv(fd, buf, count, flags)`` writes into a buffer the caller made;
the stdlib's ``recv(count)`` allocates ``count`` bytes first, so ``recv(fd,
2**40)`` would fail or commit gigabytes.  Counts above ``DIRECT`` instead
make the one system call C makes, with its ``count`` (capped at what Linux
returns from any read), into an anonymous private mapping that is only
address space until the kernel writes it: what becomes resident is what
arrived.  So a datagram that fits arrives whole whoever else reads the
socket, and MSG_WAITALL waits for all of it, exactly as in C.  Mappings are
pooled (at most ``_POOL``, each with at most ``_KEEP`` resident bytes).

Where the system refuses the mapping (RLIMIT_AS, strict overcommit),
``available`` peeks at what is queued first; there another reader can take
the datagram between the peek and the receive.

Used by ``recv``/``recvfrom`` (``_calls``) and ``recvmsg``/``recv_fds``
(``_msg``).
"""
from __future__ import annotations

import _socket
import fcntl
import mmap
import struct
import sys
import termios
from typing import Any, Callable, List, Optional, Tuple, TypeVar

from ._errors import propagate, raised_by_handler
from ._fd import _Borrowed

__all__ = ["DIRECT", "MAX_RW", "available", "big_buffer", "receive_big"]

_SOL_SOCKET: int = _socket.SOL_SOCKET
_SOCK_STREAM: int = _socket.SOCK_STREAM
_MSG_PEEK: int = _socket.MSG_PEEK
_MSG_TRUNC: int = getattr(_socket, "MSG_TRUNC", 0)
_INT = struct.Struct("@i")
# What a receive returns: a tuple whose first item is the byte count.
_Got = TypeVar("_Got", bound=Tuple[Any, ...])

# Receives hand counts up to this straight to the stdlib, which allocates
# ``count`` bytes and shrinks them to what arrived.  Larger counts receive
# into a big anonymous mapping (see big_buffer), so memory follows the data,
# not ``count``.
DIRECT = 256 * 1024
# Linux caps every read at MAX_RW_COUNT (INT_MAX rounded down to a page),
# whatever the count, MSG_WAITALL included: no receive returns more, so no
# buffer needs more.
MAX_RW = (2**31 - 1) & ~(mmap.PAGESIZE - 1)
# MAP_NORESERVE: no swap reserved for the address space (Linux; macOS and
# FreeBSD ignore or lack it, and their kernels commit pages lazily anyway).
_MAP_FLAGS: int = mmap.MAP_PRIVATE | getattr(mmap, "MAP_NORESERVE", 0)
# Only Linux's MADV_DONTNEED frees a private anonymous page so that it reads
# as zeros again.  On macOS and the BSDs it is a hint that may leave the old
# bytes in place: a pooled buffer relying on it could hand one receive's
# data (another connection's) to the next.  There a buffer that held more
# than _KEEP bytes is unmapped instead of pooled, and scrub writes zeros.
_MADV_DONTNEED: Optional[int] = (getattr(mmap, "MADV_DONTNEED", None)
                                 if sys.platform == "linux" else None)
# Big buffers kept for the next large receive (mapping one costs far more
# than the receive), each with at most _KEEP resident bytes.
_pool: List[mmap.mmap] = []
_POOL = 4
_KEEP = 64 * 1024


def available(sock: _Borrowed, count: int, flags: int) -> int:
    """How many bytes a receive of ``count`` (> DIRECT) can return, for
    a system that refuses big_buffer's mapping (RLIMIT_AS, strict
    overcommit).  Another reader can take the datagram between this peek
    and the receive; only big_buffer avoids that.

    Waits, like the receive itself, for something to arrive, and peeks so
    that nothing is consumed.  A stream: a 1-byte peek (nothing: end of
    stream), then FIONREAD.  A datagram: its length from MSG_PEEK|MSG_TRUNC
    into a small buffer; where the kernel does not report the full length
    (a peek that exactly fills the buffer), peek again into a larger one.
    Memory stays within a small multiple of the data.  Raises ``OSError``
    as the receive would.
    """
    if sock.getsockopt(_SOL_SOCKET, _socket.SO_TYPE) == _SOCK_STREAM:
        if not sock.recv(1, flags | _MSG_PEEK):
            return 0
        queued: int = _INT.unpack(fcntl.ioctl(sock.fileno(), termios.FIONREAD, bytes(4)))[0]
        return min(count, max(queued, 1))
    size = 1
    while True:
        seen: int = sock.recv_into(bytearray(size), size, flags | _MSG_PEEK | _MSG_TRUNC)
        if seen != size or size >= count:
            return min(count, seen)
        size = min(count, max(65536, size * 4))


def big_buffer() -> Optional[mmap.mmap]:
    """A buffer of MAX_RW bytes for a receive with a large count (None:
    the system refused the mapping).

    An anonymous private mapping is only address space until written: the
    kernel commits a page when the receive first writes it, so what is
    resident follows what arrived, for any count, while the receive itself
    is the one system call C makes with its ``count`` -- a datagram that
    fits arrives whole whoever else reads the socket, and MSG_WAITALL
    waits for all of it.
    """
    try:
        return _pool.pop()
    except IndexError as exc:  # none pooled
        propagate(exc)
    try:
        return mmap.mmap(-1, MAX_RW, flags=_MAP_FLAGS)
    except (OSError, ValueError, OverflowError) as exc:  # address space limits
        propagate(exc)
        return None


def release(buffer: mmap.mmap, used: int) -> None:
    """Give ``buffer`` back after a receive wrote its first ``used`` bytes:
    pages beyond _KEEP go back to the system (MADV_DONTNEED), so nothing
    stays resident for data already returned."""
    if used > _KEEP:
        if _MADV_DONTNEED is None:
            buffer.close()
            return
        buffer.madvise(_MADV_DONTNEED, 0, used)
    if len(_pool) < _POOL:
        _pool.append(buffer)
        if len(_pool) > _POOL:  # other threads appended between test and append
            _trim()
    else:
        buffer.close()


def _trim() -> None:
    """Unmap pooled buffers beyond _POOL (slow path of release)."""
    while len(_pool) > _POOL:
        try:
            _pool.pop().close()
        except IndexError as exc:  # taken meanwhile by a receive
            propagate(exc)
            return


def failed(buffer: mmap.mmap, exc: BaseException) -> None:
    """Dispose of ``buffer`` after its receive raised ``exc``.  A failed
    system call wrote nothing, so the buffer goes back to the pool (a
    non-blocking loop meeting EAGAIN maps nothing); after anything else --
    a signal handler's exception may follow a receive that succeeded --
    it is unmapped."""
    if isinstance(exc, OSError) and not raised_by_handler(exc):  # the C method's own
        release(buffer, 0)
    else:
        buffer.close()


def scrub(buffer: mmap.mmap, flags: int) -> None:
    """Before a receive with MSG_TRUNC into a pooled ``buffer``: zero what
    an earlier receive left in it (at most its first _KEEP bytes, see
    release).  On a TCP socket MSG_TRUNC discards the data and the kernel
    writes nothing, yet returns the count: the bytes returned must be
    zeros, as from a fresh buffer, never another receive's data."""
    if flags & _MSG_TRUNC:
        if _MADV_DONTNEED is not None:  # a private anonymous page reads as zeros again
            buffer.madvise(_MADV_DONTNEED, 0, _KEEP)
        else:  # macOS, the BSDs: see _MADV_DONTNEED
            buffer[:_KEEP] = bytes(_KEEP)


def receive_big(receive: Callable[[memoryview], _Got], count: int, flags: int
                ) -> Optional[Tuple[bytes, _Got]]:
    """One receive of up to ``count`` (> DIRECT) bytes into a pooled big
    buffer: ``receive`` is the stdlib call, given a view of the buffer's
    first ``min(count, MAX_RW)`` bytes; its result starts with the byte
    count.  Returns the bytes that arrived and ``receive``'s result, or
    None where the system refused the mapping (see ``available``)."""
    buffer = big_buffer()
    if buffer is None:
        return None
    n = min(count, MAX_RW)
    scrub(buffer, flags)
    view = memoryview(buffer)[:n]
    try:
        got = receive(view)
    except BaseException as exc:
        view.release()  # an exported buffer cannot be closed
        failed(buffer, exc)
        raise
    view.release()
    used = min(got[0], n)  # MSG_TRUNC: the kernel gives the datagram's length
    data = buffer[:used]
    release(buffer, used)
    return data, got
