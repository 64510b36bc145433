"""Type contract (issue 15): a socket's own address -- ``getsockname``,
``getpeername``, ``accept``'s peer -- is ``SockAddrBound``, never AF_UNSPEC,
so it goes back into ``connect``, ``bind``, ``sendto`` with no test; only
the calls that report a source (``recvfrom``, ``recvmsg``, ``recv_fds``)
give ``SockAddr``, which may be ``{"family": AF_UNSPEC}``.  An address built
by hand is annotated ``SockAddrArg`` (or its family's TypedDict).
``accept(fd, flags)`` takes accept4's flags."""
from __future__ import annotations

import errno
import os
from typing import List

from typing_extensions import assert_type

import posixsock as ps

BUILT: ps.SockAddrArg = {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}


def connect_to(listener: int) -> int:
    where = ps.check(ps.getsockname(listener))
    assert_type(where, ps.SockAddrBound)
    client = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    ps.check(ps.connect(client, where))  # no narrowing assert
    return client


def peer_path(conn: int) -> str:
    peer = ps.check(ps.getpeername(conn))
    assert_type(peer, ps.SockAddrBound)
    return peer["path"] if peer["family"] == ps.AF_UNIX else "?"


def rebind(fd: int, other: int) -> None:
    """bind another socket to an address of the same family as ``fd``'s
    (AF_INET6 too: a returned SockAddrInet6 is an argument)."""
    ps.check(ps.bind(other, ps.check(ps.getsockname(fd))))


def main() -> None:
    fds: List[int] = []
    try:
        listener = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
        fds.append(listener)
        ps.check(ps.bind(listener, BUILT))
        ps.check(ps.listen(listener, 4))
        fds.append(connect_to(listener))
        conn, peer = ps.check(ps.accept(listener, ps.SOCK_NONBLOCK | ps.SOCK_CLOEXEC))
        fds.append(conn)
        assert_type(peer, ps.SockAddrBound)
        assert not os.get_blocking(conn) and not os.get_inheritable(conn)
        os.set_blocking(listener, False)  # (the flags are the new fd's, not the wait's)
        again = ps.accept(listener, ps.SOCK_NONBLOCK)  # nobody else is connecting
        assert isinstance(again, ps.Error) and again.errnum == errno.EAGAIN
        one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
        fds += [one, two]
        assert peer_path(two) == ""  # unnamed, yet AF_UNIX
        ps.check(ps.send(one, b""))
        data, source = ps.check(ps.recvfrom(two, 16))
        assert_type(source, ps.SockAddr)  # may be AF_UNSPEC: a sender without a name
        assert data == b"" and source == {"family": ps.AF_UNSPEC}
        udp = ps.check(ps.socket(ps.AF_INET6, ps.SOCK_DGRAM, 0))
        fds.append(udp)
        ps.check(ps.bind(udp, {"family": ps.AF_INET6, "port": 0, "addr": "::1"}))
        other = ps.check(ps.socket(ps.AF_INET6, ps.SOCK_DGRAM, 0))
        fds.append(other)
        rebind(udp, other)
        # (unreachable: the second bind is EADDRINUSE and check() raises)
    except OSError as exc:
        assert exc.errno == 98, exc  # EADDRINUSE: the same port twice
    finally:
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    main()
