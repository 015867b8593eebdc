"""Signing webhook bodies the way Stripe does, for the simulated checkout and the tests.

The header is written by the Stripe library's own public helper (through the Stripe provider,
the one module that imports it), so simulated events pass the very verification Stripe's own
events pass: `event_verify` here, `StripeProvider.event_parse` for Stripe's.
"""

from payments.providers.base import ProviderEvent
from payments.providers.stripe import SIGNATURE_TOLERANCE, event_read, signature_header


def event_sign(*, payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header value for `payload`: `t=<unix time>,v1=<hex HMAC-SHA256>`.

    The HMAC key is the endpoint's secret and the message is `<t>.<raw body>`, as documented in
    https://docs.stripe.com/webhooks#verify-manually; `timestamp` defaults to now.
    """
    return signature_header(payload=payload, secret=secret, timestamp=timestamp)


def event_verify(
    *, payload: bytes, signature: str, secret: str, provider: str, tolerance: int = SIGNATURE_TOLERANCE
) -> ProviderEvent:
    """Verify a Stripe-shaped signed event (timestamp neither too old nor too far ahead) and read it."""
    return event_read(
        payload=payload, signature=signature, secret=secret, provider=provider, tolerance=tolerance
    )
