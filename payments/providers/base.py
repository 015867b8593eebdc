"""The one small interface every payment provider implements, fed by plain dataclasses.

A provider starts a payment (a hosted checkout session), reads the events it sends back
(verifying their signature and translating them into `ProviderEvent`), refunds, and says which
reference matches its money to a payment. Providers know nothing of the portal's models, and
services nothing of the providers' payloads: both sides speak these dataclasses.
"""

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
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


class EventKind(StrEnum):
    """What an incoming provider event means for the portal, whatever the provider calls it."""

    PAID = "paid"  # a checkout's money arrived (`amount`, for `session_id`)
    PROCESSING = "processing"  # the buyer went through a checkout whose money comes days later
    FAILED = "failed"  # a delayed payment of a checkout failed
    EXPIRED = "expired"  # a checkout closed unused
    REFUNDED = "refunded"  # everything refunded on the payment so far (`refunded_total`)
    REFUND_UPDATED = "refund_updated"  # the current status of one refund (`refund_status`)
    IGNORED = "ignored"  # nothing the portal acts on


@dataclass(frozen=True)
class ProviderEvent:
    """An incoming event as the product reads it: what happened, to which payment, how much.

    The provider translates its own payload into this (amounts as `Decimal` in `currency`); the
    services read only these fields. `payload` is the event as received, kept for the record.
    """

    event_id: str  # the provider's unique id: a redelivery carries the same one
    provider: str  # the provider that verified and read it ("stripe", "simulated")
    type: str  # the provider's own name ("checkout.session.completed"), for the record only
    kind: EventKind
    created: datetime  # aware: when the provider says it happened
    payment_id: int | None = None  # the portal payment it names, when it names one
    session_id: str = ""  # the checkout session it is about
    provider_payment_id: str = ""  # e.g. Stripe's PaymentIntent id
    amount: Decimal | None = None  # paid: the checkout's total; refund_updated: the refund's
    currency: str = ""  # ISO 4217, upper case
    refunded_total: Decimal | None = None  # refunded: the cumulative total, never an increment
    refund_id: int | None = None  # refund_updated: the portal refund it is about
    provider_refund_id: str = ""
    refund_status: str = ""  # refund_updated: "succeeded", "pending" or "failed"
    method: str = ""  # card, sepa_debit, blik, p24 when the provider says
    payload: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def as_data(self) -> dict[str, Any]:
        """The event without its payload, as JSON-friendly values (to keep it waiting)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "payload"}
        data["kind"] = str(self.kind)
        data["created"] = self.created.isoformat()
        for name in ("amount", "refunded_total"):
            data[name] = None if data[name] is None else str(data[name])
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ProviderEvent":
        values = dict(data)
        values["kind"] = EventKind(values["kind"])
        values["created"] = datetime.fromisoformat(values["created"])
        for name in ("amount", "refunded_total"):
            values[name] = None if values.get(name) is None else Decimal(values[name])
        return cls(**values)


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
        """Verify one incoming event and translate it into the product's terms.

        Raise InvalidEvent when its signature, its timestamp (too old or too far ahead) or its
        body does not check out.
        """

    def refund(self, request: RefundRequest) -> RefundResult:
        """Give money back on a payment it processed; raise ProviderError when refused."""

    def matching_reference(self, data_object: dict[str, Any]) -> int | None:
        """The portal payment id one of the provider's objects is about, or None when not ours."""
