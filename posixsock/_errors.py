"""Failure as a value: the ``Error`` triple and the one place an ``OSError``
or resolver failure becomes a triple.

luaposix's ``pusherror`` pushes ``nil, "<call>: " .. strerror(errno), errno``
(or the bare ``strerror`` when the call passes no name); ``Error`` is that
triple as a NamedTuple, so ``value, message, errnum = result`` unpacks it the
way Lua code receives three values.
"""
from __future__ import annotations

import _socket
import os
from typing import Dict, NamedTuple, Optional, Tuple

# The bottom of the package: this module imports none of posixsock's own.
# ``check``, whose overloads name the result types, stands above them all
# (``_check``).

__all__ = ["Error"]


class Error(NamedTuple):
    """A failed call: ``(None, message, errnum)``, luaposix's three values.

    ``message`` is ``"<call>: <strerror>"`` (or ``strerror`` alone for
    ``socket``, ``recv`` and ``recvfrom``, as in luaposix); for
    ``getaddrinfo`` it is the resolver's ``gai_strerror`` text and ``errnum``
    the (negative) ``EAI_*`` code.
    """

    value: None
    message: str
    errnum: int


# Error triples are immutable, so one instance per (call, errno) serves every
# failure: a non-blocking loop that meets EAGAIN a million times allocates once.
_cache: Dict[Tuple[Optional[str], int], Error] = {}


def fail(call: Optional[str], errnum: int) -> Error:
    """The triple for ``errnum`` raised by ``call`` (None: no prefix)."""
    err = _cache.get((call, errnum))
    if err is None:
        text = os.strerror(errnum)
        err = Error(None, text if call is None else f"{call}: {text}", errnum)
        if len(_cache) < 4096:
            _cache[(call, errnum)] = err
    return err


def from_oserror(call: Optional[str], exc: OSError, default: int) -> Error:
    """Turn an ``OSError`` from the stdlib into the triple luaposix returns.

    A few stdlib checks raise ``OSError`` with no errno ("AF_UNIX path too
    long", "no interface with this name"); ``default`` is the errno the C
    call reports in that case.  An ``OSError`` that a signal handler raised
    while the call waited (say ``TimeoutError`` from an alarm) is not the
    call's failure: it is raised again, so it reaches the caller.
    """
    tb = exc.__traceback__
    if tb is not None and tb.tb_next is not None and raised_by_handler(exc):
        raise exc  # (one entry, the catching frame's: the C method raised it)
    errnum = exc.errno
    return fail(call, default if errnum is None else errnum)


def propagate(exc: BaseException) -> None:
    """Raise ``exc`` again if a signal handler (or any code not
    posixsock's) raised it; return if the stdlib call itself failed.

    Every ``except OSError`` around a stdlib call that does not go through
    ``from_oserror`` calls this first: CPython runs Python signal handlers
    inside a call that meets EINTR (``PyErr_CheckSignals``, also when it
    builds an ``OSError`` from a stale EINTR), and between any two
    bytecodes, so a handler's ``TimeoutError`` can surface in any such
    clause.
    """
    if raised_by_handler(exc):
        raise exc


def raised_by_handler(exc: BaseException) -> bool:
    # CPython raises a failed call's OSError from the C method, so every
    # frame of its traceback is posixsock's own.  Python code that ran while
    # the call waited -- a signal handler -- adds frames of its own module.
    # posixsock's frames are those of the package and its submodules, named
    # exactly ("posixsock_deadlines" is somebody else's module).  The first
    # entry is the frame that caught the exception, posixsock's own (every
    # caller is), so the test starts after it: an OSError the C method
    # raised in the catching frame itself -- the common case, EAGAIN
    # included -- has no other entry and costs one attribute.
    tb = exc.__traceback__
    if tb is not None:
        tb = tb.tb_next
    while tb is not None:
        name = tb.tb_frame.f_globals.get("__name__")
        if name != _PACKAGE and not (type(name) is str and name.startswith(_SUBMODULE)):
            return True
        tb = tb.tb_next
    return False


_PACKAGE = __name__.split(".")[0]
_SUBMODULE = _PACKAGE + "."


def resolver_error(code: int, text: str) -> Error:
    """A resolver failure: ``gai_strerror`` text and the EAI code."""
    return Error(None, text, code)


_EAI_SYSTEM: int = getattr(_socket, "EAI_SYSTEM", -11)


def from_resolver(exc: OSError) -> Error:
    """The triple for an ``OSError`` from the stdlib's ``getaddrinfo`` or
    ``getnameinfo``: a ``gaierror``'s code and text, or EAI_SYSTEM for the
    errno ``OSError`` CPython raises in its place.  A signal handler's
    exception, raised while the resolver waited, propagates (see
    ``propagate``)."""
    propagate(exc)
    if isinstance(exc, _socket.gaierror):
        return resolver_error(exc.args[0], exc.args[1])
    return resolver_error(_EAI_SYSTEM, "System error")


# For failures posixsock reports without asking the resolver (text that is
# no C string, a family getnameinfo cannot take): a local getaddrinfo call
# that fails with that code, so the text is the C library's own (the stdlib
# has no gai_strerror).  (host, service, family) per code.
_PROBES: Dict[int, Tuple[bytes, Optional[bytes], int]] = {
    _socket.EAI_NONAME: (b"not numeric", None, 0),
    _socket.EAI_SERVICE: (b"127.0.0.1", b"no such service", 0),
    _socket.EAI_FAMILY: (b"127.0.0.1", None, -1),
}
_resolver_cache: Dict[int, Error] = {}


def resolver_failure(code: int) -> Error:
    """The triple the resolver gives for ``code`` (EAI_NONAME, EAI_SERVICE or
    EAI_FAMILY), learnt once from a numeric-only local call."""
    err = _resolver_cache.get(code)
    if err is None:
        host, service, family = _PROBES[code]
        try:
            _socket.getaddrinfo(host, service, family, _socket.SOCK_STREAM, 0,
                                _socket.AI_NUMERICHOST)
            err = resolver_error(code, "Unknown error")  # pragma: no cover
        except _socket.gaierror as exc:
            propagate(exc)  # a handler's exception is not the code's text
            err = resolver_error(exc.args[0], str(exc.args[1]))
        _resolver_cache[code] = err
    return err
