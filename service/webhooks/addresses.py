"""Where a webhook may point: https to public addresses only (no SSRF into our network).

A URL is checked when it is subscribed and again at each delivery: the host is resolved,
every address it resolves to must be public, and the delivery then connects to the
address that was checked (a DNS answer that changes between check and connect does not
get through). WEBHOOKS_ALLOW_HTTP allows http; WEBHOOKS_ALLOW_PRIVATE allows loopback and
private addresses (tests' receivers). Cloud metadata addresses are refused always.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import socket
from urllib.parse import urlsplit

# Instance metadata and host agents of the clouds; some of them are public addresses.
METADATA = {ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "169.254.169.123", "100.100.100.200",
    "168.63.129.16", "fd00:ec2::254")}


class Refused(ValueError):
    """The URL or an address it resolves to may not be called."""


@dataclasses.dataclass(frozen=True)
class Target:
    scheme: str
    host: str          # as written in the URL: the Host header and the TLS server name
    port: int
    path: str          # path and query
    address: str       # the checked address to connect to


def _parts(url: str, allow_http: bool):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(f"not a valid URL: {error}") from None
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        raise Refused("the URL must be https" + ("" if allow_http else
                                                 " (http needs WEBHOOKS_ALLOW_HTTP=true)"))
    if not parts.hostname:
        raise Refused("the URL names no host")
    if parts.username is not None or parts.password is not None:
        raise Refused("the URL may not carry a user name or password; receivers check "
                      "the signature instead")
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def why_refused(address: str, allow_private: bool) -> str | None:
    """Why a connection to `address` is refused, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return f"{ip} is a cloud metadata address"
    if allow_private and not ip.is_multicast and not ip.is_unspecified:
        return None
    for name in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return f"{ip} is a {name.replace('_', '-')} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def check(url: str, allow_http: bool, allow_private: bool) -> Target:
    """The URL's target, resolved and checked; Refused says why it may not be called."""
    scheme, host, port, path = _parts(url, allow_http)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"the host {host} does not resolve: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise Refused(f"the host {host} does not resolve")
    for address in addresses:     # one bad answer refuses the host: DNS may rotate them
        reason = why_refused(address, allow_private)
        if reason:
            raise Refused(f"the host {host} resolves to {reason}"
                          + ("" if allow_private else
                             " (WEBHOOKS_ALLOW_PRIVATE=true allows private ones)"))
    return Target(scheme, host, port, path, addresses[0])
