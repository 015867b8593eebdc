"""The current request's client address, for the audit trail written deep inside services."""

from contextvars import ContextVar

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def address_from_request(request) -> str | None:
    # Behind the proxy the first X-Forwarded-For entry is the client; the proxy sets it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
