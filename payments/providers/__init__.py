"""Which provider does what: Stripe when its key is configured, the simulated one otherwise."""

import hashlib

from django.conf import settings

from payments.providers.manual import ManualProvider
from payments.providers.simulated import SimulatedProvider


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def webhook_secret() -> str:
    """Stripe's signing secret; without Stripe, one derived from the secret key for simulated events."""
    if settings.STRIPE_WEBHOOK_SECRET:
        return settings.STRIPE_WEBHOOK_SECRET
    digest = hashlib.sha256(f"simulated-webhooks:{settings.SECRET_KEY}".encode()).hexdigest()
    return f"whsec_simulated_{digest[:32]}"


def stripe_provider():
    from payments.providers.stripe import StripeProvider

    return StripeProvider(
        api_key=settings.STRIPE_SECRET_KEY or "sk_test_not_configured", webhook_secret=webhook_secret()
    )


def online_provider():
    """The provider of card and debit payments."""
    return stripe_provider() if stripe_configured() else SimulatedProvider()


def provider_named(name: str):
    if name == "stripe":
        return stripe_provider()
    if name == "simulated":
        return SimulatedProvider()
    return ManualProvider()
