"""posixsock.aio's calls narrow exactly as the sync calls do: test for
``Error`` first, then use the value."""
from __future__ import annotations

import asyncio

import posixsock as ps
from posixsock import aio


async def serve(listener: int) -> None:
    accepted = await aio.accept(listener)
    if isinstance(accepted, ps.Error):
        print(accepted.message)
        return
    conn, peer = accepted
    if peer["family"] == ps.AF_INET:
        print(peer["addr"], peer["port"] > 0)
    data = await aio.recv(conn, 2)
    if isinstance(data, ps.Error):
        return
    text: str = data.decode()
    sent = await aio.sendall(conn, text.encode())
    if not isinstance(sent, ps.Error):
        total: int = sent
        print(total)
    got = await aio.recvfrom(conn, 2)
    if not isinstance(got, ps.Error):
        payload, source = got
        print(payload, source["family"] == ps.AF_UNSPEC)
    fds = await aio.recv_fds(conn, 10, 1)
    if not isinstance(fds, ps.Error):
        for fd in fds[1]:
            print(await aio.close(fd))
    await aio.close(conn)


async def client(addr: ps.SockAddrInet) -> int:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    status = await aio.connect(fd, addr)
    if isinstance(status, ps.Error):
        return status.errnum
    await aio.send(fd, b"hi", ps.MSG_NOSIGNAL)
    msg = await aio.recvmsg(fd, 2, ps.CMSG_SPACE(4))
    if not isinstance(msg, ps.Error):
        print(msg[0], [item["level"] for item in msg[1]])
    await aio.sendmsg(fd, [b"a", b"b"])
    udp = ps.check(ps.socket(ps.AF_INET, ps.SOCK_DGRAM, 0))
    refused = await aio.send_fds(udp, b"x", [0])  # not AF_UNIX: an Error value
    print(isinstance(refused, ps.Error), await aio.sendto(udp, b"", addr))
    ps.check(await aio.close(udp))
    return ps.check(await aio.close(fd))


def main() -> None:
    listener = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK, 0))
    ps.check(ps.bind(listener, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"}))
    ps.check(ps.listen(listener, 1))
    address = ps.check(ps.getsockname(listener))
    assert address["family"] == ps.AF_INET

    async def both() -> None:
        await asyncio.gather(serve(listener), client(address))
    asyncio.run(both())
    ps.check(ps.shutdown(listener, ps.SHUT_RDWR))


if __name__ == "__main__":
    main()
