"""A Lua coroutine echo server, ported to posixsock.aio.

The luaposix original runs one coroutine per connection and resumes it
when ``posix.poll`` says its descriptor is ready -- the usual shape of a
luaposix (or cqueues) server::

    local S = require "posix.sys.socket"
    local P = require "posix.poll"
    local waiting = {}                        -- fd -> coroutine
    local function wait(fd) coroutine.yield(fd) end
    local function serve(conn)
      while true do
        wait(conn)
        local data, err = S.recv(conn, 4096)
        if not data or #data == 0 then break end
        S.send(conn, data)
      end
      unistd.close(conn)
    end
    -- main loop: poll every waiting fd, resume the coroutines whose fd is ready

With posixsock.aio the event loop is asyncio's, the coroutines are tasks,
and ``wait`` + the call are one awaited call; errors are the same triples.
This script serves on a loopback port and runs its own clients against it:

    python3 examples/coroutine_echo.py [CLIENTS]
"""
from __future__ import annotations

import asyncio
import sys
from typing import List

import posixsock as ps
from posixsock import aio


async def serve(conn: int) -> None:
    while True:
        data = await aio.recv(conn, 4096)  # Lua: wait(conn); S.recv(conn, 4096)
        if isinstance(data, ps.Error) or not data:
            break
        await aio.sendall(conn, data)  # Lua: S.send(conn, data)
    await aio.close(conn)


async def accept_loop(listener: int, count: int) -> None:
    tasks: List["asyncio.Task[None]"] = []
    for _ in range(count):
        accepted = await aio.accept(listener)
        if isinstance(accepted, ps.Error):
            sys.exit(f"accept: {accepted.message}")
        tasks.append(asyncio.ensure_future(serve(accepted[0])))
    await asyncio.gather(*tasks)


async def client(address: ps.SockAddrInet, number: int) -> str:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    ps.check(await aio.connect(fd, address))
    message = f"hello from client {number}".encode()
    ps.check(await aio.sendall(fd, message))
    reply = b""
    while len(reply) < len(message):
        data = ps.check(await aio.recv(fd, 4096))
        if not data:
            break
        reply += data
    await aio.close(fd)
    return reply.decode()


async def main(count: int) -> None:
    listener = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    ps.check(ps.setsockopt(listener, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1))
    ps.check(ps.bind(listener, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
    ps.check(ps.listen(listener, count))
    address = ps.check(ps.getsockname(listener))
    assert address["family"] == ps.AF_INET
    print(f"listening on 127.0.0.1 port {address['port']}")
    server = asyncio.ensure_future(accept_loop(listener, count))
    replies = await asyncio.wait_for(
        asyncio.gather(*(client(address, i) for i in range(count))), 5)
    await asyncio.wait_for(server, 5)
    await aio.close(listener)
    for reply in replies:
        print(f"echoed: {reply}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
