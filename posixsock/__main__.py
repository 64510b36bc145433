"""``python3 -m posixsock``: a self-check for a new machine.

Prints the version, which of the seed's constants this platform has, per
family whether this Python and this kernel have it, and one live loopback
round trip per family, each ``ok``, ``skipped (why)`` or ``FAILED`` with the
error triple.  Exits 1 only if something that should
work here failed.
"""
from __future__ import annotations

import errno
import _socket
import os
import struct
import sys
from typing import Callable, List, Optional, Tuple, TypeVar, Union

import posixsock as ps

_T = TypeVar("_T")
# errnos that mean "this machine cannot do that", not "posixsock is broken"
_UNAVAILABLE = {errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT, errno.EADDRNOTAVAIL,
                errno.EPERM, errno.EACCES, errno.ESOCKTNOSUPPORT, errno.ENODEV,
                errno.EOPNOTSUPP}


class Skip(Exception):
    """The check cannot run here."""


class Failed(Exception):
    """The check ran and posixsock misbehaved."""


def need(result: Union[_T, ps.Error], what: str, *, may_skip: bool = False) -> _T:
    """The success value, or Skip/Failed carrying the triple."""
    if isinstance(result, ps.Error):
        if may_skip and result.errnum in _UNAVAILABLE:
            raise Skip(f"{what}: {result.message}")
        raise Failed(f"{what}: {tuple(result)!r}")
    return result


def expect(ok: bool, what: str) -> None:
    if not ok:
        raise Failed(what)


class Fds:
    """Descriptors opened by one check, closed whatever happens."""

    def __init__(self) -> None:
        self.fds: List[int] = []

    def __call__(self, fd: int) -> int:
        self.fds.append(fd)
        return fd

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)


def _timeout(fd: int) -> None:
    need(ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_RCVTIMEO, 2, 0), "setsockopt")


def bound(fd: int) -> ps.SockAddrArg:
    """The address ``fd`` is bound to, to connect or send to."""
    where = ps.getsockname(fd)
    if isinstance(where, ps.Error):
        raise Failed(f"getsockname: {tuple(where)!r}")
    return where  # a socket's own address is never AF_UNSPEC (SockAddrBound)


def stream(fds: Fds, family: int, addr: ps.SockAddrArg) -> None:
    server = fds(need(ps.socket(family, ps.SOCK_STREAM, 0), "socket", may_skip=True))
    need(ps.bind(server, addr), "bind", may_skip=True)
    need(ps.listen(server, 4), "listen")
    where = bound(server)
    client = fds(need(ps.socket(family, ps.SOCK_STREAM, 0), "socket"))
    need(ps.connect(client, where), "connect")
    conn, _peer = need(ps.accept(server), "accept")
    fds(conn)
    _timeout(conn)
    expect(need(ps.send(client, b"ping"), "send") == 4, "send: short write")
    expect(need(ps.recv(conn, 16), "recv") == b"ping", "recv: wrong bytes")
    need(ps.shutdown(client, ps.SHUT_WR), "shutdown")
    expect(need(ps.recv(conn, 16), "recv") == b"", "recv: no end of stream")


def datagram(fds: Fds, family: int, addr: ps.SockAddrArg) -> None:
    receiver = fds(need(ps.socket(family, ps.SOCK_DGRAM, 0), "socket", may_skip=True))
    need(ps.bind(receiver, addr), "bind", may_skip=True)
    _timeout(receiver)
    where = bound(receiver)
    sender = fds(need(ps.socket(family, ps.SOCK_DGRAM, 0), "socket"))
    expect(need(ps.sendto(sender, b"ping", where), "sendto") == 4, "sendto: short write")
    data, _source = need(ps.recvfrom(receiver, 16), "recvfrom")
    expect(data == b"ping", "recvfrom: wrong bytes")


def unix_path(fds: Fds, kind: int) -> None:
    path = f"/tmp/posixsock-selfcheck-{os.getpid()}-{kind}"
    try:
        (stream if kind == ps.SOCK_STREAM else datagram)(fds, ps.AF_UNIX,
                                                         {"family": ps.AF_UNIX, "path": path})
    finally:
        if os.path.exists(path):
            os.unlink(path)


def netlink(fds: Fds) -> None:
    if ps.AF_NETLINK is None or ps.NETLINK_ROUTE is None:
        raise Skip("no AF_NETLINK on this platform")
    fd = fds(need(ps.socket(ps.AF_NETLINK, ps.SOCK_RAW, ps.NETLINK_ROUTE), "socket", may_skip=True))
    need(ps.bind(fd, {"family": ps.AF_NETLINK, "pid": 0, "groups": 0}), "bind")
    _timeout(fd)
    # RTM_GETLINK (18) dump request: nlmsghdr + ifinfomsg
    request = struct.pack("=IHHII", 32, 18, 0x301, 1, 0) + bytes(16)
    need(ps.sendto(fd, request, {"family": ps.AF_NETLINK, "pid": 0, "groups": 0}), "sendto")
    data, source = need(ps.recvfrom(fd, 65536), "recvfrom")
    expect(len(data) >= 16 and source.get("pid") == 0, "recvfrom: no kernel reply")


def packet(fds: Fds) -> None:
    if ps.AF_PACKET is None:
        raise Skip("no AF_PACKET on this platform")
    lo = need(ps.if_nametoindex("lo"), "if_nametoindex", may_skip=True)
    proto = 0x88B5  # IEEE local experimental ethertype, network order below
    fd = fds(need(ps.socket(ps.AF_PACKET, ps.SOCK_RAW, struct.unpack("<H", struct.pack(">H", proto))[0]),
                  "socket (needs root)", may_skip=True))
    need(ps.bind(fd, {"family": ps.AF_PACKET, "ifindex": lo}), "bind", may_skip=True)
    _timeout(fd)
    frame = bytes(6) + bytes(6) + struct.pack(">H", proto) + b"posixsock self-check"
    need(ps.sendto(fd, frame, {"family": ps.AF_PACKET, "ifindex": lo}), "sendto")
    for _ in range(8):  # loopback shows the frame going out and coming in
        data, source = need(ps.recvfrom(fd, 2048), "recvfrom")
        if data.endswith(b"posixsock self-check"):
            # the whole sockaddr_ll: protocol in host order, lo's hatype
            # (ARPHRD_LOOPBACK) and its all-zero 6-byte hardware address
            expect(source["family"] == ps.AF_PACKET and source.get("ifindex") == lo
                   and source.get("protocol") == proto and source.get("hatype") == 772
                   and source.get("haddr") == bytes(6), f"recvfrom: source {source}")
            return
    raise Failed("recvfrom: frame not seen")


def vsock(fds: Fds) -> None:
    if sys.platform != "linux" or ps.AF_VSOCK is None:  # a Linux family
        raise Skip("no AF_VSOCK on this platform")
    fd = fds(need(ps.socket(ps.AF_VSOCK, ps.SOCK_STREAM, 0), "socket", may_skip=True))
    need(ps.bind(fd, {"family": ps.AF_VSOCK, "cid": ps.VMADDR_CID_ANY,
                      "port": ps.VMADDR_PORT_ANY}), "bind", may_skip=True)
    need(ps.listen(fd, 1), "listen")
    name = ps.getsockname(fd)  # (need() would join the union's TypedDicts)
    if isinstance(name, ps.Error) or name["family"] != ps.AF_VSOCK or name["cid"] != ps.VMADDR_CID_ANY:
        raise Failed(f"getsockname: {name}")


CHECKS: List[Tuple[str, Callable[[Fds], None]]] = [
    ("unix stream (path)", lambda f: unix_path(f, ps.SOCK_STREAM)),
    ("unix dgram (path)", lambda f: unix_path(f, ps.SOCK_DGRAM)),
    ("unix stream (abstract)", lambda f: stream(
        f, ps.AF_UNIX, {"family": ps.AF_UNIX, "path": f"\0posixsock-{os.getpid()}-s"})),
    ("unix dgram (abstract)", lambda f: datagram(
        f, ps.AF_UNIX, {"family": ps.AF_UNIX, "path": f"\0posixsock-{os.getpid()}-d"})),
    ("tcp 127.0.0.1", lambda f: stream(f, ps.AF_INET, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"})),
    ("udp 127.0.0.1", lambda f: datagram(f, ps.AF_INET, {"family": ps.AF_INET, "port": 0, "addr": "127.0.0.1"})),
    ("tcp ::1", lambda f: stream(f, ps.AF_INET6, {"family": ps.AF_INET6, "port": 0, "addr": "::1"})),
    ("udp ::1", lambda f: datagram(f, ps.AF_INET6, {"family": ps.AF_INET6, "port": 0, "addr": "::1"})),
    ("netlink route", netlink),
    ("packet lo", packet),
    ("vsock bind/listen", vsock),
]

# (name, the number posixsock uses (None: none on this platform), a type to try)
_FAMILIES: List[Tuple[str, Optional[int], int]] = [
    ("AF_UNIX", ps.AF_UNIX, ps.SOCK_STREAM), ("AF_INET", ps.AF_INET, ps.SOCK_DGRAM),
    ("AF_INET6", ps.AF_INET6, ps.SOCK_DGRAM), ("AF_NETLINK", ps.AF_NETLINK, ps.SOCK_RAW),
    ("AF_PACKET", ps.AF_PACKET, ps.SOCK_RAW), ("AF_VSOCK", ps.AF_VSOCK, ps.SOCK_STREAM),
]


def families() -> List[str]:
    """Per family: does this Python convert its addresses (the stdlib has
    the constant, so getsockaddrarg/makesockaddr know it), and does this
    kernel make its sockets (EAFNOSUPPORT: no; EPERM/EACCES: yes, but not
    for this process)."""
    lines = []
    for name, family, kind in _FAMILIES:
        if family is None:
            lines.append(f"  {name:<11} not on {sys.platform}")
            continue
        python = "yes" if hasattr(_socket, name) else "no"
        fd = ps.socket(family, kind, 0)
        if isinstance(fd, ps.Error):
            kernel = ("yes (not permitted here)" if fd.errnum in (errno.EPERM, errno.EACCES)
                      else f"no ({fd.message})")
        else:
            os.close(fd)
            kernel = "yes"
        lines.append(f"  {name:<11} python: {python:<3}  kernel: {kernel}")
    return lines


def main(out: Optional[List[str]] = None) -> int:
    """Run the self-check, print the report, return the exit status."""
    lines: List[str] = [] if out is None else out
    lines.append(ps.version)
    missing = [name for name in ps.SEED_CONSTANTS if getattr(ps, name) is None]
    lines.append(f"luaposix's constants: {len(ps.SEED_CONSTANTS) - len(missing)} of "
                 f"{len(ps.SEED_CONSTANTS)} present"
                 + (f"; None here: {', '.join(missing)}" if missing else ""))
    lines.append("families (this Python / this kernel):")
    lines.extend(families())
    lines.append("one loopback round trip per family:")
    failed = 0
    for name, check in CHECKS:
        fds = Fds()
        try:
            check(fds)
            status = "ok"
        except Skip as why:
            status = f"skipped ({why})"
        except Failed as what:
            status = f"FAILED {what}"
            failed += 1
        finally:
            fds.close()
        lines.append(f"  {name:<24} {status}")
    lines.append("all checks passed" if not failed else f"{failed} check(s) FAILED")
    if out is None:
        print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
