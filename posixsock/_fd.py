"""Lending an integer descriptor to the stdlib socket machinery, safely.

The stdlib's socket methods are the only pure-stdlib way to make the socket
system calls, and they live on ``_socket.socket`` objects.  Building one
around a caller's descriptor is where the stdlib could harm it, so this is
the one module that does it, and it does it like this:

* ``_Borrowed`` overrides ``__del__`` with ``detach``.  CPython closes a
  socket object's descriptor in its finalizer (``sock_finalize``); a
  subclass's ``__del__`` replaces that finalizer, so a ``_Borrowed`` never
  closes anything -- not when dropped, not at interpreter exit, not when its
  constructor failed halfway -- and never emits a ``ResourceWarning``.
* The type is always given with ``SOCK_NONBLOCK``.  CPython's
  ``init_sockobject`` then sets the object's timeout to 0 *without* calling
  ``fcntl``; any other type would apply ``socket.setdefaulttimeout`` by
  setting ``O_NONBLOCK`` on the caller's descriptor.  A timeout of 0 makes
  every method one plain system call (``sock_call_ex`` skips ``poll``), which
  blocks or not as the descriptor's own ``O_NONBLOCK`` says, with the GIL
  released and EINTR retried after signal handlers run (PEP 475).
* The family of a borrowed object is *ours*, never the descriptor's.  For
  calls that take no address the object is ``AF_UNIX``: ``getsockaddrlen``
  then sizes the result buffer for ``sockaddr_un`` (110 bytes, the largest of
  the families posixsock decodes) and ``makesockaddr`` decodes whatever
  ``sa_family`` the kernel wrote.  For ``bind``/``connect``/``sendto`` the
  object's family is the *address's* family, exactly what C passes.  So a
  descriptor number that is closed and reused by a socket of another family
  cannot be misread: nothing cached depends on what the descriptor was.
* Objects are cached per descriptor number (and per family for address
  calls).  CPython validates a descriptor with a ``getsockname`` call each
  time an object is built; the cache makes that once per number.  A cached
  object holds no state the kernel does not: after the number is closed its
  calls fail with EBADF, after reuse they act on the new descriptor, both
  exactly as the C calls would.
* The cache forgets numbers that are closed (``sweep``), so what it keeps
  follows the descriptors open at once, not every number ever used.  A
  sweep asks each cached number whether it is open (one ``fcntl`` each) and
  runs only off the hot paths: when a table grows past twice what the last
  sweep kept, and after as many new descriptors (``socket``, ``socketpair``,
  ``accept``; at least 4096) -- so its cost per call stays constant on
  average.  A cache of 256 entries or fewer is left as it is.  Dropping an
  object never closes anything (``__del__`` is ``detach``).
"""
from __future__ import annotations

import _socket
import itertools
import os
from errno import EBADF
from typing import Dict, Optional, Set, Union

from . import _args
from ._errors import Error, fail, from_oserror, propagate

_AF_UNIX: int = _socket.AF_UNIX
# SOCK_NONBLOCK exists on Linux and FreeBSD.  Where it is missing (macOS),
# CPython's constructor applies socket.setdefaulttimeout() by setting
# O_NONBLOCK -- unless there is no default timeout: then it touches nothing
# and the object's timeout is None, under which every method is also one
# plain system call (sock_call_ex polls only for a timeout > 0).  So there
# the default is set aside while the object is built (see _build).
_SOCK_NONBLOCK: int = getattr(_socket, "SOCK_NONBLOCK", 0)
_LEND_TYPE: int = _socket.SOCK_STREAM | _SOCK_NONBLOCK
_FD_MAX = 2**31 - 1


class _Borrowed(_socket.socket):
    """A stdlib socket object that never closes its descriptor."""

    __slots__ = ()

    # Replaces CPython's closing finalizer; see the module docstring.
    __del__ = _socket.socket.detach


# family -> fd -> object of that family (calls that convert an address)
by_family: Dict[int, Dict[int, _Borrowed]] = {}
# fd -> AF_UNIX-family object, also for calls without an address argument
plain: Dict[int, _Borrowed] = by_family.setdefault(_AF_UNIX, {})


def lend(fd: int, family: int, call: Optional[str]) -> Union[_Borrowed, Error]:
    """Return a cached object for ``fd`` in ``family``, building it if needed.

    ``fd`` must already be an ``int``.  A number that cannot name a
    descriptor (negative, beyond C ``int``) gives EBADF, as the kernel does
    for a closed one; a descriptor that is not a socket gives ENOTSOCK.
    """
    if not 0 <= fd <= _FD_MAX:
        return fail(call, EBADF)
    table = by_family.setdefault(family, {})
    sock = table.get(fd)
    if sock is None:
        try:
            sock = _Borrowed(family, _LEND_TYPE, 0, fd) if _SOCK_NONBLOCK else _build(family, fd)
        except OSError as exc:  # EBADF or ENOTSOCK from CPython's check
            return from_oserror(call, exc, EBADF)
        table[fd] = sock
        if len(table) > _limit:
            sweep()
    return sock


def _build(family: int, fd: int) -> _Borrowed:
    """Build a borrowed object without SOCK_NONBLOCK (macOS), leaving the
    descriptor's O_NONBLOCK alone whatever socket.setdefaulttimeout says.
    The default is process-wide: a socket another thread creates during
    these few microseconds gets no default timeout (a stdlib object, not a
    caller's descriptor, and only on such systems)."""
    default = _socket.getdefaulttimeout()
    if default is None:
        return _Borrowed(family, _LEND_TYPE, 0, fd)
    _socket.setdefaulttimeout(None)
    try:
        return _Borrowed(family, _LEND_TYPE, 0, fd)
    finally:
        _socket.setdefaulttimeout(default)


# Sweeps keep every table within _limit entries: twice the most one table
# kept at the last sweep, and at least _LEAST (a small cache is never swept).
_LEAST = 256
_limit = _LEAST
# New descriptors (socket, socketpair, accept) are counted: when the count
# passes due[0], _limit (and at least _EVERY) more than at the last sweep,
# the cache is swept, so numbers cached before a burst of descriptors was
# closed are forgotten once the program goes on making new ones.  The
# callers test, inline (no Python call on their path):
# ``if next(made) > due[0]: sweep()``.
_EVERY = 4096
made = itertools.count()
due = [_EVERY]
_sweeping = False


def sweep() -> None:
    """Drop the cached objects of every number that is closed now.

    Off the hot paths only (see the module docstring).  A number that is
    open is kept whatever it is now (its object acts on it as C would).
    Tables are emptied and refilled in place (their bound ``get`` methods
    are kept elsewhere), which also gives their memory back: a dict does
    not shrink on deletion.
    """
    global _limit, _sweeping
    if _sweeping:  # a signal handler's call during a sweep
        return
    _sweeping = True
    try:
        # (list(), set.update: copied in C, whole, while other threads wait)
        tables = list(by_family.values())
        if sum(map(len, tables)) <= _LEAST:  # small: not worth the system calls
            _limit = _LEAST
            due[0] = next(made) + _EVERY
            return
        numbers: Set[int] = set()
        for table in tables:
            numbers.update(table)
        closed: Set[int] = set()
        for fd in numbers:
            try:
                os.get_inheritable(fd)  # fcntl(F_GETFD): EBADF if closed
            except OSError as exc:
                propagate(exc)  # a signal handler's goes on to the caller
                closed.add(fd)
        most = 0
        for table in tables:
            if closed:
                kept = {fd: sock for fd, sock in list(table.items()) if fd not in closed}
                table.clear()
                table.update(kept)
            most = max(most, len(table))
        _limit = max(_LEAST, 2 * most)
        due[0] = next(made) + max(_EVERY, _limit)
    finally:
        _sweeping = False


_plain_get = plain.get


def borrow(call: str, prefix: Optional[str], fd: object) -> Union[_Borrowed, Error]:
    """The ``AF_UNIX`` object for argument 1 of ``call``, type-checked.

    ``prefix`` heads the error message (None: bare ``strerror``).
    """
    sock = _plain_get(fd) if type(fd) is int else None
    if sock is not None:
        return sock
    return lend(_args.integer(call, 1, fd), _AF_UNIX, prefix)
