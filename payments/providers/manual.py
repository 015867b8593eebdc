"""Bank transfer and cheque: the buyer pays outside the portal, staff record what arrived.

The buyer writes the payment's structured creditor reference (RF…) on his transfer; its last
eight digits are the payment's id, so a bank line matches its payment without a lookup table.
"""

from typing import Any

from payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    InvalidEvent,
    ProviderError,
    ProviderEvent,
    RefundRequest,
    RefundResult,
)
from payments.references import creditor_reference_valid


def reference_payment_id(reference: str) -> int | None:
    reference = (reference or "").replace(" ", "").upper()
    if not creditor_reference_valid(reference) or len(reference) < 12:
        return None
    tail = reference[-8:]
    return int(tail) if tail.isdigit() else None


class ManualProvider:
    name = "manual"

    def checkout_start(self, request: CheckoutRequest) -> CheckoutSession:
        raise ProviderError("A bank transfer has no online checkout.")

    def checkout_expire(self, session_id: str) -> None:
        """No session to close."""

    def event_parse(self, *, payload: bytes, signature: str) -> ProviderEvent:
        raise InvalidEvent("Bank transfers send no events; staff record them.")

    def refund(self, request: RefundRequest) -> RefundResult:
        # Staff pay the money back themselves; the portal records it as done.
        return RefundResult(provider_refund_id="", status="succeeded")

    def matching_reference(self, data_object: dict[str, Any]) -> int | None:
        return reference_payment_id(data_object.get("reference", ""))
