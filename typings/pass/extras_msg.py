"""Type contract (issue 5): sendmsg/recvmsg, descriptor passing, MSG_* flags.

Runs over an AF_UNIX socketpair.
"""
from __future__ import annotations

import os
from array import array
from typing import List, Tuple

from typing_extensions import assert_type

import posixsock as ps


def pass_pipe_end() -> Tuple[bytes, int]:
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM, 0))
    r, w = os.pipe()
    sent = ps.send_fds(one, b"fd", [w])
    assert not isinstance(sent, ps.Error)
    assert_type(sent, int)
    got = ps.recv_fds(two, 16, 1)
    if isinstance(got, ps.Error):
        raise OSError(got.errnum, got.message)
    data, fds, flags, source = got
    assert_type(data, bytes)
    assert_type(fds, List[int])
    assert_type(flags, int)
    assert_type(source, ps.SockAddr)
    for fd in fds + [one, two, r, w]:
        os.close(fd)
    return data, len(fds)


def gather_with_rights() -> List[ps.Cmsg]:
    one, two = ps.check(ps.socketpair(ps.AF_UNIX, ps.SOCK_DGRAM, 0))
    rights: ps.Cmsg = {"level": ps.SOL_SOCKET, "type": ps.SCM_RIGHTS,
                       "data": array("i", [one]).tobytes()}
    assert ps.check(ps.sendmsg(two, [b"a", bytearray(b"b"), memoryview(b"c")], [rights])) == 3
    data, items, msg_flags, source = ps.check(ps.recvmsg(one, 16, ps.CMSG_SPACE(4), ps.MSG_PEEK))
    assert_type(items, List[ps.Cmsg])
    for item in items:
        assert_type(item["level"], int)
        assert_type(item["data"], bytes)
        for fd in array("i", item["data"]):
            os.close(fd)
    assert data == b"abc" and msg_flags & ps.MSG_CTRUNC == 0 and source == {"family": ps.AF_UNSPEC}
    assert ps.recv(one, 16, ps.MSG_DONTWAIT) == b"abc"
    result = ps.recvmsg(one, 16, 0, ps.MSG_DONTWAIT)
    assert isinstance(result, ps.Error) and result.errnum > 0
    os.close(one)
    os.close(two)
    return items


if __name__ == "__main__":
    assert pass_pipe_end() == (b"fd", 1)
    assert len(gather_with_rights()) == 1
    size: int = ps.CMSG_LEN(4) + ps.CMSG_SPACE(4)
    assert size > 8
