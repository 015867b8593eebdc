"""The development provider (PAY-11): an in-app checkout page instead of Stripe's.

Used in the quick start and the tests, when no Stripe key is configured. Its page's buttons send
Stripe-shaped events, signed with the webhook secret; `event_parse` verifies and reads them the
way Stripe's own are read (payments/providers/signing.py), without any Stripe account.
"""

import secrets
from typing import Any

from payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    ProviderError,
    ProviderEvent,
    RefundRequest,
    RefundResult,
)
from payments.providers.signing import SIGNATURE_TOLERANCE, event_verify


class SimulatedProvider:
    name = "simulated"
    methods = {"card", "sepa_debit", "blik", "p24"}

    def __init__(self, *, webhook_secret: str | None = None, tolerance: int = SIGNATURE_TOLERANCE):
        self._webhook_secret = webhook_secret
        self._tolerance = tolerance

    def __repr__(self) -> str:
        return "<SimulatedProvider>"  # never print the secret

    def checkout_start(self, request: CheckoutRequest) -> CheckoutSession:
        if request.method not in self.methods:
            raise ProviderError(f"The simulated checkout does not take {request.method}.")
        session_id = f"cs_sim_{secrets.token_urlsafe(18)}"
        # A path on the portal itself, so the page works whatever host serves it.
        return CheckoutSession(
            session_id=session_id, url=f"/payments/simulated/{session_id}/", expires_at=request.expires_at
        )

    def checkout_expire(self, session_id: str) -> None:
        """Nothing to tell: the simulated page reads the session's state from the database."""

    def event_parse(self, *, payload: bytes, signature: str) -> ProviderEvent:
        return event_verify(
            payload=payload,
            signature=signature,
            secret=self._secret(),
            provider=self.name,
            tolerance=self._tolerance,
        )

    def refund(self, request: RefundRequest) -> RefundResult:
        return RefundResult(provider_refund_id=f"re_sim_{request.refund_id}", status="succeeded")

    def matching_reference(self, data_object: dict[str, Any]) -> int | None:
        reference = data_object.get("client_reference_id") or ""
        return int(reference) if reference.isdigit() else None

    def _secret(self) -> str:
        if self._webhook_secret is not None:
            return self._webhook_secret
        # Read when an event comes, not at import: the package module chooses the secret.
        from payments.providers import webhook_secret

        return webhook_secret()
