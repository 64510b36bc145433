"""Type contract: setsockopt takes one or two values; getsockopt returns an
``OptValue`` (int, Timeval, Linger, str, ...) to narrow before use."""
from __future__ import annotations

import os
from typing import Union, cast

from typing_extensions import assert_type

import posixsock as ps


def timeout_seconds(fd: int) -> float:
    value = ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO)
    if isinstance(value, ps.Error):
        raise OSError(value.errnum, value.message)
    assert_type(value, ps.OptValue)
    if isinstance(value, (int, str)):
        raise TypeError(value)
    # The option number does not tell mypy which TypedDict comes back.
    timeval = cast(ps.Timeval, value)
    return timeval["tv_sec"] + timeval["tv_usec"] / 1e6


def linger(fd: int) -> ps.Linger:
    value = ps.check(ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER))
    assert_type(value, ps.OptValue)  # check() keeps the union
    if isinstance(value, (int, str)):
        raise TypeError(value)
    return cast(ps.Linger, value)


def reuse(fd: int) -> bool:
    value: Union[ps.OptValue, ps.Error] = ps.getsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR)
    return isinstance(value, int) and value != 0


def main() -> None:
    fd = ps.check(ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0))
    try:
        assert ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_REUSEADDR, 1)) == 0
        assert ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 2, 500000)) == 0
        assert ps.check(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_LINGER, 1, 0)) == 0
        assert timeout_seconds(fd) == 2.5
        assert reuse(fd)
        assert linger(fd) == {"l_onoff": 1, "l_linger": 0}
    finally:
        os.close(fd)


if __name__ == "__main__":
    main()
