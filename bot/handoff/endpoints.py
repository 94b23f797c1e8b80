"""Where a handoff may be sent: only to public internet addresses over https, checked after DNS resolution.

A webhook address is checked when a beheerder saves it (`check_endpoint`) and again when the notifier connects
(`guarded_session`): the connection is made to the very address that was just checked, so a DNS answer that
changes in between (DNS rebinding) cannot steer signed personal data to this machine or the internal network.
Plain http to this computer is allowed only to the demo receiver (WW_HANDOFF_DEMO_URL, on the web app), and only
with the example setting on (`make run`, the test stack); never in production.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any, List, Optional, Tuple, Union
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from bot.common import settings

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address inside an IPv6 one (RFC 6052)
DEMO_URL_ENV = "WW_HANDOFF_DEMO_URL"
DEFAULT_DEMO_URL = "http://127.0.0.1:8080/demo/handoff-receiver"  # as in knowledge/handoff/gemeenten.yml


class UnsafeEndpoint(ValueError):
    """A webhook address that may not be used; the message is one plain Dutch sentence for the beheerder."""


def _origin(url: str) -> Optional[Tuple[str, str, int]]:
    parsed = urlparse(url)
    try:
        return parsed.scheme, (parsed.hostname or "").lower(), parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:
        return None


def is_demo_target(url: str) -> bool:
    """True for the demo receiver's own address (scheme, host and port of WW_HANDOFF_DEMO_URL) while the example
    content is on (never in production: settings.EXAMPLE_CONTENT is off there). Only then may a webhook go to
    this computer; any other port here (Redis, the action server, …) stays refused."""
    if not settings.EXAMPLE_CONTENT:
        return False
    demo = _origin(os.environ.get(DEMO_URL_ENV) or DEFAULT_DEMO_URL)
    return demo is not None and _origin(url) == demo


def _embedded_ipv4(address: Address) -> Optional[ipaddress.IPv4Address]:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo, NAT64), which is what is reached."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: Address, allow_loopback: bool = False) -> Optional[str]:
    """Why `address` may not receive a handoff, in Dutch; None when it is a public internet address."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        return refusal(inner, allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "dit is deze computer zelf"
    if address.is_unspecified or address.is_multicast or address.is_link_local or address.is_reserved:
        return "dit is geen gewoon internetadres (bijvoorbeeld een link-local- of multicastadres)"
    if address.is_private or not address.is_global:
        return "dit is een adres in een intern netwerk"
    return None


def resolve(host: str, port: int) -> List[Address]:
    """Every address `host` resolves to now; UnsafeEndpoint when it does not resolve."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeEndpoint(f"De naam {host} is niet gevonden. Controleer het adres.") from error
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found))


def safe_addresses(host: str, port: int, allow_loopback: bool = False) -> List[Address]:
    """The addresses of `host`, all of them allowed; UnsafeEndpoint when any one is not.

    All, not some: a name with one public and one internal address would otherwise reach the internal one
    whenever the resolver happens to list it first.
    """
    addresses = resolve(host, port)
    for address in addresses:
        reason = refusal(address, allow_loopback)
        if reason:
            name = host if host == str(address) else f"{host} ({address})"
            raise UnsafeEndpoint(
                f"Naar {name} wordt niets gestuurd: {reason}. "
                "Gebruik het https-adres van het systeem van de gemeente op internet."
            )
    return addresses


def check_endpoint(url: str) -> List[Address]:
    """Check a webhook address as the notifier will use it: https (http only to the demo receiver), and a host
    whose every address is public. Returns the addresses; UnsafeEndpoint otherwise."""
    allow_demo = is_demo_target(url)
    parsed = urlparse(url)
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeEndpoint("Het poortnummer in dit adres klopt niet.") from error
    if not parsed.hostname or parsed.scheme not in ("http", "https"):
        raise UnsafeEndpoint("Dit adres klopt niet. Het moet beginnen met https://.")
    addresses = safe_addresses(parsed.hostname, port, allow_loopback=allow_demo)
    if parsed.scheme == "http" and not (allow_demo and all(a.is_loopback or _is_loopback_inside(a) for a in addresses)):
        raise UnsafeEndpoint("Persoonsgegevens gaan alleen via https. Het adres moet beginnen met https://.")
    return addresses


def _is_loopback_inside(address: Address) -> bool:
    inner = _embedded_ipv4(address)
    return inner is not None and inner.is_loopback


class _Guarded:
    """Mixed into urllib3's connections: resolve, check, and connect to exactly the checked address.

    `host` stays the name, so TLS still verifies the certificate for it (SNI) and the Host header is unchanged.
    """

    allow_loopback = False

    def _new_conn(self) -> socket.socket:
        address = safe_addresses(self._dns_host, self.port, self.allow_loopback)[0]  # type: ignore[attr-defined,has-type]
        self._dns_host = str(address)
        return super()._new_conn()  # type: ignore[misc]


def _pools(allow_loopback: bool) -> dict:
    flag = {"allow_loopback": allow_loopback}
    http_conn = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), flag)
    https_conn = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), flag)
    return {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, allow_loopback: bool) -> None:
        self._classes = _pools(allow_loopback)
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._classes


def guarded_session(url: str) -> requests.Session:
    """A requests session for sending to `url` that connects only to allowed addresses (see `_Guarded`; this
    computer only when `url` is the demo receiver), and ignores proxy settings from the environment (a proxy would
    be checked instead of the receiver)."""
    check_endpoint(url)  # the scheme rule (https) as well; the addresses are checked again when connecting
    session = requests.Session()
    session.trust_env = False
    adapter = _GuardedAdapter(is_demo_target(url))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def describe(url: Optional[str]) -> str:
    """A webhook address for the audit log and the team notice: scheme, host, port and path, without a query
    (it might carry a key)."""
    if not url:
        return "geen"
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc.rsplit('@', 1)[-1]}{parsed.path}"
