"""The development provider (PAY-11): an in-app checkout page instead of Stripe's.

Used when no Stripe key is configured. Its page's buttons send Stripe-shaped events, signed with
the webhook secret, through the same webhook code as Stripe's (payments/services/webhooks.py).
"""

import secrets

from payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    InvalidEvent,
    ProviderError,
    RefundRequest,
    RefundResult,
)


class SimulatedProvider:
    name = "simulated"
    methods = {"card", "sepa_debit", "blik", "p24"}

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

    def event_parse(self, *, payload: bytes, signature: str):
        raise InvalidEvent("Simulated events go through the Stripe webhook verification.")

    def refund(self, request: RefundRequest) -> RefundResult:
        return RefundResult(provider_refund_id=f"re_sim_{request.refund_id}", status="succeeded")

    def matching_reference(self, data_object: dict) -> int | None:
        reference = data_object.get("client_reference_id") or ""
        return int(reference) if reference.isdigit() else None
