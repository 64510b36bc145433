"""Passing a descriptor to a child process over an AF_UNIX socketpair.

The parent opens a pipe, sends its write end to a child process with
send_fds, and reads what the child writes through the descriptor it
received (close-on-exec, so it goes no further than the child).
"""
from __future__ import annotations

import os
import subprocess
import sys

import posixsock as ps


def child(sock: int) -> None:
    ps.check(ps.setsockopt(sock, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 5, 0))
    data, fds, _, _ = ps.check(ps.recv_fds(sock, 100, 1))
    if len(fds) != 1:
        sys.exit(f"child: expected one descriptor, got {fds}")
    os.write(fds[0], b"written by the child through " + data)
    os.close(fds[0])
    os.close(sock)


def parent() -> None:
    mine, theirs = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(theirs)],
                            pass_fds=[theirs])
    try:
        os.close(theirs)
        ps.check(ps.send_fds(mine, b"a passed descriptor", [write_end]))
        os.close(write_end)  # the child's copy is now the only write end
        if proc.wait(timeout=10) != 0:
            sys.exit("child failed")
        print(os.read(read_end, 1000).decode())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(mine)
        os.close(read_end)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        parent()
