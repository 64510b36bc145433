"""TCP echo client: sends a message to an echo server on 127.0.0.1 and
prints what comes back.

    python3 examples/tcp_echo_client.py PORT [MESSAGE]
"""
from __future__ import annotations

import os
import sys

import posixsock as ps


def echo(port: int, message: bytes) -> bytes:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    try:
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
        ps.check(ps.connect(fd, {"family": ps.AF_INET, "port": port, "addr": "127.0.0.1"}))
        while message:
            message = message[ps.check(ps.send(fd, message)):]
        ps.check(ps.shutdown(fd, ps.SHUT_WR))  # tells the server we are done
        reply = b""
        while True:
            data = ps.check(ps.recv(fd, 4096))
            if not data:
                return reply
            reply += data
    finally:
        os.close(fd)


if __name__ == "__main__":
    text = sys.argv[2] if len(sys.argv) > 2 else "hello, echo"
    print(echo(int(sys.argv[1]), text.encode()).decode())
