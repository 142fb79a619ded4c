"""Which IP addresses balita may connect to, and name resolution bounded by a deadline.

No httpx here: this is plain policy over :mod:`ipaddress` and :func:`socket.getaddrinfo`, used by
the connection layer in :mod:`balita_cli.net.transport` for every new connection.
"""

from __future__ import annotations

import socket
import threading
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

IPAddress = IPv4Address | IPv6Address

# Reachable only with FetchPolicy.allow_private (a feed on the newsroom's own network, tests).
_PRIVATE = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv6Network("fc00::/7"),
)
# IPv6 forms that carry an IPv4 address the packets really go to; the IPv4 address is judged.
_NAT64 = IPv6Network("64:ff9b::/96")


class AddressError(Exception):
    """The host has no address balita may connect to (refused by policy, or not found)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16) or NAT64
    (64:ff9b::/96) IPv6 address; None for any other address."""
    if isinstance(address, IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why balita must not connect to ``address`` ("loopback", "link-local"...), or None.

    Unspecified, link-local (169.254.0.0/16 with the cloud metadata service, fe80::/10),
    multicast, site-local, reserved and other non-global addresses (CGNAT 100.64.0.0/10 with
    Alibaba's metadata service, documentation and benchmarking nets, Teredo) are always refused.
    Loopback and private (RFC 1918, fc00::/7) are refused unless ``allow_private``.
    """
    embedded = embedded_ipv4(address)
    if embedded is not None:
        address = embedded
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, IPv6Address) and address.is_site_local:
        return "site-local"
    if address.is_loopback:
        return None if allow_private else "loopback"
    if any(address in network for network in _PRIVATE):
        return None if allow_private else "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "non-public"
    return None


def check(host: str, addresses: list[IPAddress], *, allow_private: bool) -> None:
    """Refuse the host when ANY of its addresses is refused: a client may pick any of them."""
    for address in addresses:
        kind = refusal(address, allow_private=allow_private)
        if kind is not None:
            if host == str(address):
                raise AddressError(f"{address} is {a_kind(kind)}")
            raise AddressError(f"{host} resolves to {a_kind(kind)} ({address})")


def a_kind(kind: str) -> str:
    """ "a loopback address", "an unspecified address"."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"


def resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    """The host's addresses in the resolver's order, without duplicates.

    getaddrinfo has no timeout of its own, so it runs in a daemon thread that is abandoned when
    ``timeout`` passes (raising TimeoutError); the thread ends when the system resolver gives up.
    An IP literal is returned without a lookup.
    """
    try:
        return [ip_address(host)]
    except ValueError:
        pass
    answers: list[list[IPAddress]] = []
    failures: list[str] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            failures.append(exc.strerror or str(exc))
        except (OSError, UnicodeError) as exc:
            failures.append(str(exc))
        else:
            found: list[IPAddress] = []
            for *_, sockaddr in infos:
                address = ip_address(sockaddr[0])
                if address not in found:
                    found.append(address)
            answers.append(found)

    worker = threading.Thread(target=lookup, name=f"balita-resolve-{host}", daemon=True)
    worker.start()
    worker.join(max(timeout, 0.0))
    if worker.is_alive():
        raise TimeoutError(f"resolving {host} took longer than the deadline")
    if failures or not answers or not answers[0]:
        raise AddressError(f"cannot resolve host {host} ({failures[0] if failures else 'no address'})")
    return answers[0]
