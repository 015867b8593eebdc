"""The current request's client address: one rule for the audit trail and the login rate limits.

Behind reverse proxies, X-Forwarded-For is "client, proxy1, proxy2…" and each proxy appends the
address it received the request from. Only the entries our own proxies added can be trusted: a
client can write anything at the left of the header. With `TRUSTED_PROXY_COUNT` = N proxies in
front of the portal, the Nth entry from the right is the client; with 0 (the default, no proxy)
the header is ignored and the socket's address counts.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def address_from_request(request: HttpRequest) -> str | None:
    """The client's IP address, trusting X-Forwarded-For only as far as our own proxies go."""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        # Fewer entries than proxies: the request did not come through all of them, so the header
        # says nothing reliable; the socket's peer is what we know.
        if len(forwarded) >= trusted:
            address = _valid(forwarded[-trusted])
            if address:
                return address
    return _valid(request.META.get("REMOTE_ADDR") or "")
