"""The rest of a blocking ``connect`` that a signal interrupted (slow path).

After EINTR and a handler that returned, CPython's ``connect`` on a borrowed
object (timeout 0, see ``_fd``) raises ``InterruptedError`` instead of
waiting; ``_calls.connect`` then hands over to ``finish_connect``, which goes
on as C's connect would.
"""
from __future__ import annotations

import _socket
import os
import select
import struct
from errno import EAGAIN, EBADF, EINPROGRESS, EINTR, ENOTCONN
from time import monotonic as _monotonic
from typing import Union

from ._errors import Error, fail, from_oserror, propagate
from ._fd import _Borrowed
from ._sockaddr import Native

__all__ = ["finish_connect"]

_SOL_SOCKET: int = _socket.SOL_SOCKET
_TIMEVAL = struct.Struct("@ll")  # struct timeval: time_t, suseconds_t (long on Linux)


def _sndtimeo(sock: _Borrowed) -> float:
    """The descriptor's SO_SNDTIMEO in seconds (0: none)."""
    sec: int
    usec: int
    sec, usec = _TIMEVAL.unpack(sock.getsockopt(_SOL_SOCKET, _socket.SO_SNDTIMEO, _TIMEVAL.size))
    return sec + usec / 1e6


_POLL_SLICE = 86400.0  # seconds: one poll of finish_connect's wait


def finish_connect(sock: _Borrowed, address: Native) -> Union[int, Error]:
    """connect() was interrupted by a signal whose handler returned.

    A non-blocking descriptor gets EINTR, as from C.  On a blocking one the
    call goes on, as PEP 475 retries every call, and succeeds only if a
    connection exists (getpeername), never on a poll alone:

    * A connection the kernel keeps making (TCP) is waited for with poll,
      as CPython does, but at most SO_SNDTIMEO counted from the
      interruption (the kernel's own wait would have ended then): EINPROGRESS
      when it runs out, as Linux's timed-out connect; otherwise SO_ERROR's
      outcome.
    * A connect the interruption abandoned (AF_UNIX: the socket is left
      unconnected, and polls HUP at once) is made again, as SA_RESTART
      would; once SO_SNDTIMEO has run out it is not made again: EAGAIN, the
      errno AF_UNIX's own timed-out connect gives.

    A handler's exception propagates; a handler that closed the descriptor
    gives EBADF.  This is the slow path: a connect that is not interrupted
    never comes here.
    """
    try:
        fd = sock.fileno()
        if not os.get_blocking(fd):
            return fail("connect", EINTR)
        timeout = _sndtimeo(sock)
        deadline = _monotonic() + timeout if timeout else None
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        while True:
            if deadline is None:
                ready = poller.poll()  # EINTR: retried by Python (PEP 475)
            else:  # retried with the time that is left
                left = deadline - _monotonic()
                # poll takes at most INT_MAX ms (OverflowError beyond, about
                # 24.8 days); SO_SNDTIMEO can be far longer: wait in slices
                ready = poller.poll(max(0.0, min(left, _POLL_SLICE)) * 1000.0)
                if not ready and left > _POLL_SLICE:
                    continue
            if not ready:
                return fail("connect", EINPROGRESS)
            if ready[0][1] & select.POLLNVAL:  # a handler closed the descriptor
                return fail("connect", EBADF)
            err = sock.getsockopt(_SOL_SOCKET, _socket.SO_ERROR)
            if err:
                return fail("connect", err)
            try:
                sock.getpeername()
                return 0  # connected
            except OSError as exc:
                propagate(exc)
                if exc.errno != ENOTCONN:
                    raise
            # Nothing connected and nothing in progress: connect again.
            if deadline is not None and _monotonic() >= deadline:
                return fail("connect", EAGAIN)
            try:
                sock.connect(address)
                return 0
            except InterruptedError as exc:
                propagate(exc)  # returned: wait or restart again
    except OSError as exc:
        return from_oserror("connect", exc, EBADF)
