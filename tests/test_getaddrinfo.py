"""getaddrinfo: entry shapes, resolver error triples, argument errors.

Only numeric hosts and "localhost" are resolved (no DNS traffic); hostile
names go with AI_NUMERICHOST so the resolver never looks them up.
"""
from __future__ import annotations

import socket as stdlib_socket

import pytest

import posixsock as ps

EAI_NONAME = (None, "Name or service not known", stdlib_socket.EAI_NONAME)
EAI_SERVICE = (None, "Servname not supported for ai_socktype", stdlib_socket.EAI_SERVICE)
NUMERIC = {"flags": ps.AI_NUMERICHOST}


def test_inet_entry_exact() -> None:
    result = ps.getaddrinfo("127.0.0.1", "80", {"family": ps.AF_INET, "socktype": ps.SOCK_STREAM})
    assert result == [{"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1",
                       "socktype": ps.SOCK_STREAM, "protocol": ps.IPPROTO_TCP}]


def test_inet6_entry_exact() -> None:
    result = ps.getaddrinfo("::1", 443, {"family": ps.AF_INET6, "socktype": ps.SOCK_DGRAM})
    assert result == [{"family": ps.AF_INET6, "port": 443, "addr": "::1", "flowinfo": 0,
                       "scope_id": 0, "socktype": ps.SOCK_DGRAM, "protocol": ps.IPPROTO_UDP}]


def test_entries_usable_as_addresses() -> None:
    entries = ps.check(ps.getaddrinfo("127.0.0.1", "9", {"flags": ps.AI_NUMERICHOST | ps.AI_NUMERICSERV}))
    assert entries and all(type(e) is dict for e in entries)
    assert {e["socktype"] for e in entries} >= {ps.SOCK_STREAM, ps.SOCK_DGRAM}
    for entry in entries:
        assert set(entry) == {"family", "port", "addr", "socktype", "protocol"}
        assert all(type(v) is int for k, v in entry.items() if k != "addr")


def test_canonname_only_when_asked() -> None:
    hints: ps.AddrInfoHints = {"family": ps.AF_INET, "socktype": ps.SOCK_STREAM}
    plain = ps.check(ps.getaddrinfo("localhost", None, hints))
    assert all("canonname" not in e for e in plain)
    hints["flags"] = ps.AI_CANONNAME
    named = ps.check(ps.getaddrinfo("localhost", None, hints))
    assert type(named[0]["canonname"]) is str and named[0]["canonname"]
    assert named[0]["addr"].startswith("127.")
    assert named[0]["port"] == 0


def test_passive_null_host() -> None:
    result = ps.getaddrinfo(None, "80", {"family": ps.AF_INET, "socktype": ps.SOCK_STREAM,
                                         "flags": ps.AI_PASSIVE})
    assert result == [{"family": ps.AF_INET, "port": 80, "addr": "0.0.0.0",
                       "socktype": ps.SOCK_STREAM, "protocol": ps.IPPROTO_TCP}]
    local = ps.getaddrinfo(None, 80, {"family": ps.AF_INET, "socktype": ps.SOCK_STREAM})
    assert local == [{"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1",
                      "socktype": ps.SOCK_STREAM, "protocol": ps.IPPROTO_TCP}]


@pytest.mark.parametrize("host", ["not numeric", "256.1.1.1", "a\0b", "\udcff", "127.0.0.1\0"])
def test_host_errors(host: str) -> None:
    assert ps.getaddrinfo(host, None, NUMERIC) == EAI_NONAME


@pytest.mark.parametrize("service", ["a\0b", "\udcff", "no-such-service-xyz"])
def test_service_errors(service: str) -> None:
    assert ps.getaddrinfo("127.0.0.1", service, NUMERIC) == EAI_SERVICE


@pytest.mark.parametrize("hints, triple", [
    ({"family": 12345}, (None, "ai_family not supported", stdlib_socket.EAI_FAMILY)),
    ({"socktype": 12345}, (None, "ai_socktype not supported", stdlib_socket.EAI_SOCKTYPE)),
    ({"flags": -1}, (None, "Bad value for ai_flags", stdlib_socket.EAI_BADFLAGS)),
])
def test_hint_errors(hints: ps.AddrInfoHints, triple: object) -> None:
    assert ps.getaddrinfo("127.0.0.1", "80", hints) == triple


def test_argument_errors() -> None:
    with pytest.raises(TypeError, match=r"^bad argument #1 to 'getaddrinfo' \(str or None expected, got int\)$"):
        ps.getaddrinfo(127, "80")
    with pytest.raises(TypeError, match=r"^bad argument #1 to 'getaddrinfo' \(str or None expected, got bytes\)$"):
        ps.getaddrinfo(b"127.0.0.1", "80")
    with pytest.raises(TypeError, match=r"^bad argument #2 to 'getaddrinfo' \(int or str expected, got None\)$"):
        ps.getaddrinfo(None, None)
    with pytest.raises(TypeError, match=r"^bad argument #2 to 'getaddrinfo' \(int, None or str expected, got float\)$"):
        ps.getaddrinfo("127.0.0.1", 80.0)
    with pytest.raises(TypeError, match=r"^bad argument #3 to 'getaddrinfo' \(dict or None expected, got list\)$"):
        ps.getaddrinfo("127.0.0.1", "80", [])
    with pytest.raises(ValueError, match=r"^bad argument #3 to 'getaddrinfo' \(invalid field name 'flag'\)$"):
        ps.getaddrinfo("127.0.0.1", "80", {"flag": 0})
    with pytest.raises(TypeError, match=r"^bad argument #3 to 'getaddrinfo' \(int expected for field 'family', got str\)$"):
        ps.getaddrinfo("127.0.0.1", "80", {"family": "inet"})
    with pytest.raises(ValueError, match=r"^bad argument #3 to 'getaddrinfo' \(field 'flags' out of C int range"):
        ps.getaddrinfo("127.0.0.1", "80", {"flags": 2**40})
