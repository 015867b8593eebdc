"""The one small interface every payment provider implements, fed by plain dataclasses.

A provider starts a payment (a hosted checkout session), reads the events it sends back
(verifying their signature), refunds, and says which reference matches its money to a payment.
Providers know nothing of the portal's models: services turn payments into these dataclasses.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol


class ProviderError(Exception):
    """The provider refused or could not be reached; the message is safe to show to staff."""


class InvalidEvent(Exception):
    """An incoming event whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class CheckoutRequest:
    payment_id: int
    amount: Decimal  # two places, in `currency`
    currency: str  # ISO 4217, e.g. "EUR"
    method: str  # one of payments.models.Method: card, sepa_debit, blik, p24
    description: str
    customer_email: str
    success_url: str
    cancel_url: str
    expires_at: datetime  # aware; Stripe accepts 30 minutes to 24 hours from now
    idempotency_key: str  # derived from the business: payment id and session number
    language: str = "auto"  # the buyer's language for the hosted page
    # Stripe account of the escrow holder: the charge is a destination charge to it.
    destination_account: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class ProviderEvent:
    """An event as the provider sent it: its unique id, its type and the object it is about."""

    event_id: str
    type: str  # Stripe's names: "checkout.session.completed", "charge.refunded", ...
    created: int  # unix time the provider gives the event
    data_object: dict[str, Any]
    payload: dict[str, Any]  # the whole event, stored as received


@dataclass(frozen=True)
class RefundRequest:
    refund_id: int
    payment_id: int
    provider_payment_id: str  # e.g. Stripe's PaymentIntent id
    amount: Decimal
    currency: str
    idempotency_key: str  # one per refund: repeating the call never refunds twice
    reason: str = ""


@dataclass(frozen=True)
class RefundResult:
    provider_refund_id: str
    status: str  # "succeeded", "pending" or "failed"


class PaymentProvider(Protocol):
    name: str

    def checkout_start(self, request: CheckoutRequest) -> CheckoutSession:
        """Open a hosted checkout for the payment; the buyer is sent to `url`."""

    def checkout_expire(self, session_id: str) -> None:
        """Close an open session (the buyer changed method); a session already closed is fine."""

    def event_parse(self, *, payload: bytes, signature: str) -> ProviderEvent:
        """Verify and read one incoming event; raise InvalidEvent when it does not check out."""

    def refund(self, request: RefundRequest) -> RefundResult:
        """Give money back on a payment it processed; raise ProviderError when refused."""

    def matching_reference(self, data_object: dict[str, Any]) -> int | None:
        """The portal payment id an event's object is about, or None when it is not ours."""
