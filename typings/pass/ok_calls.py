"""Type contract: results are narrowed before use, by isinstance or check().

Type-checks under ``mypy --strict`` and pyright strict (also for 3.9) and runs
(``python3 typings/pass/ok_calls.py``): a TCP round trip over 127.0.0.1.
"""
from __future__ import annotations

import os
from typing import List, Tuple, Union

from typing_extensions import assert_type

import posixsock as ps


def listener() -> Tuple[int, ps.SockAddrInet]:
    # isinstance narrowing: the error branch leaves, the rest is the success type
    fd = ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0)
    if isinstance(fd, ps.Error):
        raise OSError(fd.errnum, fd.message)
    assert_type(fd, int)
    ok = ps.bind(fd, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"})
    if isinstance(ok, ps.Error):
        raise OSError(ok.errnum, ok.message)
    assert_type(ok, int)
    # check(): the success value, or OSError(errnum, message)
    ps.check(ps.listen(fd, 4))
    where = ps.check(ps.getsockname(fd))
    assert_type(where, ps.SockAddrBound)  # never AF_UNSPEC: goes back in as it is
    assert where["family"] == ps.AF_INET  # narrows to the AF_INET TypedDict
    assert_type(where, ps.SockAddrInet)
    return fd, where


def error_fields(result: Union[bytes, ps.Error]) -> str:
    if isinstance(result, ps.Error):
        assert_type(result.value, None)
        assert_type(result.message, str)
        assert_type(result.errnum, int)
        value, message, errnum = result  # unpacks like luaposix's three values
        assert_type(value, None)
        return f"{message} ({errnum})"
    assert_type(result, bytes)
    return result.decode()


def first_to_connect(addrs: List[ps.SockAddrArg]) -> int:
    """The getaddrinfo-style loop: the last error, if every address failed,
    is raised by check(), whose type for an ``Error`` alone is NoReturn, so
    the function needs no return or raise after it (Lua: ``error(err)``)."""
    last = ps.Error(None, "connect: no address", 0)
    for addr in addrs:
        fd = ps.check(ps.socket(addr["family"], ps.SOCK_STREAM, 0))
        r = ps.connect(fd, addr)
        if isinstance(r, ps.Error):
            os.close(fd)
            last = r
            continue
        return fd
    ps.check(last)


def main() -> None:
    server, where = listener()
    client = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    fds: List[int] = [server, client]
    try:
        assert ps.check(ps.setsockopt(client, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0)) == 0
        assert ps.check(ps.connect(client, where)) == 0
        accepted = ps.accept(server)
        if isinstance(accepted, ps.Error):
            raise OSError(accepted.errnum, accepted.message)
        conn, peer = accepted  # unpack after narrowing
        assert_type(conn, int)
        assert_type(peer, ps.SockAddrBound)
        fds.append(conn)
        sent = ps.check(ps.send(client, b"ping"))
        assert_type(sent, int)
        data = ps.check(ps.recv(conn, 16))
        assert_type(data, bytes)
        assert data == b"ping"
        ps.check(ps.send(conn, bytearray(b"pong")))
        data, source = ps.check(ps.recvfrom(client, 16))
        assert_type(source, ps.SockAddr)
        assert source["family"] == ps.AF_UNSPEC
        assert error_fields(ps.recv(-1, 1)) == "Bad file descriptor (9)"
        ps.check(ps.shutdown(client, ps.SHUT_RDWR))
        one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
        fds += [one, two]
        lo = ps.check(ps.if_nametoindex("lo"))
        assert_type(lo, int)
        fds.append(first_to_connect([{"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"},
                                     where]))
        try:
            first_to_connect([])
        except OSError as exc:
            assert str(exc) == "[Errno 0] connect: no address"
    finally:
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    main()
