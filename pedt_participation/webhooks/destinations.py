"""Where webhooks may go: public addresses only, so that an admin's address (or a name that resolves elsewhere
later) cannot make the worker reach the inside: Redis, Postgres, a cloud's metadata service, the town's network.

The rule is checked on the addresses a name resolves to, whatever form the address is written in (a name,
`2130706433`, `0`, `[::ffff:127.0.0.1]`…), when an address is saved and again at each delivery. A delivery
connects to the very address it checked: requests-hardened (Saleor's hardened requests adapter) resolves the
name once, checks the address and pins the connection to it, sending the name as the Host header, the TLS SNI
and the certificate's expected name; a name resolving differently a moment later changes nothing.

Hosts listed in WEBHOOK_ALLOWED_INTERNAL_HOSTS (as written in the address) are trusted as they are, for a town
whose platform runs on its own network."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES, InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class InternalAddressRefused(InvalidIPAddress):
    """The address resolves to, or pins, an address of the inside."""


def is_internal(address: IPAddress) -> bool:
    """Private, loopback, link-local, shared (carrier NAT), reserved, multicast or unspecified, or a range that
    leads to such an address (6to4, NAT64…); an IPv4-mapped IPv6 address is judged as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or site_local
        or any(address in network for network in EXTRA_BLOCKED_NET_RANGES)
    )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_allowed_internal_host(url: str) -> bool:
    return _host(url) in current_app.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"]


def leads_inside(url: str) -> bool:
    """Whether any address the URL's host resolves to now is internal (and the host is not allowed). A name
    that does not resolve is not refused here: there is nothing to reach, and each delivery checks again."""
    if is_allowed_internal_host(url):
        return False
    try:
        return any(is_internal(address) for address in _addresses(url))
    except (OSError, UnicodeError, ValueError):
        return False


def _addresses(url: str) -> list[IPAddress]:
    """An IP address as written (an IPv6 zone, `%25eth0`, left aside), else what the name resolves to."""
    host = _host(url)
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass  # a name, or an address in a form only the resolver reads (`2130706433`, `0x7f000001`, `127.1`)
    resolved = socket.getaddrinfo(host, urlsplit(url).port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in resolved]


class _PublicAddressAdapter(IPFilterAdapter):
    """requests-hardened's pinning adapter, refusing also what `is_internal` adds to its own rule (reserved and
    site-local IPv6 ranges, such as `::7f00:1`), on the address it pinned."""

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: str | tuple[str, str] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        pinned = ipaddress.ip_address(host_params["host"].strip("[]"))
        if is_internal(pinned):
            raise InternalAddressRefused(pinned)
        return host_params, pool_kwargs


def session_for(url: str) -> requests.Session:
    """A session that reaches public addresses only, pinned; a plain one for an allowed internal host. It
    ignores the environment's proxies and .netrc: a proxy would resolve the name again, out of our check."""
    session = requests.Session()
    session.trust_env = False
    if is_allowed_internal_host(url):
        session.mount("http://", HTTPAdapter())
        session.mount("https://", HTTPAdapter())
    else:
        session.mount("http://", _PublicAddressAdapter(is_https_proto=False))
        session.mount("https://", _PublicAddressAdapter(is_https_proto=True))
    return session
