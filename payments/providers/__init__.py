"""Which provider does what.

Stripe takes card and debit payments when its key is configured. The simulated checkout stands in
for it only where `PAYMENTS_SIMULATED` is on (the quick start and the tests). Anywhere else, without
Stripe, no online provider exists: payments are bank transfers, matched by the manual provider.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings

from payments.providers.base import PaymentProvider, ProviderError
from payments.providers.manual import ManualProvider
from payments.providers.simulated import SimulatedProvider

# Where the quick start keeps the simulated events' signing secret, inside VAR_DIR.
SIMULATED_SECRET_FILE = "simulated-webhook-secret"
SIMULATED_SECRET_PREFIX = "whsec_simulated_"


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def simulated_enabled() -> bool:
    """The simulated checkout is on: quick start or tests, and no Stripe key."""
    return bool(settings.PAYMENTS_SIMULATED) and not stripe_configured()


def online_payments_available() -> bool:
    """Card and debit payments can be taken; otherwise only bank transfers are offered."""
    return stripe_configured() or simulated_enabled()


def simulated_webhook_secret() -> str:
    """The secret the simulated checkout's events are signed with, and checked against.

    Random, made once per installation and kept in VAR_DIR, so every process of the quick start
    (server, bench) shares it; never derived from a setting, whose default is public.
    """
    if not settings.PAYMENTS_SIMULATED:
        raise ProviderError("The simulated checkout is off (PAYMENTS_SIMULATED).")
    path = Path(settings.VAR_DIR) / SIMULATED_SECRET_FILE
    secret = _secret_read(path)
    if secret:
        return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(f"{SIMULATED_SECRET_PREFIX}{secrets.token_hex(24)}\n")
    try:
        # A link never replaces an existing file: of two processes starting together, the first
        # one's secret wins and the other reads it, complete.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    secret = _secret_read(path)
    if not secret:
        raise ProviderError(f"{path} is empty: delete it and a fresh secret is made.")
    return secret


def _secret_read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def webhook_secret() -> str:
    """The secret incoming events are checked against: Stripe's, or the simulated checkout's."""
    if settings.STRIPE_WEBHOOK_SECRET:
        return settings.STRIPE_WEBHOOK_SECRET
    if simulated_enabled():
        return simulated_webhook_secret()
    raise ProviderError("No payment provider takes events: neither Stripe nor the simulated checkout is on.")


def stripe_provider() -> PaymentProvider:
    from payments.providers.stripe import StripeProvider

    return StripeProvider(
        api_key=settings.STRIPE_SECRET_KEY or "sk_test_not_configured", webhook_secret=webhook_secret()
    )


def online_provider() -> PaymentProvider:
    """The provider of card and debit payments; ProviderError when there is none."""
    if stripe_configured():
        return stripe_provider()
    if simulated_enabled():
        return SimulatedProvider()
    raise ProviderError("Online payment is not configured: payments are by bank transfer only.")


def provider_named(name: str) -> PaymentProvider:
    if name == "stripe":
        return stripe_provider()
    if name == "simulated":
        if not settings.PAYMENTS_SIMULATED:
            # Outside the quick start a simulated refund would "give back" money never taken.
            raise ProviderError("The simulated provider is off outside the quick start and tests.")
        return SimulatedProvider()
    return ManualProvider()
