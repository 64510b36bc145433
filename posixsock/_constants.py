"""The constants of luaposix's ``posix.sys.socket``, decided once at import.

Values are plain ``int`` (not the stdlib's ``AddressFamily``/``SocketKind``
enum members), as luaposix's are numbers.  Names every POSIX system has are
typed ``Final[int]``.  The rest follow typeshed's habit of platform blocks that type checkers understand: on Linux
they are ``int`` -- the stdlib lacks several ``NETLINK_*`` names, so those
come from the Linux ABI (``<linux/netlink.h>``, numbers fixed forever) --
and elsewhere ``Optional[int]``: ``None`` where the platform lacks them, as
luaposix leaves them ``nil``.  The ``AF_*`` families are literal types on
Linux (``AF_INET`` is ``Literal[2]``), so comparing a ``SockAddr``'s
``family`` with them narrows the address to its family's TypedDict.
"""
from __future__ import annotations

import _socket as _c
import socket as _s
import sys
from typing import Final, NewType, Optional, Tuple

# --- the address families: literal types on Linux --------------------------
# Each ``SockAddr`` TypedDict declares ``family`` as its Linux value
# (``Literal[2]`` ...), so that ``sa["family"] == AF_INET`` narrows the union;
# that needs these names typed as the same literals, which checkers read from
# ``Final = <number>``.  The numbers are the Linux ABI (<linux/socket.h>);
# tests/test_types.py checks them against the running system's.
if sys.platform == "linux":
    AF_UNSPEC: Final = 0
    AF_UNIX: Final = 1
    AF_INET: Final = 2
    AF_INET6: Final = 10
    AF_NETLINK: Final = 16
    AF_PACKET: Final = 17
    AF_VSOCK: Final = 40
else:  # pragma: no cover - exercised on other platforms only
    AF_UNSPEC: Final[int] = int(_s.AF_UNSPEC)
    AF_UNIX: Final[int] = int(_s.AF_UNIX)
    AF_INET: Final[int] = int(_s.AF_INET)
    AF_INET6: Final[int] = int(_s.AF_INET6)
    AF_NETLINK: Final[Optional[int]] = getattr(_c, "AF_NETLINK", None)
    AF_PACKET: Final[Optional[int]] = getattr(_c, "AF_PACKET", None)
    AF_VSOCK: Final[Optional[int]] = getattr(_c, "AF_VSOCK", None)

# --- levels and option names: each option's value type ----------------------
# An option is a (level, name) pair, and what setsockopt takes and getsockopt
# gives depends on it.  Each level constant and each option name has an
# ``int`` subtype of its own (``NewType``: at run time the plain int, no
# cost), so that overloads of setsockopt/getsockopt can type every option:
# ``getsockopt(fd, SOL_SOCKET, SO_ERROR)`` is an ``int``, ``getsockopt(fd,
# SOL_SOCKET, SO_RCVTIMEO)`` a ``Timeval``, and ``setsockopt(fd, SOL_SOCKET,
# SO_RCVBUF, "x")`` a type error.  Not literal numbers: SOL_SOCKET and the
# SO_* values differ between Linux architectures (MIPS, SPARC, PowerPC,
# Alpha).  ``tests/test_types.py`` checks each name's type against the
# option table (``_sockopt``) that decides its value at run time.
SolSocket = NewType("SolSocket", int)
IpprotoIp = NewType("IpprotoIp", int)
IpprotoIpv6 = NewType("IpprotoIpv6", int)
IpprotoTcp = NewType("IpprotoTcp", int)
SocketIntOption = NewType("SocketIntOption", int)
TimevalOption = NewType("TimevalOption", int)
LingerOption = NewType("LingerOption", int)
IfNameOption = NewType("IfNameOption", int)
PeerCredOption = NewType("PeerCredOption", int)
IpIntOption = NewType("IpIntOption", int)
InAddrOption = NewType("InAddrOption", int)
MreqOption = NewType("MreqOption", int)
Ipv6IntOption = NewType("Ipv6IntOption", int)
Mreq6Option = NewType("Mreq6Option", int)
TcpIntOption = NewType("TcpIntOption", int)
# An option posixsock has no constant for, whose value is a C int (as every
# option without a row in the table is): ``IntOption(socket.SO_PASSCRED)``.
IntOption = NewType("IntOption", int)

# (Each NewType's text, for help() and docs/api.md.)
SolSocket.__doc__ = "The type of the level ``SOL_SOCKET``."
IpprotoIp.__doc__ = "The type of ``IPPROTO_IP``, as a level (and a protocol number)."
IpprotoIpv6.__doc__ = "The type of ``IPPROTO_IPV6``, as a level (and a protocol number)."
IpprotoTcp.__doc__ = "The type of ``IPPROTO_TCP``, as a level (and a protocol number)."
SocketIntOption.__doc__ = ("A ``SOL_SOCKET`` option whose value is a C ``int``: setsockopt takes"
                           " one ``int``, getsockopt gives an ``int``.")
TimevalOption.__doc__ = ("A ``SOL_SOCKET`` option whose value is a ``struct timeval``: setsockopt"
                         " takes ``(sec, usec)``, getsockopt gives a ``Timeval``.")
LingerOption.__doc__ = ("A ``SOL_SOCKET`` option whose value is a ``struct linger``: setsockopt"
                        " takes ``(onoff, linger)``, getsockopt gives a ``Linger``.")
IfNameOption.__doc__ = ("A ``SOL_SOCKET`` option whose value is an interface name: setsockopt"
                        " takes a ``str``, getsockopt gives a ``str``.")
PeerCredOption.__doc__ = ("A ``SOL_SOCKET`` option whose value is a ``struct ucred``: getsockopt"
                          " gives a ``PeerCred``; it is read-only (setsockopt takes an ``int``,"
                          " which the kernel refuses, as C's call would).")
IpIntOption.__doc__ = ("An ``IPPROTO_IP`` option whose value is a C ``int``: setsockopt takes"
                       " one ``int``, getsockopt gives an ``int``.")
InAddrOption.__doc__ = ("An ``IPPROTO_IP`` option whose value is a ``struct in_addr``: setsockopt"
                        " takes a dotted IPv4 address, getsockopt gives one.")
MreqOption.__doc__ = ("An ``IPPROTO_IP`` option whose value is a ``struct ip_mreq``: setsockopt"
                      " takes the group's IPv4 address and optionally the interface's"
                      " (default ``\"0.0.0.0\"``); it is set-only.")
Ipv6IntOption.__doc__ = ("An ``IPPROTO_IPV6`` option whose value is a C ``int``: setsockopt takes"
                         " one ``int``, getsockopt gives an ``int``.")
Mreq6Option.__doc__ = ("An ``IPPROTO_IPV6`` option whose value is a ``struct ipv6_mreq``:"
                       " setsockopt takes the group's IPv6 address and optionally the interface"
                       " index (default 0); it is set-only.")
TcpIntOption.__doc__ = ("An ``IPPROTO_TCP`` option whose value is a C ``int``: setsockopt takes"
                        " one ``int``, getsockopt gives an ``int``.")
IntOption.__doc__ = ("An option posixsock has no constant for, at any level, whose value is a C"
                     " ``int`` (as for every option without a row in the option table):"
                     " ``IntOption(socket.SO_PASSCRED)``; setsockopt takes one ``int``,"
                     " getsockopt gives an ``int``.")

# --- everywhere ------------------------------------------------------------
AI_CANONNAME: Final[int] = int(_s.AI_CANONNAME)
AI_NUMERICHOST: Final[int] = int(_s.AI_NUMERICHOST)
AI_NUMERICSERV: Final[int] = int(_s.AI_NUMERICSERV)
AI_PASSIVE: Final[int] = int(_s.AI_PASSIVE)
IPPROTO_ICMP: Final[int] = int(_s.IPPROTO_ICMP)
IPPROTO_IP: Final = IpprotoIp(int(_s.IPPROTO_IP))
IPPROTO_IPV6: Final = IpprotoIpv6(int(_s.IPPROTO_IPV6))
IPPROTO_TCP: Final = IpprotoTcp(int(_s.IPPROTO_TCP))
IPPROTO_UDP: Final[int] = int(_s.IPPROTO_UDP)
SHUT_RD: Final[int] = int(_s.SHUT_RD)
SHUT_RDWR: Final[int] = int(_s.SHUT_RDWR)
SHUT_WR: Final[int] = int(_s.SHUT_WR)
SOCK_DGRAM: Final[int] = int(_s.SOCK_DGRAM)
SOCK_RAW: Final[int] = int(_s.SOCK_RAW)
SOCK_STREAM: Final[int] = int(_s.SOCK_STREAM)
SOL_SOCKET: Final = SolSocket(int(_s.SOL_SOCKET))
SOMAXCONN: Final[int] = int(_s.SOMAXCONN)
SO_ACCEPTCONN: Final = SocketIntOption(int(_s.SO_ACCEPTCONN))
SO_BROADCAST: Final = SocketIntOption(int(_s.SO_BROADCAST))
SO_DEBUG: Final = SocketIntOption(int(_s.SO_DEBUG))
SO_DONTROUTE: Final = SocketIntOption(int(_s.SO_DONTROUTE))
SO_ERROR: Final = SocketIntOption(int(_s.SO_ERROR))
SO_KEEPALIVE: Final = SocketIntOption(int(_s.SO_KEEPALIVE))
SO_LINGER: Final = LingerOption(int(_s.SO_LINGER))
SO_OOBINLINE: Final = SocketIntOption(int(_s.SO_OOBINLINE))
SO_RCVBUF: Final = SocketIntOption(int(_s.SO_RCVBUF))
SO_RCVLOWAT: Final = SocketIntOption(int(_s.SO_RCVLOWAT))
SO_RCVTIMEO: Final = TimevalOption(int(_s.SO_RCVTIMEO))
SO_REUSEADDR: Final = SocketIntOption(int(_s.SO_REUSEADDR))
SO_SNDBUF: Final = SocketIntOption(int(_s.SO_SNDBUF))
SO_SNDLOWAT: Final = SocketIntOption(int(_s.SO_SNDLOWAT))
SO_SNDTIMEO: Final = TimevalOption(int(_s.SO_SNDTIMEO))
SO_TYPE: Final = SocketIntOption(int(_s.SO_TYPE))
TCP_NODELAY: Final = TcpIntOption(int(_s.TCP_NODELAY))

# --- Linux: always there, some only in the kernel headers ------------------
if sys.platform == "linux":
    AI_ADDRCONFIG: Final[int] = int(_s.AI_ADDRCONFIG)
    AI_ALL: Final[int] = int(_s.AI_ALL)
    AI_V4MAPPED: Final[int] = int(_s.AI_V4MAPPED)
    IPV6_JOIN_GROUP: Final = Mreq6Option(int(_s.IPV6_JOIN_GROUP))
    IPV6_LEAVE_GROUP: Final = Mreq6Option(int(_s.IPV6_LEAVE_GROUP))
    IPV6_MULTICAST_HOPS: Final = Ipv6IntOption(int(_s.IPV6_MULTICAST_HOPS))
    IPV6_MULTICAST_IF: Final = Ipv6IntOption(int(_s.IPV6_MULTICAST_IF))
    IPV6_MULTICAST_LOOP: Final = Ipv6IntOption(int(_s.IPV6_MULTICAST_LOOP))
    IPV6_UNICAST_HOPS: Final = Ipv6IntOption(int(_s.IPV6_UNICAST_HOPS))
    IPV6_V6ONLY: Final = Ipv6IntOption(int(_s.IPV6_V6ONLY))
    SO_BINDTODEVICE: Final = IfNameOption(int(_s.SO_BINDTODEVICE))
    # <linux/netlink.h> protocol numbers
    NETLINK_ROUTE: Final[int] = 0
    NETLINK_UNUSED: Final[int] = 1
    NETLINK_USERSOCK: Final[int] = 2
    NETLINK_FIREWALL: Final[int] = 3
    NETLINK_NFLOG: Final[int] = 5
    NETLINK_XFRM: Final[int] = 6
    NETLINK_SELINUX: Final[int] = 7
    NETLINK_ISCSI: Final[int] = 8
    NETLINK_AUDIT: Final[int] = 9
    NETLINK_FIB_LOOKUP: Final[int] = 10
    NETLINK_CONNECTOR: Final[int] = 11
    NETLINK_NETFILTER: Final[int] = 12
    NETLINK_IP6_FW: Final[int] = 13
    NETLINK_DNRTMSG: Final[int] = 14
    NETLINK_KOBJECT_UEVENT: Final[int] = 15
    NETLINK_GENERIC: Final[int] = 16
    NETLINK_SCSITRANSPORT: Final[int] = 18
    NETLINK_ECRYPTFS: Final[int] = 19
else:  # pragma: no cover - exercised on other platforms only
    AI_ADDRCONFIG: Final[Optional[int]] = getattr(_c, "AI_ADDRCONFIG", None)
    AI_ALL: Final[Optional[int]] = getattr(_c, "AI_ALL", None)
    AI_V4MAPPED: Final[Optional[int]] = getattr(_c, "AI_V4MAPPED", None)
    IPV6_JOIN_GROUP: Final[Optional[Mreq6Option]] = getattr(_c, "IPV6_JOIN_GROUP", None)
    IPV6_LEAVE_GROUP: Final[Optional[Mreq6Option]] = getattr(_c, "IPV6_LEAVE_GROUP", None)
    IPV6_MULTICAST_HOPS: Final[Optional[Ipv6IntOption]] = getattr(_c, "IPV6_MULTICAST_HOPS", None)
    IPV6_MULTICAST_IF: Final[Optional[Ipv6IntOption]] = getattr(_c, "IPV6_MULTICAST_IF", None)
    IPV6_MULTICAST_LOOP: Final[Optional[Ipv6IntOption]] = getattr(_c, "IPV6_MULTICAST_LOOP", None)
    IPV6_UNICAST_HOPS: Final[Optional[Ipv6IntOption]] = getattr(_c, "IPV6_UNICAST_HOPS", None)
    IPV6_V6ONLY: Final[Optional[Ipv6IntOption]] = getattr(_c, "IPV6_V6ONLY", None)
    SO_BINDTODEVICE: Final[Optional[IfNameOption]] = getattr(_c, "SO_BINDTODEVICE", None)
    NETLINK_ROUTE: Final[Optional[int]] = None
    NETLINK_UNUSED: Final[Optional[int]] = None
    NETLINK_USERSOCK: Final[Optional[int]] = None
    NETLINK_FIREWALL: Final[Optional[int]] = None
    NETLINK_NFLOG: Final[Optional[int]] = None
    NETLINK_XFRM: Final[Optional[int]] = None
    NETLINK_SELINUX: Final[Optional[int]] = None
    NETLINK_ISCSI: Final[Optional[int]] = None
    NETLINK_AUDIT: Final[Optional[int]] = None
    NETLINK_FIB_LOOKUP: Final[Optional[int]] = None
    NETLINK_CONNECTOR: Final[Optional[int]] = None
    NETLINK_NETFILTER: Final[Optional[int]] = None
    NETLINK_IP6_FW: Final[Optional[int]] = None
    NETLINK_DNRTMSG: Final[Optional[int]] = None
    NETLINK_KOBJECT_UEVENT: Final[Optional[int]] = None
    NETLINK_GENERIC: Final[Optional[int]] = None
    NETLINK_SCSITRANSPORT: Final[Optional[int]] = None
    NETLINK_ECRYPTFS: Final[Optional[int]] = None

# Every constant name of the seed's table, in its order (for the self-check).
SEED_CONSTANTS: Final[Tuple[str, ...]] = (
    "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_UNIX", "AF_UNSPEC",
    "AI_ADDRCONFIG", "AI_ALL", "AI_CANONNAME", "AI_NUMERICHOST",
    "AI_NUMERICSERV", "AI_PASSIVE", "AI_V4MAPPED", "IPPROTO_ICMP",
    "IPPROTO_IP", "IPPROTO_IPV6", "IPPROTO_TCP", "IPPROTO_UDP",
    "IPV6_JOIN_GROUP", "IPV6_LEAVE_GROUP", "IPV6_MULTICAST_HOPS",
    "IPV6_MULTICAST_IF", "IPV6_MULTICAST_LOOP", "IPV6_UNICAST_HOPS",
    "IPV6_V6ONLY", "NETLINK_AUDIT", "NETLINK_CONNECTOR", "NETLINK_DNRTMSG",
    "NETLINK_ECRYPTFS", "NETLINK_FIB_LOOKUP", "NETLINK_FIREWALL",
    "NETLINK_GENERIC", "NETLINK_IP6_FW", "NETLINK_ISCSI",
    "NETLINK_KOBJECT_UEVENT", "NETLINK_NETFILTER", "NETLINK_NFLOG",
    "NETLINK_ROUTE", "NETLINK_SCSITRANSPORT", "NETLINK_SELINUX",
    "NETLINK_UNUSED", "NETLINK_USERSOCK", "NETLINK_XFRM", "SHUT_RD",
    "SHUT_RDWR", "SHUT_WR", "SOCK_DGRAM", "SOCK_RAW", "SOCK_STREAM",
    "SOL_SOCKET", "SOMAXCONN", "SO_ACCEPTCONN", "SO_BINDTODEVICE",
    "SO_BROADCAST", "SO_DEBUG", "SO_DONTROUTE", "SO_ERROR", "SO_KEEPALIVE",
    "SO_LINGER", "SO_OOBINLINE", "SO_RCVBUF", "SO_RCVLOWAT", "SO_RCVTIMEO",
    "SO_REUSEADDR", "SO_SNDBUF", "SO_SNDLOWAT", "SO_SNDTIMEO", "SO_TYPE",
    "TCP_NODELAY",
)

# --- beyond the seed (issue 5) ---------------------------------------------
# Plain ints from the C module (``socket``'s are IntEnum/IntFlag members).
# POSIX names CPython exposes on every POSIX system.
MSG_CTRUNC: Final[int] = _c.MSG_CTRUNC
MSG_EOR: Final[int] = _c.MSG_EOR
MSG_OOB: Final[int] = _c.MSG_OOB
MSG_PEEK: Final[int] = _c.MSG_PEEK
MSG_TRUNC: Final[int] = _c.MSG_TRUNC
MSG_WAITALL: Final[int] = _c.MSG_WAITALL
SOCK_SEQPACKET: Final[int] = _c.SOCK_SEQPACKET
IP_TTL: Final = IpIntOption(_c.IP_TTL)
IP_MULTICAST_TTL: Final = IpIntOption(_c.IP_MULTICAST_TTL)
IP_MULTICAST_LOOP: Final = IpIntOption(_c.IP_MULTICAST_LOOP)
IP_MULTICAST_IF: Final = InAddrOption(_c.IP_MULTICAST_IF)
IP_ADD_MEMBERSHIP: Final = MreqOption(_c.IP_ADD_MEMBERSHIP)
IP_DROP_MEMBERSHIP: Final = MreqOption(_c.IP_DROP_MEMBERSHIP)
NI_DGRAM: Final[int] = _c.NI_DGRAM
NI_MAXHOST: Final[int] = _c.NI_MAXHOST
NI_MAXSERV: Final[int] = _c.NI_MAXSERV
NI_NAMEREQD: Final[int] = _c.NI_NAMEREQD
NI_NOFQDN: Final[int] = _c.NI_NOFQDN
NI_NUMERICHOST: Final[int] = _c.NI_NUMERICHOST
NI_NUMERICSERV: Final[int] = _c.NI_NUMERICSERV
# The resolver's codes, as getaddrinfo/getnameinfo triples carry them in
# ``errnum`` (negative on glibc): ``r.errnum == EAI_NONAME``.
EAI_AGAIN: Final[int] = _c.EAI_AGAIN
EAI_BADFLAGS: Final[int] = _c.EAI_BADFLAGS
EAI_FAIL: Final[int] = _c.EAI_FAIL
EAI_FAMILY: Final[int] = _c.EAI_FAMILY
EAI_MEMORY: Final[int] = _c.EAI_MEMORY
EAI_NONAME: Final[int] = _c.EAI_NONAME
EAI_SERVICE: Final[int] = _c.EAI_SERVICE
EAI_SOCKTYPE: Final[int] = _c.EAI_SOCKTYPE

if sys.platform == "linux":
    MSG_CMSG_CLOEXEC: Final[int] = _c.MSG_CMSG_CLOEXEC
    MSG_DONTWAIT: Final[int] = _c.MSG_DONTWAIT
    MSG_NOSIGNAL: Final[int] = _c.MSG_NOSIGNAL
    SCM_CREDENTIALS: Final[int] = _c.SCM_CREDENTIALS
    SCM_RIGHTS: Final[int] = _c.SCM_RIGHTS
    SOCK_CLOEXEC: Final[int] = _c.SOCK_CLOEXEC
    SOCK_NONBLOCK: Final[int] = _c.SOCK_NONBLOCK
    SO_DOMAIN: Final = SocketIntOption(_c.SO_DOMAIN)
    SO_PEERCRED: Final = PeerCredOption(_c.SO_PEERCRED)
    SO_PROTOCOL: Final = SocketIntOption(_c.SO_PROTOCOL)
    SO_REUSEPORT: Final = SocketIntOption(_c.SO_REUSEPORT)
    TCP_KEEPCNT: Final = TcpIntOption(_c.TCP_KEEPCNT)
    TCP_KEEPIDLE: Final = TcpIntOption(_c.TCP_KEEPIDLE)
    TCP_KEEPINTVL: Final = TcpIntOption(_c.TCP_KEEPINTVL)
    TCP_USER_TIMEOUT: Final = TcpIntOption(_c.TCP_USER_TIMEOUT)
    EAI_ADDRFAMILY: Final[int] = _c.EAI_ADDRFAMILY
    EAI_NODATA: Final[int] = _c.EAI_NODATA
    EAI_OVERFLOW: Final[int] = _c.EAI_OVERFLOW
    EAI_SYSTEM: Final[int] = _c.EAI_SYSTEM
else:  # pragma: no cover - exercised on other platforms only
    MSG_CMSG_CLOEXEC: Final[Optional[int]] = getattr(_c, "MSG_CMSG_CLOEXEC", None)
    MSG_DONTWAIT: Final[Optional[int]] = getattr(_c, "MSG_DONTWAIT", None)
    MSG_NOSIGNAL: Final[Optional[int]] = getattr(_c, "MSG_NOSIGNAL", None)
    SCM_CREDENTIALS: Final[Optional[int]] = getattr(_c, "SCM_CREDENTIALS", None)
    SCM_RIGHTS: Final[Optional[int]] = getattr(_c, "SCM_RIGHTS", None)
    SOCK_CLOEXEC: Final[Optional[int]] = getattr(_c, "SOCK_CLOEXEC", None)
    SOCK_NONBLOCK: Final[Optional[int]] = getattr(_c, "SOCK_NONBLOCK", None)
    SO_DOMAIN: Final[Optional[SocketIntOption]] = getattr(_c, "SO_DOMAIN", None)
    SO_PEERCRED: Final[Optional[PeerCredOption]] = getattr(_c, "SO_PEERCRED", None)
    SO_PROTOCOL: Final[Optional[SocketIntOption]] = getattr(_c, "SO_PROTOCOL", None)
    SO_REUSEPORT: Final[Optional[SocketIntOption]] = getattr(_c, "SO_REUSEPORT", None)
    TCP_KEEPCNT: Final[Optional[TcpIntOption]] = getattr(_c, "TCP_KEEPCNT", None)
    TCP_KEEPIDLE: Final[Optional[TcpIntOption]] = getattr(_c, "TCP_KEEPIDLE", None)
    TCP_KEEPINTVL: Final[Optional[TcpIntOption]] = getattr(_c, "TCP_KEEPINTVL", None)
    TCP_USER_TIMEOUT: Final[Optional[TcpIntOption]] = getattr(_c, "TCP_USER_TIMEOUT", None)
    EAI_ADDRFAMILY: Final[Optional[int]] = getattr(_c, "EAI_ADDRFAMILY", None)
    EAI_NODATA: Final[Optional[int]] = getattr(_c, "EAI_NODATA", None)
    EAI_OVERFLOW: Final[Optional[int]] = getattr(_c, "EAI_OVERFLOW", None)
    EAI_SYSTEM: Final[Optional[int]] = getattr(_c, "EAI_SYSTEM", None)


# --- issue 17: the whole sockaddr_ll, AF_VSOCK, and what other systems have -
# Linux ABI numbers (<linux/if_ether.h>, <linux/if_packet.h>,
# <linux/if_arp.h>, <linux/vm_sockets.h>), fixed forever; the stdlib has
# only some of them, and only on some versions (ETH_P_ALL since 3.12).
# A ``SockAddrPacket``'s ``protocol`` is one of the ETH_P_* numbers in host
# byte order; ``socket()``'s protocol argument stays C's, network order:
# ``socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))``.
if sys.platform == "linux":
    ETH_P_ALL: Final[int] = 0x0003
    ETH_P_IP: Final[int] = 0x0800
    ETH_P_ARP: Final[int] = 0x0806
    ETH_P_8021Q: Final[int] = 0x8100
    ETH_P_IPV6: Final[int] = 0x86DD
    PACKET_HOST: Final[int] = 0
    PACKET_BROADCAST: Final[int] = 1
    PACKET_MULTICAST: Final[int] = 2
    PACKET_OTHERHOST: Final[int] = 3
    PACKET_OUTGOING: Final[int] = 4
    PACKET_LOOPBACK: Final[int] = 5
    ARPHRD_ETHER: Final[int] = 1
    ARPHRD_LOOPBACK: Final[int] = 772
    VMADDR_CID_ANY: Final[int] = 0xFFFFFFFF
    VMADDR_CID_HYPERVISOR: Final[int] = 0
    VMADDR_CID_LOCAL: Final[int] = 1
    VMADDR_CID_HOST: Final[int] = 2
    VMADDR_PORT_ANY: Final[int] = 0xFFFFFFFF
else:  # pragma: no cover - AF_PACKET and AF_VSOCK are Linux's
    ETH_P_ALL: Final[Optional[int]] = None
    ETH_P_IP: Final[Optional[int]] = None
    ETH_P_ARP: Final[Optional[int]] = None
    ETH_P_8021Q: Final[Optional[int]] = None
    ETH_P_IPV6: Final[Optional[int]] = None
    PACKET_HOST: Final[Optional[int]] = None
    PACKET_BROADCAST: Final[Optional[int]] = None
    PACKET_MULTICAST: Final[Optional[int]] = None
    PACKET_OTHERHOST: Final[Optional[int]] = None
    PACKET_OUTGOING: Final[Optional[int]] = None
    PACKET_LOOPBACK: Final[Optional[int]] = None
    ARPHRD_ETHER: Final[Optional[int]] = None
    ARPHRD_LOOPBACK: Final[Optional[int]] = None
    VMADDR_CID_ANY: Final[Optional[int]] = None
    VMADDR_CID_HYPERVISOR: Final[Optional[int]] = None
    VMADDR_CID_LOCAL: Final[Optional[int]] = None
    VMADDR_CID_HOST: Final[Optional[int]] = None
    VMADDR_PORT_ANY: Final[Optional[int]] = None

# macOS and FreeBSD spell two Linux options differently: SO_NOSIGPIPE (a
# per-socket MSG_NOSIGNAL, macOS and FreeBSD) and LOCAL_PEERCRED (their
# SO_PEERCRED, level 0 = SOL_LOCAL, value ``struct xucred``).  None on Linux.
SO_NOSIGPIPE: Final[Optional[SocketIntOption]] = getattr(_c, "SO_NOSIGPIPE", None)
LOCAL_PEERCRED: Final[Optional[int]] = getattr(_c, "LOCAL_PEERCRED", None)

# Every constant name added beyond the seed, sorted.
EXTRA_CONSTANTS: Final[Tuple[str, ...]] = (
    "AF_VSOCK", "ARPHRD_ETHER", "ARPHRD_LOOPBACK", "EAI_ADDRFAMILY", "EAI_AGAIN", "EAI_BADFLAGS",
    "EAI_FAIL", "EAI_FAMILY", "EAI_MEMORY", "EAI_NODATA", "EAI_NONAME", "EAI_OVERFLOW",
    "EAI_SERVICE", "EAI_SOCKTYPE", "EAI_SYSTEM", "ETH_P_8021Q", "ETH_P_ALL", "ETH_P_ARP",
    "ETH_P_IP", "ETH_P_IPV6", "IP_ADD_MEMBERSHIP", "IP_DROP_MEMBERSHIP", "IP_MULTICAST_IF",
    "IP_MULTICAST_LOOP", "IP_MULTICAST_TTL", "IP_TTL", "LOCAL_PEERCRED", "MSG_CMSG_CLOEXEC",
    "MSG_CTRUNC", "MSG_DONTWAIT", "MSG_EOR", "MSG_NOSIGNAL", "MSG_OOB", "MSG_PEEK", "MSG_TRUNC",
    "MSG_WAITALL", "NI_DGRAM", "NI_MAXHOST", "NI_MAXSERV", "NI_NAMEREQD", "NI_NOFQDN",
    "NI_NUMERICHOST", "NI_NUMERICSERV", "PACKET_BROADCAST", "PACKET_HOST", "PACKET_LOOPBACK",
    "PACKET_MULTICAST", "PACKET_OTHERHOST", "PACKET_OUTGOING", "SCM_CREDENTIALS", "SCM_RIGHTS",
    "SOCK_CLOEXEC", "SOCK_NONBLOCK", "SOCK_SEQPACKET", "SO_DOMAIN", "SO_NOSIGPIPE", "SO_PEERCRED",
    "SO_PROTOCOL", "SO_REUSEPORT", "TCP_KEEPCNT", "TCP_KEEPIDLE", "TCP_KEEPINTVL",
    "TCP_USER_TIMEOUT", "VMADDR_CID_ANY", "VMADDR_CID_HOST", "VMADDR_CID_HYPERVISOR",
    "VMADDR_CID_LOCAL", "VMADDR_PORT_ANY",
)
