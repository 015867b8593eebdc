"""Signing webhook bodies the way Stripe does, without the Stripe library.

The simulated provider signs the events it sends with this, so they go through the very same
verification as Stripe's own (StripeProvider.event_parse); tests use it to forge valid events.
"""

import hashlib
import hmac
import time

SCHEME = "v1"


def event_sign(*, payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header value for `payload`: `t=<unix time>,v1=<hex HMAC-SHA256>`.

    The HMAC key is the endpoint's secret and the message is `<t>.<raw body>`, as documented in
    https://docs.stripe.com/webhooks#verify-manually.
    """
    if not secret:
        raise ValueError("event_sign needs a webhook secret")
    if timestamp is None:
        timestamp = int(time.time())
    signed = b"%d." % timestamp + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},{SCHEME}={digest}"
