"""UDP over IPv4 and IPv6 loopback: a datagram out and a reply back, with
sendto/recvfrom, for 127.0.0.1 and ::1 (skipped where there is no IPv6).
"""
from __future__ import annotations

import os

import posixsock as ps

LOOPBACK = {ps.AF_INET: "127.0.0.1", ps.AF_INET6: "::1"}


def udp_socket(family: int) -> int:
    fd = ps.check(ps.socket(family, ps.SOCK_DGRAM, 0))
    ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
    return fd


def loopback(family: int) -> ps.SockAddrArg:
    # one literal per family: its TypedDict has that family's fields
    if family == ps.AF_INET6:
        return {"family": ps.AF_INET6, "port": 0, "addr": LOOPBACK[family]}
    return {"family": ps.AF_INET, "port": 0, "addr": LOOPBACK[family]}


def ping(family: int) -> None:
    server, client = udp_socket(family), udp_socket(family)
    try:
        bound = ps.bind(server, loopback(family))
        if isinstance(bound, ps.Error):
            print(f"{LOOPBACK[family]}: skipped ({bound.message})")
            return
        where = ps.check(ps.getsockname(server))
        assert where["family"] == ps.AF_INET or where["family"] == ps.AF_INET6
        ps.check(ps.sendto(client, b"ping", where))
        data, source = ps.check(ps.recvfrom(server, 100))
        assert source["family"] != ps.AF_UNSPEC  # a UDP datagram has a source
        ps.check(ps.sendto(server, data.replace(b"i", b"o"), source))
        reply, _ = ps.check(ps.recvfrom(client, 100))
        print(f"{where['addr']} port {where['port']}: sent {data!r}, got {reply!r}")
    finally:
        os.close(server)
        os.close(client)


if __name__ == "__main__":
    ping(ps.AF_INET)
    ping(ps.AF_INET6)
