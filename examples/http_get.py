"""HTTP/1.0 GET client, ported from a luaposix program: resolve the host with
getaddrinfo, try each address until connect succeeds, send the request,
read until the server closes, print the response.

    python3 examples/http_get.py HOST PORT [PATH]

Prints the response (status line, headers, body) on stdout and the local
address on stderr; on failure prints the error triple and exits 1.  Each
comment marked "Lua:" names an idiom the port had to change (README,
"Porting from Lua").
"""
from __future__ import annotations

import os
import sys
from typing import List, Tuple, Union

import posixsock as ps

TIMEOUT = (5, 0)  # (sec, usec), struct timeval


def connect(host: str, port: str) -> Union[int, ps.Error]:
    """A connected stream socket to the first address of ``host`` that
    accepts, or the last error."""
    # Lua: the result and the error arrive as separate values and
    # "if not res then" tests the first.  Here one value comes back, an
    # Error when the call failed: test its type.
    res = ps.getaddrinfo(host, port, {"family": ps.AF_UNSPEC, "socktype": ps.SOCK_STREAM})
    if isinstance(res, ps.Error):
        return res
    last: ps.Error = ps.Error(None, "no address", 0)
    for addr in res:
        # Lua: assert(socket(...)).  Python's assert would test the value's
        # truth -- an fd 0 is false, an Error true -- so the port is check(),
        # which returns the fd or raises OSError.
        fd = ps.check(ps.socket(addr["family"], ps.SOCK_STREAM, 0))
        # Lua: the script had no timeout.  SO_RCVTIMEO/SO_SNDTIMEO take
        # (sec, usec), like struct timeval, so a silent server cannot hang us.
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, *TIMEOUT))
        ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO, *TIMEOUT))
        # getaddrinfo's entries carry socktype/protocol and go to connect as-is.
        r = ps.connect(fd, addr)
        if not isinstance(r, ps.Error):  # Lua: "if err then"; success is 0, falsy here
            return fd
        last = r
        os.close(fd)  # Lua: posix.unistd.close; a descriptor is an int for os.*
    return last


def send_all(fd: int, data: bytes) -> Union[int, ps.Error]:
    # Lua: the script ignored send's count.  send may take fewer bytes
    # than offered (a full buffer, a signal): send the rest.
    while data:
        n = ps.send(fd, data)
        if isinstance(n, ps.Error):
            return n
        data = data[n:]
    return 0


def receive_all(fd: int) -> Union[bytes, ps.Error]:
    chunks: List[bytes] = []
    while True:
        data = ps.recv(fd, 4096)
        # Lua: "if not b or #b == 0 then break" stops on an error (nil) and
        # on end of stream alike.  Here "if not data" would miss an Error --
        # a non-empty tuple, always true -- and append it: narrow first.
        if isinstance(data, ps.Error):
            return data
        if not data:  # b"": the server closed, the response is complete
            return b"".join(chunks)
        chunks.append(data)


def http_get(host: str, port: str, path: str) -> Union[Tuple[ps.SockAddr, bytes], ps.Error]:
    fd = connect(host, port)
    if isinstance(fd, ps.Error):
        return fd
    try:
        local = ps.getsockname(fd)
        if isinstance(local, ps.Error):
            return local
        request = f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
        sent = send_all(fd, request)
        if isinstance(sent, ps.Error):
            return sent
        body = receive_all(fd)
        if isinstance(body, ps.Error):
            return body
        return local, body
    finally:
        os.close(fd)  # on every path: the descriptor is ours to close


def main(argv: List[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    host, port = argv[1], argv[2]
    path = argv[3] if len(argv) == 4 else "/"
    got = http_get(host, port, path)
    if isinstance(got, ps.Error):
        # Lua: error(err) raised the message; here the triple is a value
        # to report (ps.check(got) would raise ConnectionRefusedError, ...).
        _, message, errnum = got
        print(f"http_get: {message} (errnum {errnum})", file=sys.stderr)
        return 1
    local, response = got
    print(f"local socket bound to {local.get('addr')} port {local.get('port')}", file=sys.stderr)
    sys.stdout.buffer.write(response)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
