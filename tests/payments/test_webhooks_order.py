"""Events in any order converge to Stripe's last word (PAY-5, PAY-6).

Each realistic sequence of Stripe events (card, SEPA debit succeeding or failing, expiry, refunds
asked in the portal, refunds made in Stripe's dashboard) is delivered in EVERY order, once and
then with every event delivered a second time. Whatever the order, the payment ends where the
sequence in Stripe's own order leaves it: status, money paid, money refunded, one receipt, each
alert once, and no event left waiting.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db.models import Q

from payments.models import CheckoutSession, Payment, PaymentEvent, Receipt, Refund, Status, WebhookEvent
from payments.providers import webhook_secret
from payments.providers.signing import event_sign
from payments.services.refunds import refund_request
from payments.services.webhooks import webhook_receive
from portal.alerts.models import Alert
from portal.outbox.models import OutboxMessage
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import payment_settings_make, sale_with_buyer_make, session_object, session_open

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("1000.00")
T0 = int(datetime(2026, 1, 1, 9, 0, tzinfo=UTC).timestamp())


# Stripe-shaped objects -----------------------------------------------------------------------------


def intent_of(session) -> str:
    return f"pi_test_{session.session_id[-12:]}"


def completed(session, *, paid: bool) -> tuple[str, dict]:
    obj = session_object(session, payment_status="paid" if paid else "unpaid", intent=intent_of(session))
    return "checkout.session.completed", obj


def async_outcome(session, *, succeeded: bool) -> tuple[str, dict]:
    obj = session_object(session, payment_status="paid" if succeeded else "unpaid", intent=intent_of(session))
    verb = "succeeded" if succeeded else "failed"
    return f"checkout.session.async_payment_{verb}", obj


def expired(session) -> tuple[str, dict]:
    obj = {**session_object(session, payment_status="unpaid"), "status": "expired", "payment_intent": None}
    return "checkout.session.expired", obj


def intent_succeeded(session) -> tuple[str, dict]:
    payment = session.payment
    obj = {
        "id": intent_of(session),
        "object": "payment_intent",
        "amount": 100000,
        "amount_received": 100000,
        "currency": "eur",
        "status": "succeeded",
        "metadata": {"payment_id": str(payment.pk), "sale": payment.sale.reference},
    }
    return "payment_intent.succeeded", obj


def charge(session, *, refunded_minor: int = 0, named: bool = False) -> dict:
    """The charge of a session's PaymentIntent. Stripe does not copy the intent's metadata onto
    it, so by default it names no payment and is matched by its PaymentIntent."""
    return {
        "id": f"ch_test_{session.session_id[-12:]}",
        "object": "charge",
        "amount": 100000,
        "amount_captured": 100000,
        "amount_refunded": refunded_minor,
        "currency": "eur",
        "paid": True,
        "payment_intent": intent_of(session),
        "refunded": refunded_minor == 100000,
        "status": "succeeded",
        "metadata": {"payment_id": str(session.payment_id)} if named else {},
    }


def charge_succeeded(session) -> tuple[str, dict]:
    return "charge.succeeded", charge(session)


def charge_refunded(session, refunded_minor: int, *, named: bool = False) -> tuple[str, dict]:
    return "charge.refunded", charge(session, refunded_minor=refunded_minor, named=named)


def refund_event(
    event_type: str, session, *, amount_minor: int, status: str, refund: Refund | None = None
) -> tuple[str, dict]:
    """A refund object: asked in the portal (it carries our ids) or made in the dashboard."""
    metadata = {"refund_id": str(refund.pk), "payment_id": str(refund.payment_id)} if refund else {}
    obj = {
        "id": f"re_test_{refund.pk if refund else 'dashboard'}",
        "object": "refund",
        "amount": amount_minor,
        "charge": f"ch_test_{session.session_id[-12:]}",
        "currency": "eur",
        "payment_intent": intent_of(session),
        "status": status,
        "metadata": metadata,
    }
    return event_type, obj


def signed(index: int, event_type: str, obj: dict, *, prefix: str = "evt_test_order") -> tuple[bytes, str]:
    """The event Stripe sends `index`-th (its `created` says so), signed with the endpoint secret."""
    event = {
        "id": f"{prefix}_{index}",
        "object": "event",
        "type": event_type,
        "created": T0 + index,
        "livemode": False,
        "data": {"object": obj},
    }
    body = json.dumps(event).encode()
    return body, event_sign(payload=body, secret=webhook_secret())


# Scenarios ---------------------------------------------------------------------------------------


@dataclass
class Scenario:
    payment: Payment
    events: list[tuple[str, dict]]  # in Stripe's order
    status: str
    paid: Decimal
    refunded: Decimal = Decimal("0.00")
    attempts: int = 1
    receipt: bool = True
    received_alert: bool = True  # the advisor hears the money arrived (here, not before)
    failed_alert: bool = False
    extra: Callable[[Payment], None] = field(default=lambda payment: None)


def card_payment(advisor) -> Payment:
    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer")
    return request_make(actor=advisor, sale=sale, amount=str(AMOUNT), reference="INV-ORDER")


def sepa_payment(advisor) -> Payment:
    programme = ProgrammeFactory()
    payment_settings_make(programme, accept_sepa_debit=True)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, first_name="Anna", last_name="Buyer")
    return request_make(actor=advisor, sale=sale, amount=str(AMOUNT), reference="INV-ORDER")


def paid_by_card(advisor) -> tuple[Payment, object]:
    """A card payment already paid through its webhook, before the sequence under test starts."""
    payment = card_payment(advisor)
    session = session_open(payment)
    body, signature = signed(0, *completed(session, paid=True), prefix=f"evt_test_paid_{payment.pk}")
    webhook_receive(payload=body, signature=signature)
    return Payment.objects.get(pk=payment.pk), session


def card(advisor, accountant) -> Scenario:
    payment = card_payment(advisor)
    session = session_open(payment)
    events = [completed(session, paid=True), intent_succeeded(session), charge_succeeded(session)]
    return Scenario(payment, events, Status.PAID, AMOUNT)


def sepa_success(advisor, accountant) -> Scenario:
    payment = sepa_payment(advisor)
    session = session_open(payment, method="sepa_debit")
    events = [completed(session, paid=False), async_outcome(session, succeeded=True)]
    return Scenario(payment, events, Status.PAID, AMOUNT)


def sepa_failure(advisor, accountant) -> Scenario:
    payment = sepa_payment(advisor)
    session = session_open(payment, method="sepa_debit")
    events = [completed(session, paid=False), async_outcome(session, succeeded=False)]

    def the_buyer_may_pay_again(payment: Payment) -> None:
        assert payment.is_open
        assert CheckoutSession.objects.get(pk=session.pk).failed_at is not None

    return Scenario(
        payment,
        events,
        Status.FAILED,
        Decimal("0.00"),
        receipt=False,
        received_alert=False,
        failed_alert=True,
        extra=the_buyer_may_pay_again,
    )


def expiry(advisor, accountant) -> Scenario:
    payment = card_payment(advisor)
    session = session_open(payment)

    def the_session_is_closed(payment: Payment) -> None:
        assert CheckoutSession.objects.get(pk=session.pk).state == "expired"

    return Scenario(
        payment,
        [expired(session)],
        Status.TO_PAY,
        Decimal("0.00"),
        attempts=0,
        receipt=False,
        received_alert=False,
        extra=the_session_is_closed,
    )


def expiry_then_another_method(advisor, accountant) -> Scenario:
    """The buyer leaves a SEPA checkout, comes back and pays by card: the first one expires."""
    payment = sepa_payment(advisor)
    first = session_open(payment, method="sepa_debit")
    second = session_open(Payment.objects.get(pk=payment.pk), method="card")
    events = [expired(first), completed(second, paid=True)]

    def only_the_second_session_was_used(payment: Payment) -> None:
        states = dict(payment.sessions.values_list("pk", "state"))
        assert states == {first.pk: "expired", second.pk: "complete"}
        assert payment.method == "card"

    return Scenario(payment, events, Status.PAID, AMOUNT, extra=only_the_second_session_was_used)


def portal_refund(advisor, accountant, amount: Decimal, status: str) -> Scenario:
    payment, session = paid_by_card(advisor)
    refund = refund_request(actor=accountant, payment=payment, amount=amount)
    minor = int(amount * 100)
    events = [
        refund_event("refund.created", session, amount_minor=minor, status="pending", refund=refund),
        refund_event("refund.updated", session, amount_minor=minor, status="succeeded", refund=refund),
        charge_refunded(session, minor),
    ]

    def the_refund_asked_is_the_one_settled(payment: Payment) -> None:
        [only] = Refund.objects.filter(payment=payment)
        assert (only.pk, only.state, only.provider_refund_id) == (
            refund.pk,
            "succeeded",
            f"re_test_{refund.pk}",
        )

    return Scenario(
        payment,
        events,
        status,
        AMOUNT,
        refunded=amount,
        received_alert=False,
        extra=the_refund_asked_is_the_one_settled,
    )


def portal_partial_refund(advisor, accountant) -> Scenario:
    return portal_refund(advisor, accountant, Decimal("400.00"), Status.PARTLY_REFUNDED)


def portal_full_refund(advisor, accountant) -> Scenario:
    return portal_refund(advisor, accountant, AMOUNT, Status.REFUNDED)


def dashboard_partial_refund(advisor, accountant) -> Scenario:
    """A refund made in Stripe's dashboard: its refund names nothing of ours, its charge says how
    much is refunded in all; both may come before the payment's own completion."""
    payment = card_payment(advisor)
    session = session_open(payment)
    events = [
        completed(session, paid=True),
        refund_event("refund.created", session, amount_minor=30000, status="succeeded"),
        charge_refunded(session, 30000),
    ]
    return Scenario(payment, events, Status.PARTLY_REFUNDED, AMOUNT, refunded=Decimal("300.00"))


def dashboard_full_refund(advisor, accountant) -> Scenario:
    payment = card_payment(advisor)
    session = session_open(payment)
    events = [completed(session, paid=True), charge_refunded(session, 100000, named=True)]
    return Scenario(payment, events, Status.REFUNDED, AMOUNT, refunded=AMOUNT)


def dashboard_refunds_in_two_steps(advisor, accountant) -> Scenario:
    payment = card_payment(advisor)
    session = session_open(payment)
    events = [
        completed(session, paid=True),
        charge_refunded(session, 30000),
        charge_refunded(session, 100000),
    ]
    return Scenario(payment, events, Status.REFUNDED, AMOUNT, refunded=AMOUNT)


def sepa_refunded_in_the_dashboard(advisor, accountant) -> Scenario:
    """The refund's charge may come while the debit is still processing: it waits for the money."""
    payment = sepa_payment(advisor)
    session = session_open(payment, method="sepa_debit")
    events = [
        completed(session, paid=False),
        async_outcome(session, succeeded=True),
        charge_refunded(session, 30000),
    ]
    return Scenario(payment, events, Status.PARTLY_REFUNDED, AMOUNT, refunded=Decimal("300.00"))


SCENARIOS = {
    "card": (card, 3),
    "sepa_success": (sepa_success, 2),
    "sepa_failure": (sepa_failure, 2),
    "expiry": (expiry, 1),
    "expiry_then_another_method": (expiry_then_another_method, 2),
    "portal_partial_refund": (portal_partial_refund, 3),
    "portal_full_refund": (portal_full_refund, 3),
    "dashboard_partial_refund": (dashboard_partial_refund, 3),
    "dashboard_full_refund": (dashboard_full_refund, 2),
    "dashboard_refunds_in_two_steps": (dashboard_refunds_in_two_steps, 3),
    "sepa_refunded_in_the_dashboard": (sepa_refunded_in_the_dashboard, 3),
}
CASES = [
    pytest.param(name, order, twice, id=f"{name}-{''.join(map(str, order))}{'-twice' if twice else ''}")
    for name, (_build, count) in SCENARIOS.items()
    for order in itertools.permutations(range(count))
    for twice in (False, True)
]


def deliveries(
    events: list[tuple[str, dict]], order: tuple[int, ...], twice: bool, *, prefix: str = "evt_test_order"
) -> list[tuple[bytes, str]]:
    """The events signed once each (an event sent again is the same bytes, as Stripe resends)."""
    bodies = [signed(index + 1, *event, prefix=prefix) for index, event in enumerate(events)]
    sent = [bodies[index] for index in order]
    # Delivered again, in the reverse order: every event is duplicated, late ones included.
    return sent + sent[::-1] if twice else sent


def expected_messages(scenario: Scenario, payment: Payment) -> set[str]:
    keys = set()
    if scenario.received_alert:
        keys.add(f"staff-payment-received:{payment.pk}:email")
    if scenario.failed_alert:
        keys |= {f"payment-failed:{payment.pk}:1", f"staff-payment-failed:{payment.pk}:1:email"}
    for refund in payment.refunds.filter(state=Refund.State.SUCCEEDED):
        keys |= {f"payment-refunded:{refund.pk}", f"staff-payment-refunded:{refund.pk}:email"}
    return keys


@pytest.mark.parametrize(("name", "order", "twice"), CASES)
def test_events_in_any_order_end_where_stripe_s_last_word_says(name, order, twice, advisor, accountant):
    build, count = SCENARIOS[name]
    scenario = build(advisor, accountant)
    assert len(scenario.events) == count
    messages_before = set(OutboxMessage.objects.values_list("key", flat=True))
    alerts_before = Alert.objects.count()
    stored_before = WebhookEvent.objects.count()

    for body, signature in deliveries(scenario.events, order, twice):
        webhook_receive(payload=body, signature=signature)

    payment = assert_converged(scenario)
    # Each buyer email and staff alert once, and nothing else (no failure told for a paid debit).
    new_messages = set(OutboxMessage.objects.values_list("key", flat=True)) - messages_before
    assert new_messages == expected_messages(scenario, payment)
    staff_emails = [key for key in new_messages if key.startswith("staff-")]
    assert Alert.objects.count() - alerts_before == len(staff_emails)
    assert WebhookEvent.objects.count() - stored_before == len(scenario.events)
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()


def assert_converged(scenario: Scenario) -> Payment:
    """The payment as the events in Stripe's order leave it, every one of its events applied."""
    payment = Payment.objects.get(pk=scenario.payment.pk)
    assert (payment.status, payment.amount_paid, payment.amount_refunded, payment.attempts) == (
        scenario.status,
        scenario.paid,
        scenario.refunded,
        scenario.attempts,
    )
    # Money counted once; refunds recorded add up to what Stripe says was refunded.
    money_in = PaymentEvent.objects.filter(payment=payment, kind=PaymentEvent.Kind.MONEY_RECEIVED)
    assert money_in.count() == (1 if scenario.paid else 0)
    succeeded = payment.refunds.filter(state=Refund.State.SUCCEEDED)
    assert sum(refund.amount for refund in succeeded) == scenario.refunded
    assert not payment.refunds.filter(state=Refund.State.PENDING).exists()
    assert Receipt.objects.filter(payment=payment).count() == (1 if scenario.receipt else 0)
    # None of its events left waiting (nor failed), including charges known by their intent only.
    its_events = Q(payment=payment)
    if payment.provider_payment_id:
        its_events |= Q(provider_payment_id=payment.provider_payment_id)
    assert not WebhookEvent.objects.filter(its_events, processed_at__isnull=True).exists()
    scenario.extra(payment)
    return payment


# The two orders that went wrong, and how a waiting event behaves ---------------------------------


def test_a_debit_failure_followed_by_its_late_completion_leaves_the_payment_failed_and_payable(advisor):
    payment = sepa_payment(advisor)
    session = session_open(payment, method="sepa_debit")

    # Stripe sent the completion first; it is delivered last.
    for index, event in [(2, async_outcome(session, succeeded=False)), (1, completed(session, paid=False))]:
        body, signature = signed(index, *event)
        webhook_receive(payload=body, signature=signature)

    payment = Payment.objects.get(pk=payment.pk)
    assert payment.status == Status.FAILED
    statuses = list(payment.events.filter(kind="status_changed").values_list("data__to", flat=True))
    assert statuses == ["failed"]
    # The buyer can try again with a new checkout.
    retry = session_open(payment, method="card")
    assert retry.number == 2


def test_a_dashboard_refund_arriving_before_the_completion_waits_and_is_applied_after_it(advisor):
    payment = card_payment(advisor)
    session = session_open(payment)
    body, signature = signed(2, *charge_refunded(session, 30000))

    early = webhook_receive(payload=body, signature=signature)

    early.refresh_from_db()
    assert (early.processed_at, early.error) == (None, "")
    assert early.waiting_since is not None
    assert early.provider_payment_id == intent_of(session)
    assert Payment.objects.get(pk=payment.pk).amount_refunded == Decimal("0.00")

    body, signature = signed(1, *completed(session, paid=True))
    webhook_receive(payload=body, signature=signature)

    early.refresh_from_db()
    assert early.processed_at is not None
    assert early.waiting_since is None
    assert early.payment_id == payment.pk
    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.amount_paid, payment.amount_refunded) == (
        Status.PARTLY_REFUNDED,
        AMOUNT,
        Decimal("300.00"),
    )
    [refund] = payment.refunds.all()
    assert (refund.amount, refund.reason, refund.state) == (
        Decimal("300.00"),
        "stripe-dashboard",
        "succeeded",
    )


def test_a_waiting_event_that_fails_when_applied_keeps_its_error_and_the_payment_still_moves(
    advisor, monkeypatch
):
    payment = card_payment(advisor)
    session = session_open(payment)
    early_body, early_signature = signed(2, *charge_refunded(session, 30000))
    early = webhook_receive(payload=early_body, signature=early_signature)

    def broken(**kwargs):
        raise RuntimeError("refund table locked")

    monkeypatch.setattr("payments.services.webhooks.refund_record_external", broken)
    body, signature = signed(1, *completed(session, paid=True))
    webhook_receive(payload=body, signature=signature)

    early.refresh_from_db()
    assert early.processed_at is None
    assert early.error == "RuntimeError: refund table locked"
    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.amount_paid) == (Status.PAID, AMOUNT)

    # Stripe sends the charge's event again: now it goes through.
    monkeypatch.undo()
    webhook_receive(payload=early_body, signature=early_signature)

    early.refresh_from_db()
    assert (early.processed_at is not None, early.error) == (True, "")
    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.amount_refunded) == (Status.PARTLY_REFUNDED, Decimal("300.00"))


def test_a_refunded_charge_of_another_integration_waits_without_touching_any_payment(advisor):
    payment, _session = paid_by_card(advisor)
    foreign = {
        "id": "ch_elsewhere",
        "object": "charge",
        "amount": 5000,
        "amount_refunded": 5000,
        "currency": "eur",
        "payment_intent": "pi_someone_else",
        "metadata": {},
    }
    body, signature = signed(5, "charge.refunded", foreign)

    stored = webhook_receive(payload=body, signature=signature)

    stored.refresh_from_db()
    assert (stored.processed_at, stored.payment_id) == (None, None)
    assert stored.waiting_since is not None
    assert Payment.objects.get(pk=payment.pk).amount_refunded == Decimal("0.00")
