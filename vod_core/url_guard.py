"""Rules for URLs the service itself will fetch or call (webhooks; later upload-from-URL).

The host is judged exactly as the HTTP client will see it. Clients
normalise hosts (IDNA/NFKC turns ``127。0。0。1`` or ``１２７.０.０.１`` into
``127.0.0.1``; resolvers read ``2130706433``, ``0x7f000001``, ``0177.0.0.1``
or ``127.1`` as IPv4 addresses), so a check of the raw text can be
bypassed. Rather than replaying every normalisation, only hosts with a
single spelling are accepted:

* an IPv4 address in canonical dotted-quad form (``93.184.216.34``);
* an IPv6 address in brackets, without a zone and not one of the forms
  that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo);
* a DNS name of ASCII letters, digits, ``-`` and ``_`` (internationalised
  names in their ``xn--`` form) whose last label is not numeric or hex,
  so that no resolver can read it as an address.

Everything else (non-ASCII hosts, percent-encoding, other IP spellings,
the unspecified addresses) is refused whether or not private targets are
allowed. For such hosts the client's normalisation is the identity
(lower-casing, IPv6 compression), which a property test checks against
yarl. Names are resolved only when connecting, so the caller must also
check the addresses it actually connects to (:func:`is_public_ip`).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

LOCAL_HOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class UnsafeUrl(ValueError):
    """A URL the service refuses to call; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: its scheme, canonical host (IPv6 without brackets), port and address if a literal."""

    scheme: str
    host: str
    port: int
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None


def is_public_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for globally routable addresses (not loopback, private, link-local, reserved…)."""
    if isinstance(address, ipaddress.IPv6Address) and _embeds_ipv4(address):
        return False
    return address.is_global and not address.is_multicast


def is_public_address_text(text: str) -> bool:
    """:func:`is_public_ip` of an address as a socket reports it (a zone suffix makes it non-public)."""
    try:
        return is_public_ip(ipaddress.ip_address(text))
    except ValueError:
        return False


def _embeds_ipv4(address: ipaddress.IPv6Address) -> bool:
    return (
        address.ipv4_mapped is not None
        or address.sixtofour is not None
        or address.teredo is not None
        or any(address in net for net in _NAT64)
        or (address in _IPV4_COMPATIBLE and int(address) > 1)
    )


def canonical_host(raw: str) -> tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address | None]:
    """The host as the client will use it, and its address if it is an IP literal; UnsafeUrl otherwise."""
    if not raw:
        raise UnsafeUrl("must name a host")
    if not raw.isascii():
        raise UnsafeUrl("must have an ASCII host (an internationalised name in its xn-- form)")
    if raw.startswith("["):
        if not raw.endswith("]") or "%" in raw:
            raise UnsafeUrl("is not a valid IPv6 host")
        try:
            v6 = ipaddress.IPv6Address(raw[1:-1])
        except ValueError:
            raise UnsafeUrl("is not a valid IPv6 host") from None
        if _embeds_ipv4(v6) or v6.is_unspecified:
            raise UnsafeUrl("must not use an IPv6 form of an IPv4 address or the unspecified address")
        return v6.compressed, v6
    host = raw.lower()
    if not _NAME.fullmatch(host):
        raise UnsafeUrl("must have a host of letters, digits, '-', '_' and dots only")
    if _NUMERIC_LABEL.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]):
        try:
            v4 = ipaddress.IPv4Address(host)  # refuses short, octal, hex and decimal spellings
        except ValueError:
            raise UnsafeUrl("must write an IPv4 address as four decimal numbers (a.b.c.d)") from None
        if v4.is_unspecified:
            raise UnsafeUrl("must not be the unspecified address")
        return host, v4
    return host, None


def is_local_name(host: str) -> bool:
    name = host.rstrip(".")
    return name in LOCAL_HOST_NAMES or name.endswith(".localhost")


def _split_authority(netloc: str) -> tuple[str, str | None]:
    if "@" in netloc:
        raise UnsafeUrl("must not carry credentials")
    if netloc.startswith("["):
        host, bracket, rest = netloc.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise UnsafeUrl("is not a valid URL")
        return host + "]", rest[1:] if rest else None
    host, colon, port = netloc.partition(":")
    return host, port if colon else None


def check_url(url: str, *, allow_private: bool) -> Target:
    """Check an http(s) URL the service is about to store or call."""
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise UnsafeUrl("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UnsafeUrl("is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeUrl("must be an http or https URL")
    raw_host, raw_port = _split_authority(parts.netloc)
    if raw_port is None or raw_port == "":
        port = 443 if scheme == "https" else 80
    elif raw_port.isascii() and raw_port.isdigit() and 0 < int(raw_port) < 65536:
        port = int(raw_port)
    else:
        raise UnsafeUrl("has an invalid port")
    host, address = canonical_host(raw_host)
    if not allow_private:
        if address is not None and not is_public_ip(address):
            raise UnsafeUrl("must not point to a private or loopback address")
        if address is None and is_local_name(host):
            raise UnsafeUrl("must not point to a private or loopback address")
    return Target(scheme, host, port, address)
