"""What happens at the same moment, on PostgreSQL's real row locks: one event delivered twice at
once, two payments of one programme paid at once, two clicks on the pay button at once.
(Two refunds at once: test_refunds.py.)"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from payments.models import CheckoutSession, PaymentEvent, Receipt, Status, WebhookEvent
from payments.providers.base import CheckoutSession as StartedSession
from payments.services.checkout import payment_checkout_open
from payments.services.money import payment_record_transfer
from payments.services.requests import payment_method_choose
from portal.users.roles import Role
from tests.concurrency import at_once
from tests.conftest import make_user
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import (
    CANCEL_URL,
    SUCCESS_URL,
    event_body,
    sale_with_buyer_make,
    session_object,
    session_open,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")


@pytest.fixture
def advisor():
    return make_user("advisor@example.test", role=Role.SALES)


def test_one_event_delivered_twice_at_once_counts_the_money_once(advisor):
    from payments.providers import webhook_secret
    from payments.providers.signing import event_sign
    from payments.services.webhooks import webhook_receive

    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor), amount="1000.00")
    body = event_body(
        "checkout.session.completed", session_object(session_open(payment)), event_id="evt_twice"
    )
    signature = event_sign(payload=body, secret=webhook_secret())

    results = at_once(*[lambda: webhook_receive(payload=body, signature=signature)] * 2)

    assert [type(result).__name__ for result in results] == ["WebhookEvent", "WebhookEvent"]
    assert WebhookEvent.objects.count() == 1
    assert PaymentEvent.objects.filter(payment=payment, kind="money_received").count() == 1
    payment.refresh_from_db()
    assert (payment.status, payment.amount_paid, payment.attempts) == (Status.PAID, Decimal("1000.00"), 1)


def test_two_payments_of_one_programme_paid_at_once_get_consecutive_receipt_numbers(advisor):
    accountant = make_user("accountant@example.test", role=Role.ACCOUNTANT)
    programme = ProgrammeFactory()
    first, *racing = [
        request_make(
            actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme), amount="10.00"
        )
        for _ in range(3)
    ]

    def pay(payment):
        return lambda: payment_record_transfer(
            actor=accountant, payment=payment, amount=Decimal("10.00"), received_on=date(2026, 1, 5)
        )

    pay(first)()  # the programme's counter exists: the race is on its row
    results = at_once(*[pay(payment) for payment in racing])

    assert [result.status for result in results] == [Status.PAID, Status.PAID]
    assert sorted(Receipt.objects.filter(programme=programme).values_list("number", flat=True)) == [1, 2, 3]


def test_two_clicks_on_pay_at_once_open_one_session(advisor, monkeypatch):
    class SlowStripe:
        name = "stripe"
        opened = []

        def checkout_start(self, request):
            self.opened.append(request.idempotency_key)
            session_id = f"cs_test_fake_{len(self.opened)}"
            return StartedSession(
                session_id=session_id,
                url=f"https://checkout.stripe.com/c/pay/{session_id}",
                expires_at=request.expires_at,
            )

        def checkout_expire(self, session_id):
            pass

    stripe = SlowStripe()
    monkeypatch.setattr("payments.services.checkout.online_provider", lambda: stripe)
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor))
    payment_method_choose(payment=payment, method="card")

    def click():
        return payment_checkout_open(payment=payment, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    results = at_once(click, click)

    assert results == ["https://checkout.stripe.com/c/pay/cs_test_fake_1"] * 2
    assert stripe.opened == [f"payment-{payment.pk}-session-1"]
    assert CheckoutSession.objects.filter(payment=payment).count() == 1


def test_shuffled_duplicated_events_of_many_payments_from_several_threads_converge(advisor, monkeypatch):
    """Every realistic sequence, twice over, its events each sent twice, shuffled and delivered
    by six threads at once: each payment ends where Stripe's own order leaves it."""
    import random

    from payments.services.webhooks import webhook_receive
    from tests.payments.test_webhooks_order import SCENARIOS, assert_converged, deliveries

    # The workers are busy: refunds asked in the portal are settled by Stripe's events, and
    # receipts wait for their rendering (neither is what this test is about).
    monkeypatch.setattr("payments.tasks.refund_execute.delay", lambda refund_id: None)
    monkeypatch.setattr("payments.tasks.receipt_render_and_send.delay", lambda payment_id: None)
    accountant = make_user("accountant@example.test", role=Role.ACCOUNTANT)
    scenarios = [build(advisor, accountant) for build, _count in list(SCENARIOS.values()) * 2]
    sent = [
        delivery
        for number, scenario in enumerate(scenarios)
        for delivery in deliveries(
            scenario.events, tuple(range(len(scenario.events))), twice=True, prefix=f"evt_race_{number}"
        )
    ]
    random.Random(20261207).shuffle(sent)

    def deliver(share):
        def run():
            for body, signature in share:
                for attempt in range(5):  # a failure answers 500 and Stripe sends the event again
                    try:
                        webhook_receive(payload=body, signature=signature)
                        break
                    except Exception:
                        if attempt == 4:
                            raise
            return "done"

        return run

    results = at_once(*[deliver(sent[thread::6]) for thread in range(6)])

    assert results == ["done"] * 6
    for scenario in scenarios:
        assert_converged(scenario)
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
