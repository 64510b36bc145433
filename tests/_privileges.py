"""What this process may do, decided by trying it, not by its uid.

Root without CAP_NET_RAW (``setpriv --bounding-set=-net_raw,-net_admin``,
as many containers run) may not open packet sockets nor rebind
SO_BINDTODEVICE; a non-root user with the capability may.  Each function
returns None when the operation is permitted, else why not (a skip reason).
"""
from __future__ import annotations

import functools
import socket
import sys
from typing import Optional


@functools.lru_cache(maxsize=None)
def packet_denied() -> Optional[str]:
    """Why packet sockets cannot be opened here (None: they can)."""
    family = getattr(socket, "AF_PACKET", None)
    if family is None:
        return "no AF_PACKET on this platform"
    try:
        socket.socket(family, socket.SOCK_RAW, 0).close()
    except OSError as exc:
        return f"packet sockets need CAP_NET_RAW: {exc.strerror}"
    return None


@functools.lru_cache(maxsize=None)
def bindtodevice_denied() -> Optional[str]:
    """Why SO_BINDTODEVICE cannot bind and unbind a socket here."""
    option = getattr(socket, "SO_BINDTODEVICE", None)
    if option is None:
        return "no SO_BINDTODEVICE on this platform"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, b"lo")
            sock.setsockopt(socket.SOL_SOCKET, option, b"")
        except OSError as exc:
            return f"SO_BINDTODEVICE needs CAP_NET_RAW: {exc.strerror}"
    return None


@functools.lru_cache(maxsize=None)
def vsock_denied() -> Optional[str]:
    """Why AF_VSOCK sockets cannot be made here (None: they can).  The
    kernel decides (the vsock module); this Python need not know the
    family (posixsock makes the socket with the number)."""
    if sys.platform != "linux":
        return f"no AF_VSOCK on {sys.platform}"
    try:
        socket.socket(40, socket.SOCK_STREAM, 0).close()  # AF_VSOCK, <linux/socket.h>
    except OSError as exc:
        return f"the kernel has no AF_VSOCK here: {exc.strerror}"
    return None


def has(name: str) -> "pytest.MarkDecorator":
    """Skip, with the reason, where posixsock's constant ``name`` is None
    (the platform lacks it: the simulated macOS/FreeBSD runs)."""
    import pytest
    import posixsock
    return pytest.mark.skipif(getattr(posixsock, name) is None,
                              reason=f"no {name} on {sys.platform}")


def linux_only(what: str) -> "pytest.MarkDecorator":
    """Skip, with the reason, where ``what`` (a Linux-only family, option
    or behaviour) does not exist: the simulated macOS/FreeBSD runs."""
    import pytest
    return pytest.mark.skipif(sys.platform != "linux", reason=f"Linux only: {what}")


# macOS has no SOCK_NONBLOCK, so posixsock's borrowed stdlib objects there
# have timeout None rather than 0, and CPython waits for an interrupted
# connect itself (internal_connect), unbounded by SO_SNDTIMEO.
INTERRUPTED_CONNECT_WAITS = (
    "no SOCK_NONBLOCK (macOS): CPython itself waits for an interrupted connect, "
    "unbounded by SO_SNDTIMEO (README, Platforms)")


def cpython_waits_for_interrupted_connect() -> bool:
    return not hasattr(socket, "SOCK_NONBLOCK")
