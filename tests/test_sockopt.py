"""setsockopt / getsockopt: value shapes per option, value-count errors."""
from __future__ import annotations

import re
from typing import Tuple

import pytest

import posixsock as ps
from _privileges import bindtodevice_denied, linux_only
from conftest import Fds


@pytest.mark.parametrize("level, name", [
    (ps.SOL_SOCKET, ps.SO_REUSEADDR), (ps.SOL_SOCKET, ps.SO_KEEPALIVE),
    (ps.SOL_SOCKET, ps.SO_BROADCAST), (ps.SOL_SOCKET, ps.SO_OOBINLINE),
    (ps.IPPROTO_TCP, ps.TCP_NODELAY),
])
def test_int_option_round_trip(fds: Fds, level: int, name: int) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.getsockopt(fd, level, name) == 0
    assert ps.setsockopt(fd, level, name, 1) == 0
    value = ps.getsockopt(fd, level, name)
    assert type(value) is int and value != 0


def test_int_option_shapes(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_TYPE) == ps.SOCK_DGRAM
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_ERROR) == 0
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_ACCEPTCONN) == 0
    rcvbuf = ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVBUF)
    assert type(rcvbuf) is int and rcvbuf > 0
    fd6 = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    assert ps.setsockopt(fd6, ps.IPPROTO_IPV6, ps.IPV6_V6ONLY, 1) == 0
    assert ps.getsockopt(fd6, ps.IPPROTO_IPV6, ps.IPV6_V6ONLY) == 1
    assert ps.setsockopt(fd6, ps.IPPROTO_IPV6, ps.IPV6_UNICAST_HOPS, 7) == 0
    assert ps.getsockopt(fd6, ps.IPPROTO_IPV6, ps.IPV6_UNICAST_HOPS) == 7


@pytest.mark.parametrize("name", [ps.SO_RCVTIMEO, ps.SO_SNDTIMEO])
def test_timeval(fds: Fds, name: int) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, name) == {"tv_sec": 0, "tv_usec": 0}
    assert ps.setsockopt(fd, ps.SOL_SOCKET, name, 2, 500000) == 0
    value = ps.getsockopt(fd, ps.SOL_SOCKET, name)
    assert value == {"tv_sec": 2, "tv_usec": 500000}
    assert ps.setsockopt(fd, ps.SOL_SOCKET, name, 0, 2_000_000) == (
        None, "setsockopt: Numerical argument out of domain", 33)


def test_linger(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER) == {"l_onoff": 0, "l_linger": 0}
    assert ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER, 1, 5) == 0
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER) == {"l_onoff": 1, "l_linger": 5}


@pytest.mark.skipif(bindtodevice_denied() is not None, reason=str(bindtodevice_denied()))
def test_bindtodevice_is_a_str_without_nul(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE) == ""
    assert ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "lo") == 0
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE) == "lo"
    assert ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "no-such-if0") == (
        None, "setsockopt: No such device", 19)
    assert ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "") == 0
    assert ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE) == ""


def test_ipv6_group_membership(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, "ff02::1234") == 0
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_LEAVE_GROUP, "ff02::1234") == 0
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_LEAVE_GROUP, "ff02::1234") == (
        None, "setsockopt: Cannot assign requested address", 99)
    lo = ps.check(ps.if_nametoindex("lo"))
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, "ff02::1235", lo) == 0
    assert ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_LEAVE_GROUP, "ff02::1235", lo) == 0
    for bad in ("not an address", "127.0.0.1", ""):
        assert ps.setsockopt(fd, ps.IPPROTO_IPV6, ps.IPV6_JOIN_GROUP, bad) == (
            None, "setsockopt: Invalid argument", 22)


def test_unknown_option(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.getsockopt(fd, ps.SOL_SOCKET, 9999) == (None, "getsockopt: Protocol not available", 92)
    assert ps.setsockopt(fd, ps.SOL_SOCKET, 9999, 1) == (None, "setsockopt: Protocol not available", 92)


def test_options_on_non_sockets(fds: Fds, file_fd: int, closed_fd: int) -> None:
    assert ps.getsockopt(file_fd, ps.SOL_SOCKET, ps.SO_LINGER) == (
        None, "getsockopt: Socket operation on non-socket", 88)
    assert ps.setsockopt(closed_fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 1, 0) == (
        None, "setsockopt: Bad file descriptor", 9)


# --- value counts and types: programming errors raise -------------------------

TAKES = {ps.SO_LINGER: "SO_LINGER takes (onoff, linger)",
         ps.SO_RCVTIMEO: "SO_RCVTIMEO takes (sec, usec)",
         ps.SO_SNDTIMEO: "SO_SNDTIMEO takes (sec, usec)"}


@pytest.mark.parametrize("name", [ps.SO_LINGER, ps.SO_RCVTIMEO, ps.SO_SNDTIMEO])
def test_two_value_options_need_value2(fds: Fds, name: int) -> None:
    """luaposix's words, then what the option takes (issue 10)."""
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    takes = re.escape(TAKES[name])
    with pytest.raises(TypeError, match=rf"^bad argument #5 to 'setsockopt' \(int expected, got no value; {takes}\)$"):
        ps.setsockopt(fd, ps.SOL_SOCKET, name, 1)
    with pytest.raises(TypeError, match=rf"^bad argument #5 to 'setsockopt' \(int expected, got str; {takes}\)$"):
        ps.setsockopt(fd, ps.SOL_SOCKET, name, 1, "0")
    with pytest.raises(TypeError, match=rf"^bad argument #4 to 'setsockopt' \(int expected, got str; {takes}\)$"):
        ps.setsockopt(fd, ps.SOL_SOCKET, name, "1", 0)


def test_rcvtimeo_with_one_value_says_what_it_takes(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    with pytest.raises(TypeError) as info:
        ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5)
    assert str(info.value) == ("bad argument #5 to 'setsockopt' (int expected, got no value;"
                               " SO_RCVTIMEO takes (sec, usec))")


@pytest.mark.parametrize("level, name, value1, takes", [
    (ps.SOL_SOCKET, ps.SO_REUSEADDR, 1, ""),
    pytest.param(ps.SOL_SOCKET, ps.SO_BINDTODEVICE, "lo", "; SO_BINDTODEVICE takes an interface name",
                 marks=linux_only("SO_BINDTODEVICE")),
])
def test_one_value_options_refuse_value2(fds: Fds, level: int, name: int, value1: object,
                                         takes: str) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    with pytest.raises(TypeError) as info:
        ps.setsockopt(fd, level, name, value1, 0)
    assert str(info.value) == f"bad argument #5 to 'setsockopt' (no more than 4 arguments expected, got 5{takes})"


@pytest.mark.parametrize("level, name, args, message", [
    ("IPPROTO_IP", "IP_ADD_MEMBERSHIP", (1,), "#4 to 'setsockopt' (str expected, got int; "
     "IP_ADD_MEMBERSHIP takes (group[, interface_address]): IPv4 address strings)"),
    ("IPPROTO_IP", "IP_DROP_MEMBERSHIP", ("239.1.2.3", 1), "#5 to 'setsockopt' (str expected, got int; "
     "IP_DROP_MEMBERSHIP takes (group[, interface_address]): IPv4 address strings)"),
    ("IPPROTO_IPV6", "IPV6_JOIN_GROUP", (1,), "#4 to 'setsockopt' (str expected, got int; "
     "IPV6_JOIN_GROUP takes (group[, ifindex]): an IPv6 address string, an int)"),
    ("IPPROTO_IPV6", "IPV6_LEAVE_GROUP", ("ff02::1:3", "lo"), "#5 to 'setsockopt' (int expected, got str; "
     "IPV6_LEAVE_GROUP takes (group[, ifindex]): an IPv6 address string, an int)"),
])
def test_membership_argument_errors_say_what_it_takes(fds: Fds, level: str, name: str,
                                                      args: Tuple[object, ...], message: str) -> None:
    fd = fds.socket(ps.AF_INET6 if "6" in name else ps.AF_INET, ps.SOCK_DGRAM)
    with pytest.raises(TypeError) as info:
        ps.setsockopt(fd, getattr(ps, level), getattr(ps, name), *args)  # type: ignore[call-overload]
    assert str(info.value) == f"bad argument {message}"


def test_int_options_have_no_note(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    with pytest.raises(TypeError) as info:
        # SO_PEERCRED's get is structured, its set a plain int (SO_DEBUG where
        # there is no SO_PEERCRED)
        ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_PEERCRED or ps.SO_DEBUG, "x")
    assert str(info.value) == "bad argument #4 to 'setsockopt' (int expected, got str)"


def test_option_value_types(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    with pytest.raises(TypeError, match=r"^bad argument #4 to 'setsockopt' \(int expected, got str\)$"):
        ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR, "1")
    if ps.SO_BINDTODEVICE is not None:  # Linux's
        with pytest.raises(TypeError, match=r"^bad argument #4 to 'setsockopt' \(str expected, got int; SO_BINDTODEVICE takes an interface name\)$"):
            ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_BINDTODEVICE, 1)
    with pytest.raises(ValueError, match=r"^bad argument #4 to 'setsockopt' \(int out of C int range, got 4294967296\)$"):
        ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR, 2**32)
    with pytest.raises(ValueError, match=r"^bad argument #4 to 'setsockopt' \(int out of C long range, got \d+; SO_RCVTIMEO takes \(sec, usec\)\)$"):
        ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 2**64, 0)
    with pytest.raises(TypeError, match=r"^bad argument #2 to 'setsockopt' \(int expected, got str\)$"):
        ps.setsockopt(fd, "SOL_SOCKET", ps.SO_REUSEADDR, 1)
    with pytest.raises(TypeError, match=r"^bad argument #3 to 'getsockopt' \(int expected, got None\)$"):
        ps.getsockopt(fd, ps.SOL_SOCKET, None)
    with pytest.raises(ValueError, match=r"^bad argument #2 to 'getsockopt' \(int out of C int range"):
        ps.getsockopt(fd, -(2**31) - 1, ps.SO_TYPE)


def test_every_structured_option_says_what_it_takes() -> None:
    """Each option with a value codec has its words, SO_PEERCRED (read-only,
    set as a C int) excepted."""
    from posixsock._sockopt import TABLE, TAKES
    assert set(TAKES) == set(TABLE) - {(ps.SOL_SOCKET, ps.SO_PEERCRED)}
