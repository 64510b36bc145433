"""luaposix's ``posix.sys.socket`` for Python.

BSD sockets on plain integer descriptors, with errors returned as values::

    >>> import posixsock as ps
    >>> fd = ps.socket(ps.AF_INET, ps.SOCK_STREAM, 0)
    >>> ps.connect(fd, {"family": ps.AF_INET, "port": 1, "addr": "127.0.0.1"})
    Error(value=None, message='connect: Connection refused', errnum=111)

Every name lives at the package top level; the modules behind it are private.

luaposix's calls: socket, socketpair, getaddrinfo, connect, bind, listen,
accept, recv, recvfrom, send, sendto, shutdown, setsockopt, getsockopt,
getsockname, getpeername, if_nametoindex; and ``check(result)``, the value
or the exception the stdlib would raise.  Beyond luaposix: sendmsg, recvmsg,
send_fds, recv_fds, CMSG_LEN, CMSG_SPACE, getnameinfo, if_indextoname,
if_nameindex, inet_pton, inet_ntop.  Each call's text (parameters, success,
error triple, man page) is under FUNCTIONS, after the TypedDicts; the
README and docs/api.md are the reference.
"""
# No ``from __future__ import annotations`` here: it would bind the public
# name ``annotations``, and nothing below needs it.  The namespace is exactly
# ``__all__``, dunders and the private ``_x`` submodules.
import sys as _sys

from ._calls import (
    accept, bind, connect, getaddrinfo, getpeername, getsockname, getsockopt,
    if_nametoindex, listen, recv, recvfrom, send, sendto, setsockopt, shutdown,
    socket, socketpair,
)
from ._constants import (
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_UNSPEC,
    AI_ADDRCONFIG, AI_ALL, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV,
    AI_PASSIVE, AI_V4MAPPED, IPPROTO_ICMP, IPPROTO_IP, IPPROTO_IPV6,
    IPPROTO_TCP, IPPROTO_UDP, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP,
    IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP,
    IPV6_UNICAST_HOPS, IPV6_V6ONLY, NETLINK_AUDIT, NETLINK_CONNECTOR,
    NETLINK_DNRTMSG, NETLINK_ECRYPTFS, NETLINK_FIB_LOOKUP, NETLINK_FIREWALL,
    NETLINK_GENERIC, NETLINK_IP6_FW, NETLINK_ISCSI, NETLINK_KOBJECT_UEVENT,
    NETLINK_NETFILTER, NETLINK_NFLOG, NETLINK_ROUTE, NETLINK_SCSITRANSPORT,
    NETLINK_SELINUX, NETLINK_UNUSED, NETLINK_USERSOCK, NETLINK_XFRM,
    SEED_CONSTANTS, SHUT_RD, SHUT_RDWR, SHUT_WR, SO_ACCEPTCONN,
    SO_BINDTODEVICE, SO_BROADCAST, SO_DEBUG, SO_DONTROUTE, SO_ERROR,
    SO_KEEPALIVE, SO_LINGER, SO_OOBINLINE, SO_RCVBUF, SO_RCVLOWAT,
    SO_RCVTIMEO, SO_REUSEADDR, SO_SNDBUF, SO_SNDLOWAT, SO_SNDTIMEO, SO_TYPE,
    SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_SOCKET, SOMAXCONN, TCP_NODELAY,
)
from ._constants import (
    IfNameOption, InAddrOption, IntOption, IpIntOption, IpprotoIp, IpprotoIpv6, IpprotoTcp,
    Ipv6IntOption, LingerOption, Mreq6Option, MreqOption, PeerCredOption, SocketIntOption,
    SolSocket, TcpIntOption, TimevalOption,
)
from ._constants import (
    EAI_ADDRFAMILY, EAI_AGAIN, EAI_BADFLAGS, EAI_FAIL, EAI_FAMILY, EAI_MEMORY,
    EAI_NODATA, EAI_NONAME, EAI_OVERFLOW, EAI_SERVICE, EAI_SOCKTYPE, EAI_SYSTEM,
    EXTRA_CONSTANTS, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_IF,
    IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IP_TTL, MSG_CMSG_CLOEXEC, MSG_CTRUNC,
    MSG_DONTWAIT, MSG_EOR, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_TRUNC,
    MSG_WAITALL, NI_DGRAM, NI_MAXHOST, NI_MAXSERV, NI_NAMEREQD, NI_NOFQDN,
    NI_NUMERICHOST, NI_NUMERICSERV, SCM_CREDENTIALS, SCM_RIGHTS, SO_DOMAIN,
    SO_PEERCRED, SO_PROTOCOL, SO_REUSEPORT, SOCK_CLOEXEC, SOCK_NONBLOCK,
    SOCK_SEQPACKET, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_USER_TIMEOUT,
)
from ._constants import (
    AF_VSOCK, ARPHRD_ETHER, ARPHRD_LOOPBACK, ETH_P_8021Q, ETH_P_ALL, ETH_P_ARP, ETH_P_IP,
    ETH_P_IPV6, LOCAL_PEERCRED, PACKET_BROADCAST, PACKET_HOST, PACKET_LOOPBACK,
    PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING, SO_NOSIGPIPE, VMADDR_CID_ANY,
    VMADDR_CID_HOST, VMADDR_CID_HYPERVISOR, VMADDR_CID_LOCAL, VMADDR_PORT_ANY,
)
from ._check import check
from ._errors import Error
from ._args import Buffer
from ._msg import (
    CMSG_LEN, CMSG_SPACE, Cmsg, Received, ReceivedFds, recv_fds, recvmsg, send_fds, sendmsg,
)
from ._names import IfNameIndex, getnameinfo, if_indextoname, if_nameindex, inet_ntop, inet_pton
from ._sockaddr import (
    AddrInfo, AddrInfoHints, AddrInfoInet, AddrInfoInet6, SockAddr, SockAddrArg, SockAddrBound,
    SockAddrInet, SockAddrInet6, SockAddrInet6Arg, SockAddrNetlink, SockAddrPacket,
    SockAddrPacketArg, SockAddrUnix, SockAddrUnspec, SockAddrVsock,
)
from ._sockopt import Linger, OptValue, PeerCred, Timeval

__version__ = "0.1.0"
# luaposix's posix.version names the package, its version and what it is
# built for; this says which module it mirrors and the Python it runs on.
version: str = (f"posixsock {__version__} (posix.sys.socket for Python"
                f" {_sys.version_info[0]}.{_sys.version_info[1]})")
del _sys

__all__ = [
    # functions, in the seed's order
    "accept", "bind", "connect", "getaddrinfo", "getpeername", "getsockname",
    "getsockopt", "if_nametoindex", "listen", "recv", "recvfrom", "send",
    "sendto", "setsockopt", "shutdown", "socket", "socketpair",
    # results and types
    "Error", "check", "SockAddr", "AddrInfoHints", "Timeval", "Linger",
    "OptValue", "version", "SEED_CONSTANTS",
    # per-family addresses (issue 8)
    "SockAddrInet", "SockAddrInet6", "SockAddrUnix", "SockAddrNetlink", "SockAddrPacket",
    "SockAddrUnspec", "AddrInfo", "AddrInfoInet", "AddrInfoInet6", "SockAddrArg",
    "SockAddrInet6Arg",
    # constants: the seed's table, in its order
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
    # beyond luaposix (issue 5): calls, types, constants
    "sendmsg", "recvmsg", "send_fds", "recv_fds", "CMSG_LEN", "CMSG_SPACE",
    "getnameinfo", "if_indextoname", "if_nameindex", "inet_pton", "inet_ntop",
    "Cmsg", "IfNameIndex", "PeerCred", "EXTRA_CONSTANTS",
    "IP_ADD_MEMBERSHIP", "IP_DROP_MEMBERSHIP", "IP_MULTICAST_IF",
    "IP_MULTICAST_LOOP", "IP_MULTICAST_TTL", "IP_TTL", "MSG_CMSG_CLOEXEC",
    "MSG_CTRUNC", "MSG_DONTWAIT", "MSG_EOR", "MSG_NOSIGNAL", "MSG_OOB",
    "MSG_PEEK", "MSG_TRUNC", "MSG_WAITALL", "NI_DGRAM", "NI_MAXHOST",
    "NI_MAXSERV", "NI_NAMEREQD", "NI_NOFQDN", "NI_NUMERICHOST",
    "NI_NUMERICSERV", "SCM_CREDENTIALS", "SCM_RIGHTS", "SOCK_CLOEXEC",
    "SOCK_NONBLOCK", "SOCK_SEQPACKET", "SO_DOMAIN", "SO_PEERCRED",
    "SO_PROTOCOL", "SO_REUSEPORT", "TCP_KEEPCNT", "TCP_KEEPIDLE",
    "TCP_KEEPINTVL", "TCP_USER_TIMEOUT",
    # issue 10: the resolver's codes
    "EAI_ADDRFAMILY", "EAI_AGAIN", "EAI_BADFLAGS", "EAI_FAIL", "EAI_FAMILY",
    "EAI_MEMORY", "EAI_NODATA", "EAI_NONAME", "EAI_OVERFLOW", "EAI_SERVICE",
    "EAI_SOCKTYPE", "EAI_SYSTEM",
    # issue 15: every type a public signature names
    "SockAddrBound", "Received", "ReceivedFds", "Buffer",
    "SolSocket", "IpprotoIp", "IpprotoIpv6", "IpprotoTcp", "SocketIntOption",
    "TimevalOption", "LingerOption", "IfNameOption", "PeerCredOption", "IpIntOption",
    "InAddrOption", "MreqOption", "Ipv6IntOption", "Mreq6Option", "TcpIntOption", "IntOption",
    # issue 17: the whole sockaddr_ll, AF_VSOCK, other systems' spellings
    "SockAddrPacketArg", "SockAddrVsock",
    "AF_VSOCK", "ARPHRD_ETHER", "ARPHRD_LOOPBACK", "ETH_P_8021Q", "ETH_P_ALL", "ETH_P_ARP",
    "ETH_P_IP", "ETH_P_IPV6", "LOCAL_PEERCRED", "PACKET_BROADCAST", "PACKET_HOST",
    "PACKET_LOOPBACK", "PACKET_MULTICAST", "PACKET_OTHERHOST", "PACKET_OUTGOING",
    "SO_NOSIGPIPE", "VMADDR_CID_ANY", "VMADDR_CID_HOST", "VMADDR_CID_HYPERVISOR",
    "VMADDR_CID_LOCAL", "VMADDR_PORT_ANY",
]
