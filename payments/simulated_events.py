"""The events the simulated checkout (PAY-11) sends: shaped like Stripe's, signed like Stripe's.

Each button of the simulated page becomes the events Stripe would send for that outcome; they go
through `webhook_receive`, the very code that takes Stripe's own events, with a `Stripe-Signature`
header made with the webhook secret. The bench and the tests build their events here too.
"""

import json
import secrets
import time
from typing import Any

from payments.models import CheckoutSession, Payment
from payments.providers import webhook_secret
from payments.providers.signing import event_sign
from payments.providers.stripe import amount_to_minor
from payments.services.webhooks import webhook_receive

PAY = "pay"
FAIL = "fail"
ABANDON = "abandon"
OUTCOMES = (PAY, FAIL, ABANDON)

# Methods whose money arrives days later: Stripe completes the session unpaid, then says more.
DELAYED_METHODS = frozenset({"sepa_debit"})


def session_object(
    *, session: CheckoutSession, payment: Payment, status: str, payment_status: str
) -> dict[str, Any]:
    """A `checkout.session` object as Stripe sends it, for the fields the portal reads and a few more."""
    metadata = {"payment_id": str(payment.pk), "sale": payment.sale.reference}
    return {
        "id": session.session_id,
        "object": "checkout.session",
        "mode": "payment",
        "livemode": False,
        "status": status,
        "payment_status": payment_status,
        "client_reference_id": str(payment.pk),
        "amount_total": amount_to_minor(payment.amount - payment.amount_paid, payment.currency),
        "currency": payment.currency.lower(),
        "payment_method_types": [session.method],
        "payment_intent": f"pi_sim_{session.session_id}" if status != "expired" else None,
        "expires_at": int(session.expires_at.timestamp()),
        "metadata": metadata,
    }


def event_make(event_type: str, data_object: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"evt_sim_{secrets.token_hex(12)}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": data_object},
    }


def simulated_events(*, session: CheckoutSession, payment: Payment, outcome: str) -> list[dict[str, Any]]:
    """The events Stripe would send, in order, when the buyer pays, fails or abandons the checkout."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")

    def obj(status: str, payment_status: str) -> dict[str, Any]:
        return session_object(session=session, payment=payment, status=status, payment_status=payment_status)

    if outcome == ABANDON:
        return [event_make("checkout.session.expired", obj("expired", "unpaid"))]
    if outcome == FAIL:
        return [
            event_make("checkout.session.completed", obj("complete", "unpaid")),
            event_make("checkout.session.async_payment_failed", obj("complete", "unpaid")),
        ]
    if session.method in DELAYED_METHODS:
        return [
            event_make("checkout.session.completed", obj("complete", "unpaid")),
            event_make("checkout.session.async_payment_succeeded", obj("complete", "paid")),
        ]
    return [event_make("checkout.session.completed", obj("complete", "paid"))]


def event_payload(event: dict[str, Any]) -> tuple[bytes, str]:
    """(raw body, Stripe-Signature header) of an event, signed with the endpoint's secret."""
    payload = json.dumps(event, separators=(",", ":")).encode()
    return payload, event_sign(payload=payload, secret=webhook_secret())


def simulated_events_send(*, session: CheckoutSession, payment: Payment, outcome: str) -> None:
    """Send the outcome's events through the webhook code, one after the other."""
    for event in simulated_events(session=session, payment=payment, outcome=outcome):
        payload, signature = event_payload(event)
        webhook_receive(payload=payload, signature=signature)
