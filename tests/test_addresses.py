"""Every family's round trip over loopback, the SockAddr shapes they return,
and the addresses C could not be given (EINVAL / ENAMETOOLONG / ENODEV)."""
from __future__ import annotations

import os
import struct
import sys
from typing import Callable, List, Tuple

import pytest

import posixsock as ps
from _privileges import linux_only, packet_denied
from conftest import Fds, loopback

INET_KEYS = {"family", "port", "addr"}
INET6_KEYS = INET_KEYS | {"flowinfo", "scope_id"}
BIND_WORDS = "not a valid IPv4 or IPv6 argument: Invalid argument"
CONNECT_WORDS = "not a valid IPv4 or IPv6 address argument: Invalid argument"
EINVAL_BIND = (None, BIND_WORDS, 22)
EINVAL_CONNECT = (None, CONNECT_WORDS, 22)


# --- AF_INET / AF_INET6 --------------------------------------------------------

@pytest.mark.parametrize("family", [ps.AF_INET, ps.AF_INET6])
def test_tcp_round_trip(fds: Fds, family: int) -> None:
    client, conn, peer = fds.connected(loopback(family))
    keys = INET_KEYS if family == ps.AF_INET else INET6_KEYS
    name = ps.check(ps.getsockname(client))
    assert set(name) == keys and set(peer) == keys
    assert name["family"] == family and name["addr"] == loopback(family)["addr"]
    assert type(name["port"]) is int and 0 < name["port"] <= 0xFFFF
    assert peer == name
    assert ps.getpeername(conn) == name
    assert ps.getpeername(client) == ps.getsockname(conn)
    if family == ps.AF_INET6:
        assert name["flowinfo"] == 0 and name["scope_id"] == 0
    assert ps.send(client, b"ping") == 4
    assert ps.recv(conn, 100) == b"ping"
    assert ps.send(conn, b"pong") == 4
    # a stream socket's recvfrom gives no source: the zeroed sockaddr
    assert ps.recvfrom(client, 100) == (b"pong", {"family": ps.AF_UNSPEC})


@pytest.mark.parametrize("family", [ps.AF_INET, ps.AF_INET6])
def test_udp_round_trip(fds: Fds, family: int) -> None:
    receiver, where = fds.bound(ps.SOCK_DGRAM, loopback(family))
    sender, from_addr = fds.bound(ps.SOCK_DGRAM, loopback(family))
    assert ps.sendto(sender, b"datagram", where) == 8
    data, source = ps.check(ps.recvfrom(receiver, 100))
    assert data == b"datagram"
    assert source == from_addr
    assert set(source) == (INET_KEYS if family == ps.AF_INET else INET6_KEYS)
    # connected UDP: send/recv without addresses
    assert ps.connect(sender, where) == 0
    assert ps.send(sender, b"again") == 5
    assert ps.recv(receiver, 100) == b"again"


def test_inet6_flowinfo_and_scope_accepted(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    addr: ps.SockAddr = {"family": ps.AF_INET6, "port": 0, "addr": "::1", "flowinfo": 0, "scope_id": 0}
    assert ps.bind(fd, addr) == 0


def test_bind_address_in_use(fds: Fds) -> None:
    _, where = fds.listener()
    other = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.bind(other, where) == (None, "bind: Address already in use", 98)


def test_connect_refused(fds: Fds) -> None:
    _, where = fds.bound(ps.SOCK_STREAM, loopback(ps.AF_INET))  # bound, not listening
    client = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.connect(client, where) == (None, "connect: Connection refused", 111)


def test_connect_then_getpeername_unconnected(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.getpeername(fd) == (None, "getpeername: Transport endpoint is not connected", 107)


def test_getsockname_unbound_inet(fds: Fds) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_STREAM)
    assert ps.getsockname(fd) == {"family": ps.AF_INET, "port": 0, "addr": "0.0.0.0"}
    fd6 = fds.socket(ps.AF_INET6, ps.SOCK_STREAM)
    assert ps.getsockname(fd6) == {"family": ps.AF_INET6, "port": 0, "addr": "::",
                                   "flowinfo": 0, "scope_id": 0}


# --- no name resolution, refused numbers --------------------------------------

BAD_V4 = ["", "localhost", "1.2.3.4.5", "<broadcast>", "::1", "127.0.0.1\0", "１２７.0.0.1"]
BAD_V6 = ["", "localhost", "fe80::1%lo", "127.0.0.1", "::1::", "::1\0"]


@pytest.mark.parametrize("host", BAD_V4)
def test_inet_not_numeric_is_einval(fds: Fds, host: str) -> None:
    fd = fds.socket(ps.AF_INET, ps.SOCK_DGRAM)
    addr: ps.SockAddr = {"family": ps.AF_INET, "port": 9, "addr": host}
    assert ps.bind(fd, addr) == EINVAL_BIND
    assert ps.connect(fd, addr) == EINVAL_CONNECT
    assert ps.sendto(fd, b"x", addr) == (None, "not a valid IPv4 or IPv6 argument: Invalid argument", 22)
    assert ps.getsockname(fd) == {"family": ps.AF_INET, "port": 0, "addr": "0.0.0.0"}  # untouched


@pytest.mark.parametrize("host", BAD_V6)
def test_inet6_not_numeric_is_einval(fds: Fds, host: str) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    addr: ps.SockAddr = {"family": ps.AF_INET6, "port": 9, "addr": host}
    assert ps.bind(fd, addr) == EINVAL_BIND
    assert ps.connect(fd, addr) == EINVAL_CONNECT
    assert ps.sendto(fd, b"x", addr) == EINVAL_BIND


@pytest.mark.parametrize("port", [-1, 65536, 70000, 2**64])
@pytest.mark.parametrize("family", [ps.AF_INET, ps.AF_INET6])
def test_port_out_of_range_is_einval_not_wrapped(fds: Fds, family: int, port: int) -> None:
    fd = fds.socket(family, ps.SOCK_DGRAM)
    addr = loopback(family, port)
    assert ps.bind(fd, addr) == EINVAL_BIND
    assert ps.connect(fd, addr) == EINVAL_CONNECT
    assert ps.sendto(fd, b"x", addr) == EINVAL_BIND
    assert ps.check(ps.getsockname(fd))["port"] == 0  # not bound to port % 65536


@pytest.mark.parametrize("field, value", [
    ("flowinfo", -1), ("flowinfo", 0x100000), ("scope_id", -(2**31) - 1), ("scope_id", 2**32),
])
def test_inet6_field_out_of_range_is_einval(fds: Fds, field: str, value: int) -> None:
    fd = fds.socket(ps.AF_INET6, ps.SOCK_DGRAM)
    addr = dict(loopback(ps.AF_INET6), **{field: value})
    assert ps.bind(fd, addr) == EINVAL_BIND
    assert ps.connect(fd, addr) == EINVAL_CONNECT


# --- AF_UNIX ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sock", "sock-é", "s" * 20])
def test_unix_stream_path_round_trip(fds: Fds, unix_dir: str, name: str) -> None:
    path = os.path.join(unix_dir, name)
    server, where = fds.listener({"family": ps.AF_UNIX, "path": path})
    assert where == {"family": ps.AF_UNIX, "path": path}
    assert os.path.exists(path)
    client = fds.timeouts(fds.socket(ps.AF_UNIX, ps.SOCK_STREAM))
    assert ps.connect(client, where) == 0
    conn, peer = ps.check(ps.accept(server))
    fds.track(conn)
    assert peer == {"family": ps.AF_UNIX, "path": ""}  # the client is unnamed
    assert ps.getsockname(client) == {"family": ps.AF_UNIX, "path": ""}
    assert ps.getpeername(client) == where
    assert ps.send(client, b"over unix") == 9
    assert ps.recv(conn, 100) == b"over unix"


def test_unix_dgram_path_round_trip(fds: Fds, unix_dir: str) -> None:
    receiver, where = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "r")})
    sender, from_addr = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "s")})
    assert ps.sendto(sender, b"hello", where) == 5
    assert ps.recvfrom(receiver, 100) == (b"hello", from_addr)
    assert from_addr == {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "s")}


def test_unix_dgram_unnamed_sender(fds: Fds, unix_dir: str) -> None:
    receiver, where = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "r")})
    sender = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    assert ps.sendto(sender, b"anon", where) == 4
    assert ps.recvfrom(receiver, 100) == (b"anon", {"family": ps.AF_UNSPEC})


@linux_only("abstract AF_UNIX names")
def test_unix_abstract_round_trip(fds: Fds, abstract_name: Callable[[], str]) -> None:
    name = abstract_name()
    server, where = fds.listener({"family": ps.AF_UNIX, "path": name})
    assert where == {"family": ps.AF_UNIX, "path": name}  # leading NUL kept
    client = fds.timeouts(fds.socket(ps.AF_UNIX, ps.SOCK_STREAM))
    assert ps.connect(client, {"family": ps.AF_UNIX, "path": name}) == 0
    conn, _ = ps.check(ps.accept(server))
    fds.track(conn)
    assert ps.getpeername(client) == where
    receiver, rwhere = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": abstract_name()})
    sender, swhere = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": abstract_name()})
    assert ps.sendto(sender, b"abstract", rwhere) == 8
    data, source = ps.check(ps.recvfrom(receiver, 100))
    assert data == b"abstract" and source == swhere
    assert source["path"].startswith("\0")


def test_unix_unnamed_socketpair(fds: Fds) -> None:
    one, two = fds.pair(ps.SOCK_DGRAM)
    assert ps.getsockname(one) == {"family": ps.AF_UNIX, "path": ""}
    assert ps.getpeername(one) == {"family": ps.AF_UNIX, "path": ""}
    assert ps.send(one, b"x") == 1
    assert ps.recvfrom(two, 10) == (b"x", {"family": ps.AF_UNSPEC})


@linux_only("108-byte sun_path and abstract names")
def test_unix_path_lengths(fds: Fds, unix_dir: str) -> None:
    longest = "/tmp/" + "p" * 102  # 107 bytes: the longest filesystem path
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    try:
        assert ps.bind(fd, {"family": ps.AF_UNIX, "path": longest}) == 0
        assert ps.getsockname(fd) == {"family": ps.AF_UNIX, "path": longest}
    finally:
        if os.path.exists(longest):
            os.unlink(longest)
    fd2 = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    too_long: ps.SockAddr = {"family": ps.AF_UNIX, "path": longest + "p"}
    assert ps.bind(fd2, too_long) == (None, "bind: File name too long", 36)
    assert ps.connect(fd2, too_long) == (None, "connect: File name too long", 36)
    assert ps.sendto(fd2, b"x", too_long) == (None, "sendto: File name too long", 36)
    abstract = "\0" + "a" * 107  # 108 bytes: the longest abstract name
    assert ps.bind(fd2, {"family": ps.AF_UNIX, "path": abstract}) == 0
    assert ps.getsockname(fd2) == {"family": ps.AF_UNIX, "path": abstract}
    fd3 = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    assert ps.bind(fd3, {"family": ps.AF_UNIX, "path": abstract + "a"}) == (None, "bind: File name too long", 36)


@pytest.mark.skipif(sys.platform == "linux", reason="macOS/BSD sun_path: the simulated runs")
def test_unix_path_lengths_elsewhere(fds: Fds) -> None:
    """macOS and the BSDs: sun_path is 104 bytes (after sun_len), so 103
    bytes and a NUL is the longest path; there is no abstract namespace,
    and a name starting with NUL would be the empty path: EINVAL."""
    longest = "/tmp/" + "p" * 98  # 103 bytes
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    try:
        assert ps.bind(fd, {"family": ps.AF_UNIX, "path": longest}) == 0
    finally:
        if os.path.exists(longest):
            os.unlink(longest)
    too_long: ps.SockAddr = {"family": ps.AF_UNIX, "path": longest + "p"}
    assert ps.bind(fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM), too_long) == (
        None, "bind: File name too long", 36)
    abstract: ps.SockAddr = {"family": ps.AF_UNIX, "path": "\0posixsock"}
    assert ps.bind(fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM), abstract) == EINVAL_BIND


def test_unix_connect_missing_path(fds: Fds, unix_dir: str) -> None:
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_STREAM)
    result = ps.connect(fd, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "none")})
    assert result == (None, "connect: No such file or directory", 2)


# --- AF_NETLINK -----------------------------------------------------------------

RTM_NEWLINK, RTM_GETLINK, NLMSG_DONE, NLM_F_REQUEST, NLM_F_DUMP = 16, 18, 3, 1, 0x300
NLMSG_HDR = struct.Struct("=IHHII")


@linux_only("AF_NETLINK")
def test_netlink_route_getlink_dump(fds: Fds) -> None:
    fd = fds.timeouts(fds.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE))
    assert ps.bind(fd, {"family": ps.AF_NETLINK, "pid": 0, "groups": 0}) == 0
    name = ps.check(ps.getsockname(fd))
    assert set(name) == {"family", "pid", "groups"}
    assert name["family"] == ps.AF_NETLINK and name["groups"] == 0
    assert type(name["pid"]) is int and name["pid"] != 0  # the kernel assigned one
    seq = 4242
    request = NLMSG_HDR.pack(NLMSG_HDR.size + 16, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + bytes(16)
    kernel: ps.SockAddr = {"family": ps.AF_NETLINK, "pid": 0, "groups": 0}
    assert ps.sendto(fd, request, kernel) == len(request)
    types: List[int] = []
    for _ in range(64):  # bounded: a dump ends with NLMSG_DONE
        data, source = ps.check(ps.recvfrom(fd, 65536))
        assert source == kernel
        offset = 0
        while offset + NLMSG_HDR.size <= len(data):
            length, kind, _flags, got_seq, pid = NLMSG_HDR.unpack_from(data, offset)
            assert got_seq == seq and pid == name["pid"]
            types.append(kind)
            offset += (length + 3) & ~3 if length else len(data)
        if NLMSG_DONE in types:
            break
    assert types[-1] == NLMSG_DONE
    assert RTM_NEWLINK in types  # at least lo


@pytest.mark.parametrize("field, value", [("pid", -(2**31) - 1), ("pid", 2**32),
                                          ("groups", -(2**31) - 1), ("groups", 2**32)])
@linux_only("AF_NETLINK")
def test_netlink_field_out_of_range_is_einval(fds: Fds, field: str, value: int) -> None:
    fd = fds.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE)
    addr = {"family": ps.AF_NETLINK, "pid": 0, "groups": 0, field: value}
    assert ps.bind(fd, addr) == EINVAL_BIND


# --- AF_PACKET (CAP_NET_RAW) -----------------------------------------------------------

ETHERTYPE = 0x88B5  # IEEE local experimental


@pytest.mark.skipif(packet_denied() is not None, reason=str(packet_denied()))
def test_packet_round_trip_on_lo(fds: Fds) -> None:
    lo = ps.check(ps.if_nametoindex("lo"))
    proto = struct.unpack("=H", struct.pack(">H", ETHERTYPE))[0]  # htons
    fd = fds.timeouts(fds.socket(ps.AF_PACKET, ps.SOCK_RAW, proto))
    here: ps.SockAddrPacketArg = {"family": ps.AF_PACKET, "ifindex": lo}
    assert ps.bind(fd, here) == 0
    # the whole sockaddr_ll (issue 17): the socket's protocol, in host order
    full = {"family": ps.AF_PACKET, "ifindex": lo, "protocol": ETHERTYPE, "pkttype": 0,
            "hatype": 772, "haddr": bytes(6)}
    assert ps.getsockname(fd) == full
    payload = b"posixsock packet test %d" % os.getpid()
    frame = bytes(12) + struct.pack(">H", ETHERTYPE) + payload
    assert ps.sendto(fd, frame, here) == len(frame)
    for _ in range(16):  # bounded; lo shows outgoing and incoming copies
        data, source = ps.check(ps.recvfrom(fd, 2048))
        if data.endswith(payload):
            assert source["family"] == ps.AF_PACKET
            assert (source["ifindex"], source["protocol"]) == (lo, ETHERTYPE)
            break
    else:
        pytest.fail("frame not received on lo")


@pytest.mark.skipif(packet_denied() is not None, reason=str(packet_denied()))
@pytest.mark.parametrize("ifindex", [0, -1, 2**31, 2**32, 2**40])
def test_packet_no_such_interface(fds: Fds, ifindex: int) -> None:
    fd = fds.socket(ps.AF_PACKET, ps.SOCK_RAW, 0)
    addr: ps.SockAddrPacketArg = {"family": ps.AF_PACKET, "ifindex": ifindex}
    assert ps.bind(fd, addr) == (None, "bind: No such device", 19)
    assert ps.sendto(fd, bytes(20), addr) == (None, "sendto: No such device", 19)


def test_if_nametoindex() -> None:
    lo = ps.if_nametoindex("lo")
    assert type(lo) is int and lo > 0
    for name in ("no-such-if0", "", "lo\0", "x" * 40, "\udcff"):
        assert ps.if_nametoindex(name) == (None, "if_nametoindex: No such device", 19)


def test_unix_empty_path_autobinds(fds: Fds) -> None:
    # As from C: an empty sun_path asks Linux for an autobind abstract name.
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    assert ps.bind(fd, {"family": ps.AF_UNIX, "path": ""}) == 0
    name = ps.check(ps.getsockname(fd))
    assert name["family"] == ps.AF_UNIX
    assert name["path"].startswith("\0") and len(name["path"]) > 1


def test_unix_path_not_utf8(fds: Fds, unix_dir: str) -> None:
    path = os.path.join(unix_dir, "\udcff")  # the byte 0xff, as os.fsdecode gives it
    fd = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)
    assert ps.bind(fd, {"family": ps.AF_UNIX, "path": path}) == 0
    assert os.path.exists(os.fsencode(path))
    assert ps.getsockname(fd) == {"family": ps.AF_UNIX, "path": path}


# --- one representation for "no address" (issue 10) ----------------------------
# Every call that reports a source gives {"family": AF_UNSPEC} when the kernel
# gives none -- the zeroed sockaddr a C caller would read -- never None.

NO_ADDRESS: ps.SockAddr = {"family": ps.AF_UNSPEC}
RECEIVERS: List[Tuple[str, Callable[[int], object]]] = [
    ("recvfrom", lambda fd: ps.recvfrom(fd, 100)),
    ("recvmsg", lambda fd: ps.recvmsg(fd, 100)),
    ("recv_fds", lambda fd: ps.recv_fds(fd, 100, 1)),
]


def _source(result: object) -> Tuple[bytes, object]:
    assert not isinstance(result, ps.Error), result
    assert isinstance(result, tuple)
    return result[0], result[-1]


@pytest.mark.parametrize("call", [c for _, c in RECEIVERS], ids=[n for n, _ in RECEIVERS])
def test_no_address_unnamed_unix_dgram_sender(fds: Fds, unix_dir: str,
                                              call: Callable[[int], object]) -> None:
    receiver, where = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "r")})
    sender = fds.socket(ps.AF_UNIX, ps.SOCK_DGRAM)  # never bound: no name to report
    assert ps.sendto(sender, b"anon", where) == 4
    assert _source(call(receiver)) == (b"anon", NO_ADDRESS)


@pytest.mark.parametrize("call", [c for _, c in RECEIVERS], ids=[n for n, _ in RECEIVERS])
@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_no_address_stream_socket(fds: Fds, kind: str, call: Callable[[int], object]) -> None:
    if kind == "unix":
        one, two = fds.pair(ps.SOCK_STREAM)
    else:
        one, two, _ = fds.connected()
    assert ps.send(one, b"stream") == 6
    data, source = _source(call(two))
    assert data == b"stream" and source == NO_ADDRESS


@pytest.mark.parametrize("call", [c for _, c in RECEIVERS], ids=[n for n, _ in RECEIVERS])
def test_named_sender_is_reported(fds: Fds, unix_dir: str, call: Callable[[int], object]) -> None:
    """The other side of the rule: a named sender is reported, by all three."""
    receiver, where = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "r")})
    sender, name = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_UNIX, "path": os.path.join(unix_dir, "s")})
    assert ps.sendto(sender, b"named", where) == 5
    assert _source(call(receiver)) == (b"named", name)
