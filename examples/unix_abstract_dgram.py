"""Two AF_UNIX datagram sockets with Linux abstract names (a leading NUL:
no file is created) exchange a datagram each way.
"""
from __future__ import annotations

import os

import posixsock as ps


def endpoint(name: str) -> int:
    fd = ps.check(ps.socket(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
    ps.check(ps.bind(fd, {"family": ps.AF_UNIX, "path": name}))
    return fd


def main() -> None:
    alice_name = f"\0posixsock-example-alice-{os.getpid()}"
    bob_name = f"\0posixsock-example-bob-{os.getpid()}"
    alice, bob = endpoint(alice_name), endpoint(bob_name)
    try:
        ps.check(ps.sendto(alice, b"hi bob", {"family": ps.AF_UNIX, "path": bob_name}))
        data, source = ps.check(ps.recvfrom(bob, 100))
        assert source["family"] == ps.AF_UNIX  # alice has a name
        print(f"bob got {data!r} from {source['path']!r}")
        ps.check(ps.sendto(bob, b"hi alice", source))  # reply to the sender's name
        data, source = ps.check(ps.recvfrom(alice, 100))
        assert source["family"] == ps.AF_UNIX
        print(f"alice got {data!r} from {source['path']!r}")
    finally:
        os.close(alice)
        os.close(bob)


if __name__ == "__main__":
    main()
