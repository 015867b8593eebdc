"""Builders for the payments tests: settings, sales with a buyer, requests, checkout and signed events.

Payments, sessions and events are made through the real services and the real signature scheme,
so a test starts from a state the portal itself could reach.
"""

import itertools
import json
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from payments.models import CheckoutSession, Payment, PaymentSettings
from payments.providers import webhook_secret
from payments.providers.signing import event_sign
from payments.services.checkout import payment_checkout_open
from payments.services.requests import payment_method_choose
from payments.services.webhooks import webhook_receive
from programmes.models import Programme
from sales.models import Sale
from sales.services import sale_create
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make

RESPONSES = Path(__file__).parent / "stripe_responses"
SUCCESS_URL = "https://portal.example.test/space/payments/?paid=1"
CANCEL_URL = "https://portal.example.test/space/payments/?cancelled=1"

_events = itertools.count(1)


def payment_settings_make(programme: Programme, **fields) -> PaymentSettings:
    """The programme's saved payment settings; by hand only unless `deposit_request_stage` is given."""
    fields.setdefault("deposit_request_stage", "")
    return PaymentSettings.objects.create(programme=programme, **fields)


def polish_programme_make(**fields) -> Programme:
    return ProgrammeFactory(
        country=Programme.Country.PL, currency=Programme.Currency.PLN, city="Warszawa", **fields
    )


def sale_with_buyer_make(
    *,
    advisor,
    programme: Programme | None = None,
    price: str = "200000.00",
    buyer=None,
    deed_planned_on: date | None = None,
    reservation_signed_on: date | None = None,
    **buyer_fields,
) -> Sale:
    """A sale of one lot to one buyer (with a mobile phone), made through `sale_create`."""
    programme = programme or ProgrammeFactory()
    buyer_fields.setdefault("phone", "+33612345678")
    buyer = buyer or BuyerFactory(**buyer_fields)
    sale = sale_create(
        actor=advisor,
        programme=programme,
        lots=lots_make(programme, 1, price=price),
        buyers=[buyer],
        advisor=advisor,
    )
    # Dates staff type into the sale's form; no stage move is wanted here.
    changes = {"deed_planned_on": deed_planned_on, "reservation_signed_on": reservation_signed_on}
    Sale.objects.filter(pk=sale.pk).update(**changes)
    sale.refresh_from_db()
    return sale


def deed_within(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def session_open(payment: Payment, *, method: str = "card") -> CheckoutSession:
    """The buyer chooses `method` and opens the (simulated) checkout: the session he lands on."""
    payment_method_choose(payment=payment, method=method)
    url = payment_checkout_open(payment=payment, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    return CheckoutSession.objects.get(url=url)


def event_body(event_type: str, data_object: dict, *, event_id: str | None = None) -> bytes:
    """A Stripe event, shaped as the recorded one, about `data_object`."""
    event = json.loads((RESPONSES / "event_checkout_session_completed.json").read_text())
    event["id"] = event_id or f"evt_test_{next(_events):06d}"
    event["type"] = event_type
    event["created"] = int(timezone.now().timestamp())
    event["data"] = {"object": data_object}
    return json.dumps(event).encode()


def session_object(
    session: CheckoutSession,
    *,
    payment_status: str = "paid",
    amount_minor: int | None = None,
    intent: str = "pi_test_0001",
) -> dict:
    """A checkout.session object as Stripe sends it for `session`, amounts in cents."""
    recorded = json.loads((RESPONSES / "event_checkout_session_completed.json").read_text())
    payment = session.payment
    outstanding = payment.amount - payment.amount_paid
    return {
        **recorded["data"]["object"],
        "id": session.session_id,
        "client_reference_id": str(payment.pk),
        "metadata": {"payment_id": str(payment.pk), "sale": payment.sale.reference},
        "amount_total": amount_minor if amount_minor is not None else int(outstanding * 100),
        "amount_subtotal": amount_minor if amount_minor is not None else int(outstanding * 100),
        "currency": payment.currency.lower(),
        "payment_method_types": [session.method],
        "payment_status": payment_status,
        "payment_intent": intent,
    }


def event_send(event_type: str, data_object: dict, *, event_id: str | None = None):
    """Deliver one event signed with the portal's webhook secret, as the provider would."""
    body = event_body(event_type, data_object, event_id=event_id)
    return webhook_receive(payload=body, signature=event_sign(payload=body, secret=webhook_secret()))


def stage_reach(sale: Sale, stage: str, *, actor) -> Sale:
    """Walk a sale along the pipeline up to `stage` (each step through the real service)."""
    from sales.services import sale_move_stage
    from sales.stages import PIPELINE

    for step in PIPELINE[PIPELINE.index(sale.stage) + 1 : PIPELINE.index(stage) + 1]:
        sale = sale_move_stage(actor=actor, sale=sale, target=step)
    return sale
