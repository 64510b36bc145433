"""TCP echo server on 127.0.0.1: echoes each connection until the client
shuts down its side.

    python3 examples/tcp_echo_server.py [PORT [CONNECTIONS]]

Prints ``listening on 127.0.0.1 port N`` (port 0: the kernel picks), serves
CONNECTIONS clients (default 1) one after the other, then exits.  Every
wait is bounded by a 5 s timeout.
"""
from __future__ import annotations

import os
import sys

import posixsock as ps


def serve(conn: int) -> None:
    ps.check(ps.setsockopt(conn, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
    while True:
        data = ps.check(ps.recv(conn, 4096))
        if not data:  # end of stream: the client is done
            return
        while data:
            sent = ps.check(ps.send(conn, data, ps.MSG_NOSIGNAL))
            data = data[sent:]


def main(port: int, connections: int) -> None:
    server = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    try:
        ps.check(ps.setsockopt(server, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1))
        ps.check(ps.setsockopt(server, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))  # bounds accept
        ps.check(ps.bind(server, {"family": ps.AF_INET, "port": port, "addr": "127.0.0.1"}))
        ps.check(ps.listen(server, 8))
        where = ps.check(ps.getsockname(server))
        assert where["family"] == ps.AF_INET  # narrows: where["port"] is an int
        print(f"listening on {where['addr']} port {where['port']}", flush=True)
        for _ in range(connections):
            conn, peer = ps.check(ps.accept(server))
            assert peer["family"] == ps.AF_INET
            try:
                serve(conn)
            finally:
                os.close(conn)
            print(f"served {peer['addr']} port {peer['port']}", flush=True)
    finally:
        os.close(server)


if __name__ == "__main__":
    args = [int(arg) for arg in sys.argv[1:3]]
    main(args[0] if args else 0, args[1] if len(args) > 1 else 1)
