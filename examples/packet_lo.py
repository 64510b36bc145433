"""A packet socket on the loopback interface (root only): capture one of
our own UDP datagrams to 127.0.0.1 as it passes through ``lo``.

Exits 77 (skipped) where packet sockets are not allowed or not available.
"""
from __future__ import annotations

import os
import sys

import posixsock as ps

ETH_P_IP = 0x0800
SKIP = 77


def main() -> int:
    if sys.platform != "linux":  # AF_PACKET is Linux's (None elsewhere)
        print("skipped: no AF_PACKET on this platform")
        return SKIP
    # The protocol is in network byte order, as C passes htons(ETH_P_IP).
    proto = int.from_bytes(ETH_P_IP.to_bytes(2, "big"), sys.byteorder)
    sniffer = ps.socket(ps.AF_PACKET, ps.SOCK_DGRAM, proto)
    if isinstance(sniffer, ps.Error):
        print(f"skipped: {sniffer.message}")
        return SKIP
    udp = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    try:
        lo = ps.check(ps.if_nametoindex("lo"))
        ps.check(ps.bind(sniffer, {"family": ps.AF_PACKET, "ifindex": lo}))
        ps.check(ps.setsockopt(sniffer, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 1, 0))
        ps.check(ps.bind(udp, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
        marker = f"posixsock packet example {os.getpid()}".encode()
        where = ps.check(ps.getsockname(udp))
        assert where["family"] == ps.AF_INET
        ps.check(ps.sendto(udp, marker, where))
        for _ in range(100):  # bounded: other loopback traffic may come first
            packet = ps.recvfrom(sniffer, 65536)
            if isinstance(packet, ps.Error):
                print(f"no packet seen: {packet.message}")
                return 1
            data, source = packet
            if marker in data and source["family"] == ps.AF_PACKET:
                print(f"captured {len(data)}-byte IPv4 packet on ifindex {source['ifindex']}")
                return 0
        print("our datagram was not seen")
        return 1
    finally:
        os.close(sniffer)
        os.close(udp)


if __name__ == "__main__":
    sys.exit(main())
