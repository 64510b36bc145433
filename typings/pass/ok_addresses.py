"""Type contract: SockAddr and AddrInfoHints are TypedDicts.

``family`` is always there; the other keys depend on it, so reading them is
typed ``int``/``str`` with ``[]`` and ``Optional`` with ``.get``.
"""
from __future__ import annotations

from typing import List, Optional

from typing_extensions import assert_type

import posixsock as ps

INET: ps.SockAddr = {"family": ps.AF_INET, "port": 80, "addr": "127.0.0.1"}
INET6: ps.SockAddr = {"family": ps.AF_INET6, "port": 80, "addr": "::1", "flowinfo": 0, "scope_id": 0}
UNIX: ps.SockAddr = {"family": ps.AF_UNIX, "path": "\0abstract"}
NETLINK: ps.SockAddr = {"family": ps.AF_NETLINK, "pid": 0, "groups": 0}
PACKET: ps.SockAddr = {"family": ps.AF_PACKET, "ifindex": 1}
HINTS: ps.AddrInfoHints = {"family": ps.AF_INET, "socktype": ps.SOCK_STREAM, "flags": ps.AI_NUMERICHOST}


def describe(addr: ps.SockAddr) -> str:
    family = addr["family"]
    assert_type(family, int)
    if family == ps.AF_INET or family == ps.AF_INET6:
        return f"{addr['addr']}:{addr['port']}"
    if family == ps.AF_UNIX:
        return repr(addr["path"])
    port: Optional[int] = addr.get("port")
    return f"family {family} port {port}"


def ports(host: str) -> List[int]:
    found = ps.getaddrinfo(host, "80", HINTS)
    if isinstance(found, ps.Error):
        return []
    assert_type(found, List[ps.SockAddr])
    return [entry["port"] for entry in found if entry["socktype"] == ps.SOCK_STREAM]


def main() -> None:
    assert describe(INET) == "127.0.0.1:80"
    assert describe(UNIX) == repr("\0abstract")
    assert ports("127.0.0.1") == [80]
    assert ps.getaddrinfo(None, 80) != []
    assert isinstance(ps.getaddrinfo("x y", None, {"flags": ps.AI_NUMERICHOST}), ps.Error)
    for addr in (INET6, NETLINK, PACKET):
        assert describe(addr)


if __name__ == "__main__":
    main()
