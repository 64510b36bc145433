"""Issue 17's families: the whole ``sockaddr_ll`` of AF_PACKET, and AF_VSOCK.

Packet frames are sent on ``lo`` only.  C (gcc) is the reference for what
the kernel returns: one test compiles a small C program that captures the
same kind of datagram and prints the ``sockaddr_ll`` fields it got.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Set

import pytest

import posixsock as ps
from _privileges import has, packet_denied, vsock_denied
from conftest import Fds

ROOT = Path(__file__).resolve().parent.parent
ETHERTYPE = 0x88B5  # IEEE local experimental; above 0x7FFF, so a sign slip shows
EINVAL_BIND = (None, "not a valid IPv4 or IPv6 argument: Invalid argument", 22)  # luaposix's words

needs_packet = pytest.mark.skipif(packet_denied() is not None, reason=str(packet_denied()))
AF_VSOCK = 40  # the Linux number, whether or not this Python knows the family
has_packet = has("AF_PACKET")
has_vsock = has("AF_VSOCK")
needs_vsock = pytest.mark.skipif(vsock_denied() is not None, reason=str(vsock_denied()))


def htons(value: int) -> int:
    return int(struct.unpack("=H", struct.pack(">H", value))[0])


def lo_index() -> int:
    return ps.check(ps.if_nametoindex("lo"))


def udp_marker_over_lo(fds: Fds, marker: bytes) -> None:
    """Send one UDP datagram carrying ``marker`` to 127.0.0.1 over lo."""
    udp, where = fds.bound(ps.SOCK_DGRAM, {"family": ps.AF_INET, "port": 0,
                                           "addr": "127.0.0.1"})
    assert ps.sendto(udp, marker, where) == len(marker)


def captured(fd: int, marker: bytes, wanted: int) -> List[ps.SockAddr]:
    """Sources of the frames carrying ``marker``, until ``wanted`` seen."""
    seen: List[ps.SockAddr] = []
    for _ in range(200):  # bounded: other loopback traffic may come first
        got = ps.recvfrom(fd, 65536)
        if isinstance(got, ps.Error):
            break  # SO_RCVTIMEO: nothing more
        data, source = got
        if marker in data:
            seen.append(source)
            if len(seen) == wanted:
                break
    return seen


# --- AF_PACKET ---------------------------------------------------------------

@needs_packet
def test_packet_sees_udp_over_lo_with_the_whole_address(fds: Fds) -> None:
    """A packet socket for every protocol sees our UDP datagram to 127.0.0.1
    twice on lo, outgoing and incoming: protocol ETH_P_IP (host order),
    hatype ARPHRD_LOOPBACK, a 6-byte zero hardware address."""
    lo = lo_index()
    fd = fds.timeouts(fds.socket(ps.AF_PACKET, ps.SOCK_RAW, htons(0x0003)), 1)
    assert ps.bind(fd, {"family": ps.AF_PACKET, "ifindex": lo}) == 0
    marker = b"posixsock issue 17 %d" % os.getpid()
    udp_marker_over_lo(fds, marker)
    sources = captured(fd, marker, 2)
    assert len(sources) == 2, sources
    pkttypes: Set[int] = set()
    for source in sources:
        assert source["family"] == ps.AF_PACKET
        assert source["ifindex"] == lo
        assert source["protocol"] == ps.ETH_P_IP == 0x0800
        assert source["hatype"] == ps.ARPHRD_LOOPBACK == 772
        assert source["haddr"] == bytes(6)
        pkttypes.add(source["pkttype"])
    assert pkttypes == {ps.PACKET_HOST, ps.PACKET_OUTGOING}


@needs_packet
def test_packet_protocol_socket_sees_the_incoming_copy(fds: Fds) -> None:
    """Bound to ETH_P_IP (a protocol, not ETH_P_ALL), only the incoming copy
    arrives: PACKET_HOST; getsockname gives the bound protocol back."""
    lo = lo_index()
    fd = fds.timeouts(fds.socket(ps.AF_PACKET, ps.SOCK_DGRAM, htons(0x0800)), 1)
    assert ps.bind(fd, {"family": ps.AF_PACKET, "ifindex": lo, "protocol": ps.ETH_P_IP}) == 0
    name = ps.check(ps.getsockname(fd))
    assert name["family"] == ps.AF_PACKET
    assert (name["ifindex"], name["protocol"], name["hatype"]) == (lo, 0x0800, 772)
    marker = b"posixsock issue 17 host %d" % os.getpid()
    udp_marker_over_lo(fds, marker)
    sources = captured(fd, marker, 1)
    assert len(sources) == 1
    assert sources[0]["family"] == ps.AF_PACKET
    assert sources[0]["pkttype"] == ps.PACKET_HOST


@needs_packet
def test_packet_sendto_with_a_full_address_arrives(fds: Fds) -> None:
    """SOCK_DGRAM packet sockets: the kernel builds the link header from the
    address's protocol and haddr.  The frame arrives at a socket bound to
    that protocol (so the protocol reached the kernel in network order), and
    its source says so in host order."""
    lo = lo_index()
    receiver = fds.timeouts(fds.socket(ps.AF_PACKET, ps.SOCK_DGRAM, htons(ETHERTYPE)), 1)
    assert ps.bind(receiver, {"family": ps.AF_PACKET, "ifindex": lo, "protocol": ETHERTYPE}) == 0
    sender = fds.socket(ps.AF_PACKET, ps.SOCK_DGRAM, 0)
    payload = b"posixsock issue 17 frame %d" % os.getpid()
    to: ps.SockAddrPacketArg = {"family": ps.AF_PACKET, "ifindex": lo, "protocol": ETHERTYPE,
                                "pkttype": 0, "hatype": 0, "haddr": bytes(6)}
    assert ps.sendto(sender, payload, to) == len(payload)
    sources = captured(receiver, payload, 1)
    assert len(sources) == 1
    source = sources[0]
    assert source["family"] == ps.AF_PACKET
    assert (source["ifindex"], source["protocol"], source["haddr"]) == (lo, ETHERTYPE, bytes(6))


@needs_packet
def test_packet_recvmsg_and_recv_fds_receive_as_c_does(fds: Fds) -> None:
    """AF_PACKET's recvmsg refuses MSG_CMSG_CLOEXEC as an unknown flag
    (EINVAL, nothing taken); C's recvmsg(fd, &msg, 0) receives the frame.
    posixsock adds that flag for SCM_RIGHTS, which packet sockets never
    carry: recvmsg, recv_fds and aio's recvmsg receive the frame and its
    whole source, and a caller's own MSG_CMSG_CLOEXEC stays EINVAL, as in C."""
    import asyncio

    from posixsock import aio

    lo = lo_index()
    receiver = fds.timeouts(fds.socket(ps.AF_PACKET, ps.SOCK_DGRAM, htons(ETHERTYPE)), 1)
    assert ps.bind(receiver, {"family": ps.AF_PACKET, "ifindex": lo, "protocol": ETHERTYPE}) == 0
    sender = fds.socket(ps.AF_PACKET, ps.SOCK_DGRAM, 0)
    to: ps.SockAddrPacketArg = {"family": ps.AF_PACKET, "ifindex": lo, "protocol": ETHERTYPE,
                                "haddr": bytes(6)}

    def frame(tag: bytes) -> bytes:
        payload = b"posixsock r2-22 recvmsg %d " % os.getpid() + tag
        assert ps.sendto(sender, payload, to) == len(payload)
        return payload

    def check_source(source: ps.SockAddr) -> None:
        assert source["family"] == ps.AF_PACKET
        assert (source["ifindex"], source["protocol"], source["pkttype"]) == (
            lo, ETHERTYPE, ps.PACKET_HOST)

    payload = frame(b"recvmsg")
    data, items, flags, source = ps.check(ps.recvmsg(receiver, 1000, 64))
    assert (data, items, flags) == (payload, [], 0)
    check_source(source)
    payload = frame(b"recv_fds")
    data, got_fds, flags, source = ps.check(ps.recv_fds(receiver, 1000, 4))
    assert (data, got_fds, flags) == (payload, [], 0)
    check_source(source)
    payload = frame(b"aio")
    got = asyncio.run(asyncio.wait_for(aio.recvmsg(receiver, 1000), 5))
    data, items, flags, source = ps.check(got)
    assert (data, items, flags) == (payload, [], 0)
    check_source(source)
    payload = frame(b"left")
    cloexec = ps.MSG_CMSG_CLOEXEC
    assert cloexec is not None  # Linux
    assert ps.recvmsg(receiver, 1000, 0, cloexec) == (None, "recvmsg: Invalid argument", 22)
    assert ps.check(ps.recvmsg(receiver, 1000))[0] == payload  # the refused call took nothing


@needs_packet
@pytest.mark.parametrize("field, value", [
    ("protocol", -1), ("protocol", 0x10000), ("pkttype", -1), ("pkttype", 256),
    ("hatype", -1), ("hatype", 0x10000), ("haddr", bytes(9)),
])
def test_packet_field_c_cannot_hold_is_einval(fds: Fds, field: str, value: object) -> None:
    fd = fds.socket(ps.AF_PACKET, ps.SOCK_RAW, 0)
    addr = {"family": ps.AF_PACKET, "ifindex": lo_index(), field: value}
    assert ps.bind(fd, addr) == EINVAL_BIND  # type: ignore[arg-type]


@has_packet
def test_packet_field_types_are_checked() -> None:
    with pytest.raises(TypeError, match=r"^bad argument #2 to 'bind' \(bytes expected for field 'haddr', got str\)$"):
        ps.bind(0, {"family": ps.AF_PACKET, "ifindex": 1, "haddr": "00:00"})  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match=r"'bind' \(int expected for field 'protocol', got str\)"):
        ps.bind(0, {"family": ps.AF_PACKET, "ifindex": 1, "protocol": "ip"})  # type: ignore[typeddict-item]
    with pytest.raises(ValueError, match=r"bind.*invalid field name 'addr'"):
        ps.bind(0, {"family": ps.AF_PACKET, "ifindex": 1, "addr": b""})  # type: ignore[typeddict-unknown-key]


C_CAPTURE = r"""
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *marker = argv[1];
    int p = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    struct sockaddr_ll ll;
    memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_ifindex = if_nametoindex("lo");
    if (p < 0 || bind(p, (struct sockaddr *)&ll, sizeof ll) < 0) { perror("packet"); return 2; }
    struct timeval tv = {1, 0};
    setsockopt(p, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in in;
    socklen_t inlen = sizeof in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(u, (struct sockaddr *)&in, sizeof in);
    getsockname(u, (struct sockaddr *)&in, &inlen);
    sendto(u, marker, strlen(marker), 0, (struct sockaddr *)&in, sizeof in);
    int seen = 0;
    for (int i = 0; i < 200 && seen < 2; i++) {
        char buf[65536];
        struct sockaddr_ll from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(p, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) break;
        if (!memmem(buf, n, marker, strlen(marker))) continue;
        seen++;
        printf("%d %d %d %d ", from.sll_ifindex, ntohs(from.sll_protocol), from.sll_pkttype,
               from.sll_hatype);
        for (int j = 0; j < from.sll_halen; j++) printf("%02x", from.sll_addr[j]);
        printf("\n");
    }
    return 0;
}
"""


@needs_packet
@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc to build the C reference")
def test_packet_source_fields_match_c(fds: Fds, tmp_path: Path) -> None:
    """C's recvfrom on an ETH_P_ALL socket bound to lo and posixsock's
    report the same fields for the same kind of datagram."""
    source = tmp_path / "capture.c"
    source.write_text(C_CAPTURE)
    binary = tmp_path / "capture"
    subprocess.run(["gcc", "-O0", "-o", str(binary), str(source)], check=True, timeout=120)
    marker = "posixsock-c-%d" % os.getpid()
    out = subprocess.run([str(binary), marker], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    c_lines = sorted(out.stdout.splitlines())
    assert len(c_lines) == 2, out.stdout

    fd = fds.timeouts(fds.socket(ps.AF_PACKET, ps.SOCK_RAW, htons(0x0003)), 1)
    assert ps.bind(fd, {"family": ps.AF_PACKET, "ifindex": lo_index()}) == 0
    ours = marker.replace("-c-", "-py-").encode()
    udp_marker_over_lo(fds, ours)
    lines: List[str] = []
    for sa in captured(fd, ours, 2):
        assert sa["family"] == ps.AF_PACKET
        lines.append(f"{sa['ifindex']} {sa['protocol']} {sa['pkttype']} {sa['hatype']} "
                     f"{sa['haddr'].hex()}")
    assert sorted(lines) == c_lines


# --- AF_VSOCK ----------------------------------------------------------------

@needs_vsock
def test_vsock_bind_any_listen_getsockname(fds: Fds) -> None:
    fd = fds.socket(AF_VSOCK, ps.SOCK_STREAM, 0)
    any_port: ps.SockAddrVsock = {"family": ps.AF_VSOCK, "cid": ps.VMADDR_CID_ANY,
                                  "port": ps.VMADDR_PORT_ANY}
    assert ps.bind(fd, any_port) == 0
    assert ps.listen(fd, 4) == 0
    name = ps.check(ps.getsockname(fd))
    assert name["family"] == ps.AF_VSOCK
    assert set(name) == {"family", "cid", "port"}
    assert name["cid"] == ps.VMADDR_CID_ANY == 0xFFFFFFFF
    assert 0 < name["port"] < 0xFFFFFFFF  # the kernel chose one
    # the same address, fixed port: a second socket cannot take it
    other = fds.socket(AF_VSOCK, ps.SOCK_STREAM, 0)
    again = ps.bind(other, name)
    assert isinstance(again, ps.Error) and again.errnum == 98, again  # EADDRINUSE


@needs_vsock
def test_vsock_connect_to_the_host_gives_a_triple(fds: Fds) -> None:
    """No hypervisor here: connecting to CID 2 (the host) fails, as a value."""
    fd = fds.timeouts(fds.socket(AF_VSOCK, ps.SOCK_STREAM, 0), 2)
    result = ps.connect(fd, {"family": ps.AF_VSOCK, "cid": ps.VMADDR_CID_HOST, "port": 1})
    assert isinstance(result, ps.Error)
    assert result.value is None and result.message.startswith("connect: ")
    assert type(result.errnum) is int and result.errnum > 0
    assert result.message == "connect: " + os.strerror(result.errnum)


@needs_vsock
@pytest.mark.parametrize("field, value", [("cid", 2**32), ("port", 2**32), ("cid", -(2**31) - 1)])
def test_vsock_field_out_of_range_is_einval(fds: Fds, field: str, value: int) -> None:
    fd = fds.socket(AF_VSOCK, ps.SOCK_STREAM, 0)
    addr = {"family": ps.AF_VSOCK, "cid": 1, "port": 1, field: value}
    assert ps.bind(fd, addr) == EINVAL_BIND  # type: ignore[arg-type]


@needs_vsock
def test_vsock_minus_one_is_any_as_in_c(fds: Fds) -> None:
    """svm_cid/svm_port are unsigned: C's -1 is VMADDR_CID_ANY/VMADDR_PORT_ANY."""
    fd = fds.socket(AF_VSOCK, ps.SOCK_STREAM, 0)
    assert ps.bind(fd, {"family": ps.AF_VSOCK, "cid": -1, "port": -1}) == 0
    name = ps.check(ps.getsockname(fd))
    assert name["family"] == ps.AF_VSOCK and name["cid"] == 0xFFFFFFFF


WITHOUT_VSOCK = textwrap.dedent("""
    import _socket, socket, sys
    for module in (_socket, socket):
        for name in [n for n in dir(module) if n.startswith(("AF_VSOCK", "VMADDR", "SO_VM"))]:
            delattr(module, name)
    import posixsock as ps
    assert ps.AF_VSOCK == 40 and ps._sockaddr._HAVE_VSOCK is False
    fd = ps.check(ps.socket(ps.AF_VSOCK, ps.SOCK_STREAM, 0))
    print(ps.bind(fd, {"family": ps.AF_VSOCK, "cid": ps.VMADDR_CID_ANY, "port": 1234}))
    import ctypes, struct  # bind as C does, so getsockname has a name to give
    libc = ctypes.CDLL(None, use_errno=True)
    sa = struct.pack("=HHII4x", 40, 0, 1234, 0xFFFFFFFF)
    assert libc.bind(fd, sa, len(sa)) == 0, ctypes.get_errno()
    print(ps.getsockname(fd))
""")


@needs_vsock
def test_vsock_without_python_support_imports_and_degrades() -> None:
    """A Python built without AF_VSOCK: posixsock imports, an address
    argument is an EAFNOSUPPORT triple, a returned one is read from sa_data."""
    out = subprocess.run([sys.executable, "-c", WITHOUT_VSOCK], capture_output=True, text=True,
                         timeout=60, cwd=str(ROOT))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Error(value=None, message='bind: Address family not supported by " \
                       "protocol', errnum=97)"
    assert lines[1] == "{'family': 40, 'cid': 4294967295, 'port': 1234}"


@has_vsock
def test_vsock_field_types_are_checked() -> None:
    with pytest.raises(TypeError, match=r"'connect' \(int expected for field 'cid', got str\)"):
        ps.connect(0, {"family": 40, "cid": "host", "port": 1})  # type: ignore[typeddict-item]
    with pytest.raises(ValueError, match=r"connect.*invalid field name 'flags'"):
        ps.connect(0, {"family": 40, "cid": 2, "port": 1, "flags": 1})  # type: ignore[typeddict-unknown-key]
