"""The Error triple, check(), descriptors of any int value, argument errors
(TypeError/ValueError naming function, argument and field), constants."""
from __future__ import annotations

import os
import re
import socket as stdlib_socket
import sys
from typing import Callable, List, Optional, Tuple

import pytest

import posixsock as ps
from _privileges import linux_only
from conftest import Fds, loopback

INET: ps.SockAddr = {"family": ps.AF_INET, "port": 9, "addr": "127.0.0.1"}

# Every call that takes a descriptor, with arguments that are fine otherwise,
# and the prefix its messages carry (None: strerror alone, as in luaposix).
FD_CALLS: List[Tuple[str, Callable[[int], object], object]] = [
    ("accept", lambda fd: ps.accept(fd), "accept"),
    ("bind", lambda fd: ps.bind(fd, INET), "bind"),
    ("connect", lambda fd: ps.connect(fd, INET), "connect"),
    ("getpeername", lambda fd: ps.getpeername(fd), "getpeername"),
    ("getsockname", lambda fd: ps.getsockname(fd), "getsockname"),
    ("getsockopt", lambda fd: ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE), "getsockopt"),
    ("getsockopt-timeval", lambda fd: ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO), "getsockopt"),
    ("listen", lambda fd: ps.listen(fd, 1), "listen"),
    ("recv", lambda fd: ps.recv(fd, 1), None),
    ("recv-huge", lambda fd: ps.recv(fd, 2**40), None),
    ("recvfrom", lambda fd: ps.recvfrom(fd, 1), None),
    ("send", lambda fd: ps.send(fd, b"x"), "send"),
    ("sendto", lambda fd: ps.sendto(fd, b"x", INET), "sendto"),
    ("setsockopt", lambda fd: ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1), "setsockopt"),
    ("setsockopt-linger", lambda fd: ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER, 0, 0), "setsockopt"),
    ("shutdown", lambda fd: ps.shutdown(fd, ps.SHUT_RDWR), "shutdown"),
]
FD_IDS = [name for name, _, _ in FD_CALLS]


def triple(prefix: object, errnum: int) -> Tuple[None, str, int]:
    text = os.strerror(errnum)
    return None, text if prefix is None else f"{prefix}: {text}", errnum


# --- Error and check -----------------------------------------------------------

def test_error_is_a_named_triple() -> None:
    err = ps.recv(-1, 1)
    assert type(err) is ps.Error and isinstance(err, tuple)
    assert err == (None, "Bad file descriptor", 9)
    value, message, errnum = err
    assert value is None and message == err.message and errnum == err.errnum == 9
    assert err.value is None
    assert ps.Error._fields == ("value", "message", "errnum")


def test_check_raises_oserror() -> None:
    with pytest.raises(OSError) as info:
        ps.check(ps.connect(-1, INET))
    assert info.value.errno == 9
    assert info.value.strerror == "connect: Bad file descriptor"
    assert info.value.args == (9, "connect: Bad file descriptor")


def test_check_passes_success_through() -> None:
    assert ps.check(0) == 0
    entry = (3, {"family": ps.AF_UNIX, "path": ""})
    assert ps.check(entry) is entry
    assert ps.check(b"") == b""
    assert ps.check(None) is None


def test_check_resolver_error() -> None:
    with pytest.raises(OSError) as info:
        ps.check(ps.getaddrinfo("not numeric", None, {"flags": ps.AI_NUMERICHOST}))
    assert info.value.errno == stdlib_socket.EAI_NONAME
    assert info.value.strerror == "Name or service not known"


# --- check() raises what Python programs catch (issue 10) ----------------------

def stdlib_gaierror(host: str, service: Optional[str], flags: int) -> stdlib_socket.gaierror:
    """What the stdlib raises for the same resolver call."""
    with pytest.raises(stdlib_socket.gaierror) as info:
        stdlib_socket.getaddrinfo(host, service, 0, stdlib_socket.SOCK_STREAM, 0, flags)
    return info.value


@pytest.mark.parametrize("host, service, flags, code", [
    ("not numeric", None, ps.AI_NUMERICHOST, ps.EAI_NONAME),
    ("127.0.0.1", "no such service", 0, ps.EAI_SERVICE),
    ("127.0.0.1", "http", ps.AI_NUMERICSERV, ps.EAI_NONAME),
], ids=["noname", "service", "numericserv"])
def test_check_raises_gaierror_for_resolver_failures(host: str, service: Optional[str], flags: int,
                                                      code: int) -> None:
    r = ps.getaddrinfo(host, service, {"flags": flags, "socktype": ps.SOCK_STREAM})
    assert isinstance(r, ps.Error) and r.errnum == code
    with pytest.raises(stdlib_socket.gaierror) as info:
        ps.check(r)
    assert type(info.value) is stdlib_socket.gaierror
    assert info.value.args == (code, r.message) == stdlib_gaierror(host, service, flags).args
    assert info.value.errno == code and info.value.strerror == r.message


def test_check_raises_gaierror_for_getnameinfo() -> None:
    r = ps.getnameinfo({"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1"}, 0xFFFF)
    assert r == (None, "Bad value for ai_flags", ps.EAI_BADFLAGS)
    with pytest.raises(stdlib_socket.gaierror) as info:
        ps.check(r)
    assert info.value.args == (r.errnum, r.message)


def test_eai_constants_compare_with_errnum() -> None:
    r = ps.getaddrinfo("not numeric", None, {"flags": ps.AI_NUMERICHOST})
    assert isinstance(r, ps.Error) and r.errnum == ps.EAI_NONAME
    for name in ("EAI_ADDRFAMILY", "EAI_AGAIN", "EAI_BADFLAGS", "EAI_FAIL", "EAI_FAMILY",
                 "EAI_MEMORY", "EAI_NODATA", "EAI_NONAME", "EAI_OVERFLOW", "EAI_SERVICE",
                 "EAI_SOCKTYPE", "EAI_SYSTEM"):
        value = getattr(ps, name)
        assert type(value) is int and value == getattr(stdlib_socket, name), name
        assert value < 0, name  # glibc's codes; check() relies on the sign
        assert name in ps.__all__ and name in ps.EXTRA_CONSTANTS


# PEP 3151's errno -> subclass table, as OSError(errno, text) applies it.
ERRNO_CLASSES = [
    ("EAGAIN", BlockingIOError), ("EWOULDBLOCK", BlockingIOError),
    ("EALREADY", BlockingIOError), ("EINPROGRESS", BlockingIOError),
    ("ECHILD", ChildProcessError), ("EPIPE", BrokenPipeError), ("ESHUTDOWN", BrokenPipeError),
    ("ECONNABORTED", ConnectionAbortedError), ("ECONNREFUSED", ConnectionRefusedError),
    ("ECONNRESET", ConnectionResetError), ("EEXIST", FileExistsError),
    ("ENOENT", FileNotFoundError), ("EINTR", InterruptedError), ("EISDIR", IsADirectoryError),
    ("ENOTDIR", NotADirectoryError), ("EACCES", PermissionError), ("EPERM", PermissionError),
    ("ESRCH", ProcessLookupError), ("ETIMEDOUT", TimeoutError),
    ("EADDRINUSE", OSError), ("EBADF", OSError), ("ENOTSOCK", OSError), ("EINVAL", OSError),
]


@pytest.mark.parametrize("name, cls", ERRNO_CLASSES, ids=[n for n, _ in ERRNO_CLASSES])
def test_check_raises_the_errno_subclass(name: str, cls: type) -> None:
    import errno
    number = getattr(errno, name)
    err = ps.Error(None, f"connect: {os.strerror(number)}", number)
    with pytest.raises(OSError) as info:
        ps.check(err)
    assert type(info.value) is cls
    assert info.value.args == (number, err.message)
    assert info.value.errno == number and info.value.strerror == err.message


def test_check_subclasses_from_real_failures(fds: Fds, tmp_path: object) -> None:
    import errno
    # ECONNREFUSED: a bound port nobody listens on
    idle, where = fds.bound(ps.SOCK_STREAM, loopback(ps.AF_INET))
    client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError) as refused:
        ps.check(ps.connect(client, where))
    assert refused.value.args == (errno.ECONNREFUSED, "connect: Connection refused")
    # EAGAIN: nothing to read, MSG_DONTWAIT
    one, two = fds.pair()
    with pytest.raises(BlockingIOError) as again:
        ps.check(ps.recv(one, 1, ps.MSG_DONTWAIT))
    assert again.value.errno == errno.EAGAIN
    # EPIPE: the peer is gone
    os.close(two)
    with pytest.raises(BrokenPipeError):
        ps.check(ps.send(one, b"x"))
    # ENOENT: an AF_UNIX path that does not exist
    unix = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
    with pytest.raises(FileNotFoundError):
        ps.check(ps.connect(unix, {"family": ps.AF_UNIX, "path": "/nonexistent/posixsock"}))


# --- any int is a descriptor: errors, never exceptions --------------------------

@pytest.mark.parametrize("fd", [-1, -(2**31), -(2**70), 2**31 - 1, 2**31, 2**70])
@pytest.mark.parametrize("name, call, prefix", FD_CALLS, ids=FD_IDS)
def test_impossible_fd_is_ebadf(fd: int, name: str, call: Callable[[int], object], prefix: object) -> None:
    assert call(fd) == triple(prefix, 9)


@pytest.mark.parametrize("name, call, prefix", FD_CALLS, ids=FD_IDS)
def test_closed_fd_is_ebadf(closed_fd: int, name: str, call: Callable[[int], object], prefix: object) -> None:
    assert call(closed_fd) == triple(prefix, 9)


@pytest.mark.parametrize("name, call, prefix", FD_CALLS, ids=FD_IDS)
def test_regular_file_is_enotsock(file_fd: int, name: str, call: Callable[[int], object], prefix: object) -> None:
    assert call(file_fd) == triple(prefix, 88)


def test_fd_reused_by_another_family(fds: Fds) -> None:
    # A number used with one family, closed, and reused by a socket of
    # another family: calls act on the new socket.
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    ps.check(ps.bind(fd, loopback(ps.AF_INET)))
    assert ps.check(ps.getsockname(fd))["family"] == ps.AF_INET
    os.close(fd)
    assert ps.getsockname(fd) == (None, "getsockname: Bad file descriptor", 9)
    again = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    assert again == fd  # the lowest free number
    assert ps.bind(again, loopback(ps.AF_INET)) == (None, "bind: Invalid argument", 22)
    assert ps.bind(again, loopback(ps.AF_INET6)) == 0
    name = ps.check(ps.getsockname(again))
    assert name["family"] == ps.AF_INET6 and name["addr"] == "::1"


def test_lending_never_closes(fds: Fds) -> None:
    import gc
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    for _ in range(3):
        ps.check(ps.getsockname(fd))
        ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE))
        gc.collect()
    os.fstat(fd)  # still open
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE) == ps.SOCK_STREAM


# --- programming errors raise, whatever the descriptor ---------------------------

ARG_ERRORS: List[Tuple[Callable[[int], object], type, str]] = [
    (lambda fd: ps.recv(fd, -1), ValueError, r"bad argument #2 to 'recv' \(count must not be negative, got -1\)"),
    (lambda fd: ps.recvfrom(fd, -1), ValueError, r"bad argument #2 to 'recvfrom' \(count must not be negative, got -1\)"),
    (lambda fd: ps.recv(fd, "1"), TypeError, r"bad argument #2 to 'recv' \(int expected, got str\)"),
    (lambda fd: ps.recv(fd, 1, None), TypeError, r"bad argument #3 to 'recv' \(int expected, got None\)"),
    (lambda fd: ps.send(fd, "text"), TypeError, r"bad argument #2 to 'send' \(bytes expected, got str\)"),
    (lambda fd: ps.send(fd, b"x", "0"), TypeError, r"bad argument #3 to 'send' \(int expected, got str\)"),
    (lambda fd: ps.send(fd, b"x", 2**40), ValueError, r"bad argument #3 to 'send' \(int out of C int range, got 1099511627776\)"),
    (lambda fd: ps.sendto(fd, "text", INET), TypeError, r"bad argument #2 to 'sendto' \(bytes expected, got str\)"),
    (lambda fd: ps.sendto(fd, b"x", INET, "0"), TypeError, r"bad argument #4 to 'sendto' \(int expected, got str\)"),
    (lambda fd: ps.sendto(fd, b"x", "127.0.0.1"), TypeError, r"bad argument #3 to 'sendto' \(dict expected, got str\)"),
    (lambda fd: ps.listen(fd, "1"), TypeError, r"bad argument #2 to 'listen' \(int expected, got str\)"),
    (lambda fd: ps.listen(fd, 2**31), ValueError, r"bad argument #2 to 'listen' \(int out of C int range, got 2147483648\)"),
    (lambda fd: ps.shutdown(fd, None), TypeError, r"bad argument #2 to 'shutdown' \(int expected, got None\)"),
    (lambda fd: ps.bind(fd, ("127.0.0.1", 9)), TypeError, r"bad argument #2 to 'bind' \(dict expected, got tuple\)"),
    (lambda fd: ps.bind(fd, {}), TypeError, r"bad argument #2 to 'bind' \(int expected for field 'family', got no value\)"),
    (lambda fd: ps.bind(fd, {"family": -1}), ValueError, r"bad argument #2 to 'bind' \(unsupported family type -1\)"),
    (lambda fd: ps.bind(fd, {"family": "2"}), TypeError, r"bad argument #2 to 'bind' \(int expected for field 'family', got str\)"),
    (lambda fd: ps.connect(fd, {"family": ps.AF_INET, "port": "9", "addr": "127.0.0.1"}), TypeError,
     r"bad argument #2 to 'connect' \(int expected for field 'port', got str\)"),
    (lambda fd: ps.connect(fd, {"family": ps.AF_INET, "port": 9}), TypeError,
     r"bad argument #2 to 'connect' \(str expected for field 'addr', got no value\)"),
    (lambda fd: ps.connect(fd, {"family": ps.AF_INET, "port": 9, "addr": "127.0.0.1", "path": "/x"}), ValueError,
     r"bad argument #2 to 'connect' \(invalid field name 'path'\)"),
    (lambda fd: ps.connect(fd, {"family": ps.AF_INET6, "port": 9, "addr": "::1", "scope_id": "lo"}), TypeError,
     r"bad argument #2 to 'connect' \(int expected for field 'scope_id', got str\)"),
    (lambda fd: ps.bind(fd, {"family": ps.AF_UNIX, "path": b"/tmp/x"}), TypeError,
     r"bad argument #2 to 'bind' \(str expected for field 'path', got bytes\)"),
    (lambda fd: ps.bind(fd, {"family": ps.AF_UNIX, "path": "/tmp/x", "port": 1}), ValueError,
     r"bad argument #2 to 'bind' \(invalid field name 'port'\)"),
    pytest.param(lambda fd: ps.bind(fd, {"family": ps.AF_NETLINK, "pid": 0}), TypeError,
                 r"bad argument #2 to 'bind' \(int expected for field 'groups', got no value\)",
                 marks=linux_only("AF_NETLINK")),
    pytest.param(lambda fd: ps.bind(fd, {"family": ps.AF_PACKET}), TypeError,
                 r"bad argument #2 to 'bind' \(int expected for field 'ifindex', got no value\)",
                 marks=linux_only("AF_PACKET")),
    (lambda fd: ps.sendto(fd, b"x", {"family": ps.AF_INET, "port": 9, "addr": 127}), TypeError,
     r"bad argument #3 to 'sendto' \(str expected for field 'addr', got int\)"),
    (lambda fd: ps.getsockopt(fd, "1", 2), TypeError, r"bad argument #2 to 'getsockopt' \(int expected, got str\)"),
]


@pytest.mark.parametrize("fd_kind", ["socket", "closed", "negative", "file"])
@pytest.mark.parametrize("call, exc, words", ARG_ERRORS)
def test_argument_errors_raise_whatever_the_fd(fds: Fds, file_fd: int, closed_fd: int, fd_kind: str,
                                               call: Callable[[int], object], exc: type, words: str) -> None:
    fd = {"socket": lambda: fds.socket(ps.AF_INET, ps.SOCK_DGRAM), "closed": lambda: closed_fd,
          "negative": lambda: -1, "file": lambda: file_fd}[fd_kind]()
    with pytest.raises(exc, match=f"^{words}$"):
        call(fd)


@pytest.mark.parametrize("call, words", [
    (lambda: ps.recv("3", 1), r"bad argument #1 to 'recv' \(int expected, got str\)"),
    (lambda: ps.recvfrom(3.0, 1), r"bad argument #1 to 'recvfrom' \(int expected, got float\)"),
    (lambda: ps.accept(None), r"bad argument #1 to 'accept' \(int expected, got None\)"),
    (lambda: ps.getsockname([]), r"bad argument #1 to 'getsockname' \(int expected, got list\)"),
    (lambda: ps.getpeername("0"), r"bad argument #1 to 'getpeername' \(int expected, got str\)"),
    (lambda: ps.connect("3", INET), r"bad argument #1 to 'connect' \(int expected, got str\)"),
    (lambda: ps.bind(b"3", INET), r"bad argument #1 to 'bind' \(int expected, got bytes\)"),
    (lambda: ps.sendto(None, b"", INET), r"bad argument #1 to 'sendto' \(int expected, got None\)"),
    (lambda: ps.send(1.5, b""), r"bad argument #1 to 'send' \(int expected, got float\)"),
    (lambda: ps.listen("1", 1), r"bad argument #1 to 'listen' \(int expected, got str\)"),
    (lambda: ps.shutdown(None, 0), r"bad argument #1 to 'shutdown' \(int expected, got None\)"),
    (lambda: ps.setsockopt("1", ps.SOL_SOCKET, ps.SO_REUSEADDR, 1),
     r"bad argument #1 to 'setsockopt' \(int expected, got str\)"),
    (lambda: ps.getsockopt("1", ps.SOL_SOCKET, ps.SO_TYPE), r"bad argument #1 to 'getsockopt' \(int expected, got str\)"),
    (lambda: ps.socket("2", 1, 0), r"bad argument #1 to 'socket' \(int expected, got str\)"),
    (lambda: ps.socket(2, 1, None), r"bad argument #3 to 'socket' \(int expected, got None\)"),
    (lambda: ps.socketpair(1, "1", 0), r"bad argument #2 to 'socketpair' \(int expected, got str\)"),
    (lambda: ps.if_nametoindex(1), r"bad argument #1 to 'if_nametoindex' \(str expected, got int\)"),
    (lambda: ps.if_nametoindex(b"lo"), r"bad argument #1 to 'if_nametoindex' \(str expected, got bytes\)"),
])
def test_type_errors_name_the_argument(call: Callable[[], object], words: str) -> None:
    with pytest.raises(TypeError, match=f"^{words}$"):
        call()


@pytest.mark.parametrize("call, words", [
    (lambda: ps.socket(2**31, ps.SOCK_STREAM, 0), r"bad argument #1 to 'socket' \(int out of C int range, got 2147483648\)"),
    (lambda: ps.socket(ps.AF_INET, -(2**31) - 1, 0), r"bad argument #2 to 'socket' \(int out of C int range, got -2147483649\)"),
    (lambda: ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 2**40), r"bad argument #3 to 'socketpair' \(int out of C int range, got 1099511627776\)"),
])
def test_c_int_range(call: Callable[[], object], words: str) -> None:
    with pytest.raises(ValueError, match=f"^{words}$"):
        call()


def test_bool_fd_is_an_int() -> None:
    # bool is an int: True is descriptor 1 (stdout, not a socket here or closed)
    assert ps.recv(True, 1) in (triple(None, 88), triple(None, 9))


def test_positional_only() -> None:
    with pytest.raises(TypeError):
        ps.recv(fd=-1, count=1)
    with pytest.raises(TypeError):
        ps.socket(domain=2, type=1, options=0)


# --- constants -----------------------------------------------------------------

def test_seed_constants_are_ints() -> None:
    assert len(ps.SEED_CONSTANTS) == len(set(ps.SEED_CONSTANTS)) == 69
    for name in ps.SEED_CONSTANTS:
        value = getattr(ps, name)
        # elsewhere a name the platform lacks is None, as luaposix leaves it nil
        assert isinstance(value, int) or (value is None and sys.platform != "linux"), name
        assert name in ps.__all__, name


def test_constants_are_plain_ints() -> None:
    """Plain ints, like luaposix's numbers and like the values results carry
    (getsockname's "family" is a plain int).  The stdlib's IntEnum members
    (socket.AF_INET, ...) print as "AddressFamily.AF_INET" on Python < 3.11."""
    enums = [name for name in ps.SEED_CONSTANTS if type(getattr(ps, name)) not in (int, type(None))]
    assert enums == []


def test_constants_match_the_stdlib() -> None:
    for name in ps.SEED_CONSTANTS:
        if hasattr(stdlib_socket, name):
            assert getattr(ps, name) == getattr(stdlib_socket, name), name
        else:  # only Linux's <linux/netlink.h> numbers are posixsock's own
            assert getattr(ps, name) is None or name.startswith("NETLINK_"), name
    if sys.platform != "linux":
        assert ps.NETLINK_ROUTE is None
        return
    assert ps.NETLINK_ROUTE == 0 and ps.NETLINK_GENERIC == 16 and ps.NETLINK_KOBJECT_UEVENT == 15


def test_all_names_exist() -> None:
    for name in ps.__all__:
        assert hasattr(ps, name), name
    for name in ("accept", "bind", "connect", "getaddrinfo", "getpeername", "getsockname",
                 "getsockopt", "if_nametoindex", "listen", "recv", "recvfrom", "send",
                 "sendto", "setsockopt", "shutdown", "socket", "socketpair"):
        assert callable(getattr(ps, name)) and name in ps.__all__


def test_version() -> None:
    """luaposix's form ("posix.sys.socket for Lua 5.4 / luaposix 36.3"), told
    truthfully: this package, its version, the module it mirrors, the Python."""
    import sys
    assert isinstance(ps.version, str)
    assert ps.version == (f"posixsock {ps.__version__} (posix.sys.socket for Python "
                          f"{sys.version_info[0]}.{sys.version_info[1]})")
    assert re.fullmatch(r"posixsock \d+\.\d+\.\d+ \(posix\.sys\.socket for Python 3\.\d+\)", ps.version)


def test_namespace_is_exactly_all() -> None:
    """The public names are exactly ``__all__`` (no ``annotations`` from a
    ``__future__`` import, no ``sys``).  Besides them the module can only
    have dunders and its private ``_x`` submodules: Python binds every
    imported submodule as an attribute of its package, unavoidably."""
    import importlib
    import pkgutil
    submodules = {m.name for m in pkgutil.iter_modules(ps.__path__)}
    for name in submodules - {"__main__"}:
        importlib.import_module(f"posixsock.{name}")  # attributes appear on import
    public_modules = {"aio"}  # posixsock.aio, the awaitable calls (not in __all__)
    names = {n for n in dir(ps) if not n.startswith("__")}
    private = {n for n in names if n.startswith("_")}
    assert names - private - public_modules == set(ps.__all__)
    assert len(ps.__all__) == len(set(ps.__all__))
    assert private <= submodules
    assert all(n.startswith("_") for n in submodules - {"__main__"} - public_modules)
    assert "annotations" not in names


@linux_only("AF_NETLINK")
def test_fd_reused_by_a_file_or_netlink(fds: Fds) -> None:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    ps.check(ps.getsockname(fd))
    ps.check(ps.bind(fd, loopback(ps.AF_INET)))
    os.close(fd)
    regular = os.open(os.devnull, os.O_RDONLY)
    try:
        assert regular == fd
        assert ps.getsockname(fd) == (None, "getsockname: Socket operation on non-socket", 88)
        assert ps.bind(fd, loopback(ps.AF_INET)) == (None, "bind: Socket operation on non-socket", 88)
        assert ps.recv(fd, 1) == (None, "Socket operation on non-socket", 88)
    finally:
        os.close(regular)
    netlink = fds.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE)
    assert netlink == fd
    assert ps.getsockname(netlink) == {"family": ps.AF_NETLINK, "pid": 0, "groups": 0}
