"""Type contract: the Lua idioms README's "Porting from Lua" table gives, as
a port writes them, check clean under both checkers and run.

``local AF_UNIX, bind = S.AF_UNIX, S.bind`` becomes a from-import (or a
``Final`` alias), which keeps ``AF_UNIX``'s literal type, so the address
dict type-checks; ``assert(fd, err)`` keeps its message with ``isinstance``;
``if S.AF_NETLINK ~= nil`` becomes a ``sys.platform`` test; a loop's last
error is raised by ``check()``, which is NoReturn for an ``Error`` alone.
Runs over an abstract AF_UNIX datagram pair and netlink.
"""
from __future__ import annotations

import os
import sys
from typing import Final, List

from typing_extensions import assert_type

import posixsock as S
from posixsock import AF_UNIX, SOCK_DGRAM, bind, recv, sendto, socket

AF_INET: Final = S.AF_INET  # a Final alias keeps the literal type too


def server(name: str) -> int:
    s = socket(AF_UNIX, SOCK_DGRAM, 0)
    assert not isinstance(s, S.Error), s.message  # Lua: assert(s, errmsg)
    assert_type(s, int)
    rc = bind(s, {"family": AF_UNIX, "path": "\0" + name})
    assert rc == 0, rc  # Lua: assert(rc == 0, errmsg)
    return s


def client(name: str, text: str) -> int:
    s = S.check(socket(AF_UNIX, SOCK_DGRAM, 0))
    sent = S.check(sendto(s, text.encode(), {"family": AF_UNIX, "path": "\0" + name}))
    os.close(s)
    return sent


def netlink_pid() -> int:
    if sys.platform == "linux":  # Lua: if p.AF_NETLINK ~= nil then
        fd = socket(S.AF_NETLINK, SOCK_DGRAM, S.NETLINK_ROUTE)
        if isinstance(fd, S.Error):  # a sandbox without netlink
            return -1
        S.check(bind(fd, {"family": S.AF_NETLINK, "pid": 0, "groups": 0}))
        sa = S.check(S.getsockname(fd))
        os.close(fd)
        assert sa["family"] == S.AF_NETLINK
        return sa["pid"]
    return -1


def first_bound(ports: List[int]) -> int:
    last = S.Error(None, "bind: no address", 0)
    for port in ports:
        fd = S.check(socket(AF_INET, SOCK_DGRAM, 0))
        r = bind(fd, {"family": AF_INET, "port": port, "addr": "127.0.0.1"})
        if isinstance(r, S.Error):
            os.close(fd)
            last = r
            continue
        return fd
    S.check(last)  # Lua: error(err)


def main() -> None:
    name = f"posixsock-porting-{os.getpid()}"
    s = server(name)
    assert client(name, "test data") == 9
    data = recv(s, 1024)
    if isinstance(data, S.Error):
        raise SystemExit(data.message)
    assert "Got packet: [" + data.decode() + "]" == "Got packet: [test data]"  # tostring(dgram)
    os.close(s)
    assert netlink_pid() != 0  # -1: no netlink here; the kernel never assigns 0
    os.close(first_bound([0]))


if __name__ == "__main__":
    main()
