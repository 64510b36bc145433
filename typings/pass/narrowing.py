"""Type contract (issue 8): application code narrows every address on ``family``.

Each call that returns an address gives a ``SockAddr``, a union of one
TypedDict per family; comparing ``family`` with a constant (``==``, ``!=``,
``assert``, ``if``/``elif``), or testing a key (``"port" in sa``), narrows
it to that family's TypedDict, whose fields are then plain ``int``/``str``
-- no casts, no ``.get()``.  Clean under ``mypy --strict`` and pyright
strict (default Python and 3.9); runs over 127.0.0.1 and AF_UNIX.
(``match`` on Python 3.10+: narrowing_match_py310.py.)
"""
from __future__ import annotations

import os
from typing import List, Optional, Tuple

from typing_extensions import assert_never, assert_type

import posixsock as ps


def describe(sa: ps.SockAddr) -> str:
    """An if/elif chain over every family; the else branch is unreachable."""
    if sa["family"] == ps.AF_INET:
        assert_type(sa, ps.SockAddrInet)
        return f"{sa['addr']}:{sa['port']}"
    elif sa["family"] == ps.AF_INET6:
        assert_type(sa, ps.SockAddrInet6)
        return f"[{sa['addr']}%{sa['scope_id']}]:{sa['port']} flow {sa['flowinfo']}"
    elif sa["family"] == ps.AF_UNIX:
        assert_type(sa, ps.SockAddrUnix)
        return repr(sa["path"]) if sa["path"] else "unnamed"
    elif sa["family"] == ps.AF_NETLINK:
        assert_type(sa, ps.SockAddrNetlink)
        return f"netlink {sa['pid']}/{sa['groups']:#x}"
    elif sa["family"] == ps.AF_PACKET:
        assert_type(sa, ps.SockAddrPacket)
        assert_type(sa["haddr"], bytes)
        return f"packet on {sa['ifindex']}, protocol {sa['protocol']:#06x}"
    elif sa["family"] == ps.AF_VSOCK:
        assert_type(sa, ps.SockAddrVsock)
        return f"vsock {sa['cid']}:{sa['port']}"
    elif sa["family"] == ps.AF_UNSPEC:
        assert_type(sa, ps.SockAddrUnspec)
        return "no address"
    else:
        assert_never(sa)


def port_of(sa: ps.SockAddr) -> Optional[int]:
    """A key test narrows too, to the families that have the key."""
    if "port" in sa:
        assert_type(sa["port"], int)
        return sa["port"]
    return None


def bound_port(fd: int) -> int:
    """getsockname, then ``==``."""
    sa = ps.check(ps.getsockname(fd))
    if sa["family"] == ps.AF_INET:
        port = sa["port"]
        assert_type(port, int)
        return port
    raise AssertionError(describe(sa))


def peer_host(fd: int) -> str:
    """getpeername, then ``!=`` and an early exit."""
    peer = ps.getpeername(fd)
    if isinstance(peer, ps.Error):
        return peer.message
    if peer["family"] != ps.AF_INET:
        return describe(peer)
    return peer["addr"]


def accept_one(server: int) -> Tuple[int, str]:
    """accept, then ``assert``."""
    conn, peer = ps.check(ps.accept(server))
    assert peer["family"] == ps.AF_INET
    return conn, f"{peer['addr']}:{peer['port']}"


def echo_datagram(fd: int) -> str:
    """recvfrom, then reply to the source: an argument must not be AF_UNSPEC."""
    data, source = ps.check(ps.recvfrom(fd, 64))
    if source["family"] == ps.AF_UNSPEC:
        return "no source to reply to"
    ps.check(ps.sendto(fd, data, source))
    if source["family"] == ps.AF_INET or source["family"] == ps.AF_INET6:
        return f"{source['addr']}:{source['port']}"
    return describe(source)


def stream_source(fd: int) -> bool:
    """recvfrom on a stream socket: the kernel gives no address."""
    _, source = ps.check(ps.recvfrom(fd, 64))
    return source["family"] == ps.AF_UNSPEC


def message_source(fd: int) -> Optional[int]:
    """recvmsg: the source narrows the same way (AF_UNSPEC: none)."""
    data, items, flags, source = ps.check(ps.recvmsg(fd, 64))
    assert_type(items, List[ps.Cmsg])
    if source["family"] == ps.AF_INET:
        return source["port"] + len(data) * 0 + flags * 0
    return None


def fds_source(fd: int) -> Tuple[List[int], str]:
    """recv_fds over AF_UNIX."""
    _, fds, _, source = ps.check(ps.recv_fds(fd, 64, 4))
    if source["family"] == ps.AF_UNIX:
        return fds, source["path"]
    return fds, ""


def connect_any(host: str, port: int) -> Tuple[int, ps.AddrInfo]:
    """The getaddrinfo loop: each result feeds socket() and connect() as it is."""
    hints: ps.AddrInfoHints = {"socktype": ps.SOCK_STREAM, "flags": ps.AI_NUMERICHOST}
    for ai in ps.check(ps.getaddrinfo(host, port, hints)):
        assert_type(ai["socktype"], int)
        fd = ps.check(ps.socket(ai["family"], ai["socktype"], ai["protocol"]))
        if ai["family"] == ps.AF_INET6:
            assert_type(ai["scope_id"], int)
        if "canonname" in ai:
            assert_type(ai["canonname"], str)
        if not isinstance(ps.connect(fd, ai), ps.Error):
            return fd, ai
        os.close(fd)
    raise OSError(f"cannot connect to {host} port {port}")


def arguments() -> List[ps.SockAddrArg]:
    """Literal addresses of every family are arguments; AF_INET6 may leave
    out flowinfo and scope_id; an AddrInfo or a narrowed result is one too."""
    found = ps.check(ps.getaddrinfo("127.0.0.1", 80, {"flags": ps.AI_NUMERICHOST}))
    unix: ps.SockAddrUnix = {"family": ps.AF_UNIX, "path": "\0name"}
    args: List[ps.SockAddrArg] = [
        {"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1"},
        {"family": ps.AF_INET6, "port": 80, "addr": "::1"},
        {"family": ps.AF_INET6, "port": 80, "addr": "::1", "flowinfo": 0, "scope_id": 0},
        {"family": ps.AF_NETLINK, "pid": 0, "groups": 0},
        {"family": ps.AF_PACKET, "ifindex": 1},
        unix,
        found[0],
    ]
    return args


def main() -> None:
    server = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    udp = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    fds: List[int] = [server, udp]
    try:
        ps.check(ps.bind(server, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
        ps.check(ps.listen(server, 4))
        port = bound_port(server)
        client, ai = connect_any("127.0.0.1", port)
        fds.append(client)
        assert ai["family"] == ps.AF_INET and ai["port"] == port
        conn, who = accept_one(server)
        fds.append(conn)
        assert who == f"127.0.0.1:{bound_port(client)}"
        assert peer_host(conn) == "127.0.0.1" and port_of(ps.check(ps.getpeername(client))) == port
        ps.check(ps.send(client, b"x"))
        assert stream_source(conn)

        ps.check(ps.bind(udp, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
        where = ps.check(ps.getsockname(udp))
        assert where["family"] == ps.AF_INET
        ps.check(ps.sendto(udp, b"ping", where))  # to itself
        assert echo_datagram(udp) == f"127.0.0.1:{where['port']}"  # echoed to itself
        assert message_source(udp) == where["port"]

        one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
        fds += [one, two]
        ps.check(ps.send_fds(one, b"fd", [one]))
        got, path = fds_source(two)
        fds += got
        assert len(got) == 1 and path in ("", "\0")

        assert [describe(a) for a in (ps.check(ps.getsockname(one)),)] == ["unnamed"]
        assert describe({"family": ps.AF_UNSPEC}) == "no address"
        assert len(arguments()) == 7
    finally:
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    main()
