"""``check(result)``: a call's success value, or its error raised as the
stdlib would raise it.

Its overloads name the calls' result types, so it stands above the modules
that define them (``_sockaddr``, ``_sockopt``) and above ``_errors``, which
they import: the package's imports all point down, none back up.
"""
from __future__ import annotations

import _socket
from typing import NoReturn, TypeVar, Union, overload

from ._errors import Error
from ._sockaddr import SockAddr, SockAddrBound
from ._sockopt import Linger, OptValue, PeerCred, Timeval

__all__ = ["check"]

_T = TypeVar("_T")


@overload  # an Error alone always raises: code after ``check(err)`` is unreachable
def check(result: Error, /) -> NoReturn: ...
@overload
def check(result: Union[int, Error], /) -> int: ...  # type: ignore[overload-overlap]
@overload  # mypy would join the per-family TypedDicts into TypedDict({})
def check(result: Union[SockAddrBound, Error], /) -> SockAddrBound: ...  # type: ignore[overload-overlap]
@overload
def check(result: Union[SockAddr, Error], /) -> SockAddr: ...  # type: ignore[overload-overlap]
@overload
def check(result: Union[str, Error], /) -> str: ...  # type: ignore[overload-overlap]
@overload  # getsockopt of SO_RCVTIMEO, SO_LINGER, SO_PEERCRED: before OptValue's
def check(result: Union[Timeval, Error], /) -> Timeval: ...  # type: ignore[overload-overlap]
@overload
def check(result: Union[Linger, Error], /) -> Linger: ...  # type: ignore[overload-overlap]
@overload
def check(result: Union[PeerCred, Error], /) -> PeerCred: ...
@overload
def check(result: Union[OptValue, Error], /) -> OptValue: ...
@overload
def check(result: Union[_T, Error], /) -> _T: ...


def check(result: Union[_T, Error], /) -> _T:  # pyright: ignore[reportInconsistentOverload]
    """Return the success value of a posixsock call, or raise its error as
    the stdlib's socket calls would.

    :param result: what a posixsock call returned

    An ``Error`` triple becomes the exception Python programs already catch:

    * a resolver failure (``getaddrinfo``/``getnameinfo``: a negative
      ``EAI_*`` code, as glibc's are) raises ``socket.gaierror(code, text)``,
      what ``socket.getaddrinfo`` raises;
    * anything else raises ``OSError(errnum, message)``, which Python itself
      turns into the errno's subclass: ``ConnectionRefusedError``,
      ``BlockingIOError`` (EAGAIN, EINPROGRESS), ``TimeoutError``,
      ``BrokenPipeError``, ``FileNotFoundError``, ...

    Anything else is returned unchanged, so
    ``fd = check(socket(AF_INET, SOCK_STREAM, 0))`` is typed ``int``; of an
    ``Error`` alone (``check(last_error)`` after a loop, Lua's
    ``error(err)``) the type is ``NoReturn``.  (The
    overloads keep mypy from merging a union of results, such as
    ``getsockopt``'s, into ``object``.)
    """
    if type(result) is Error:
        if result.errnum < 0:  # errno values are positive, glibc's EAI codes negative
            raise _socket.gaierror(result.errnum, result.message)
        raise OSError(result.errnum, result.message)
    return result  # type: ignore[return-value]  # narrowed by the test above
