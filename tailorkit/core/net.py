"""The client's network address, read the same way by every part of Tailorkit.

Behind reverse proxies ``REMOTE_ADDR`` is the nearest proxy's address, shared by every client.
Each proxy appends the address it received the request from to ``X-Forwarded-For``, so with
``TAILORKIT_TRUSTED_PROXIES = N`` the client is the N-th entry counted from the right: the entries
to its right were written by our own proxies, the ones to its left by whoever sent the request and
can say anything. The left-most entry is therefore never used. With N = 0 (the default), or when
the header is missing, shorter than N or malformed, the address is ``REMOTE_ADDR``: a wrong value
falls back to the proxy's own address, never to one the client chose.

allauth's rate limits (sign-in) use this too, through ``core.adapters.AccountAdapter``; the
respondent limiter of consultations and the audit log read it here.
"""

import ipaddress

from django.conf import settings


def parse_ip(value):
    """A canonical IP address from ``value`` (a port or IPv6 brackets are dropped), or None."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request):
    """The address of the client that sent ``request``, or None if even ``REMOTE_ADDR`` is unusable."""
    trusted = int(getattr(settings, "TAILORKIT_TRUSTED_PROXIES", 0) or 0)
    remote = parse_ip(request.META.get("REMOTE_ADDR"))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted <= 0 or not forwarded:
        return remote
    entries = forwarded.split(",")
    if len(entries) < trusted:
        return remote
    return parse_ip(entries[-trusted]) or remote


def address_block(ip, ipv6_prefix=64):
    """What a per-address limit counts: the address itself for IPv4, its /64 network for IPv6
    (one IPv6 client usually holds a whole /64, as allauth assumes too)."""
    if not ip:
        return ""
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{ipv6_prefix}", strict=False))
    return ip
