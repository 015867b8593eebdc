"""Provider events (PAY-6) through `webhook_receive`, signed with the real scheme: money in, delayed
methods, failures, refunds; refused when the signature, secret or timestamp (too old or too far
ahead) is wrong; once only; a failure kept on the stored event and processed again on redelivery.
Every order of each realistic sequence: test_webhooks_order.py."""

import time
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from payments.models import CheckoutSession, Payment, PaymentEvent, Receipt, Refund, Status, WebhookEvent
from payments.providers import webhook_secret
from payments.providers.signing import event_sign
from payments.services.refunds import refund_request
from payments.services.webhooks import WebhookRejected, webhook_receive
from portal.alerts.models import Alert
from portal.outbox.attachments import outbox_attachment_read
from portal.outbox.models import OutboxMessage
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import (
    event_body,
    event_send,
    payment_settings_make,
    sale_with_buyer_make,
    session_object,
    session_open,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(advisor):
    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer")
    return request_make(actor=advisor, sale=sale, amount="1000.00", reference="INV-7")


@pytest.fixture
def sepa_payment(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, accept_sepa_debit=True)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, first_name="Anna", last_name="Buyer")
    return request_make(actor=advisor, sale=sale, amount="1000.00", reference="INV-8")


def fresh(payment: Payment) -> Payment:
    return Payment.objects.get(pk=payment.pk)


def money_events(payment: Payment) -> int:
    return PaymentEvent.objects.filter(payment=payment, kind=PaymentEvent.Kind.MONEY_RECEIVED).count()


# Money in -----------------------------------------------------------------------------------------


def test_a_completed_paid_session_makes_the_payment_paid_with_a_numbered_receipt(
    payment, django_capture_on_commit_callbacks
):
    session = session_open(payment)

    with django_capture_on_commit_callbacks(execute=True):
        stored = event_send("checkout.session.completed", session_object(session, intent="pi_test_42"))

    payment = fresh(payment)
    assert (payment.status, payment.amount_paid, payment.attempts) == (Status.PAID, Decimal("1000.00"), 1)
    assert (payment.provider, payment.provider_payment_id, payment.method) == (
        "simulated",
        "pi_test_42",
        "card",
    )
    assert payment.paid_at is not None
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.number == 1
    assert receipt.display_number == f"{payment.programme.code.upper()}-000001"
    assert CheckoutSession.objects.get(pk=session.pk).state == "complete"
    assert stored.processed_at is not None
    assert stored.error == ""


def test_the_buyer_gets_his_confirmation_with_the_receipt_attached(
    payment, django_capture_on_commit_callbacks
):
    session = session_open(payment)

    with django_capture_on_commit_callbacks(execute=True):
        event_send("checkout.session.completed", session_object(session))

    receipt = Receipt.objects.get(payment=payment)
    confirmation = OutboxMessage.objects.get(key=f"payment-confirmation:{payment.pk}")
    assert confirmation.recipients == [payment.buyer.email]
    [attachment] = confirmation.attachments
    assert attachment["filename"] == f"receipt-{receipt.display_number}.pdf"
    assert attachment["mimetype"] == "application/pdf"
    with default_storage.open(receipt.file, "rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF")
    assert outbox_attachment_read(path=attachment["path"]) == pdf


def test_the_advisor_is_told_in_the_back_office_and_by_email(payment, advisor):
    session = session_open(payment)

    event_send("checkout.session.completed", session_object(session))

    [alert] = Alert.objects.filter(user=advisor)
    assert alert.text == f"Anna Buyer paid €1,000.00 (INV-7, sale {payment.sale.reference})."
    assert alert.link == f"/admin/payments/payment/{payment.pk}/change/"
    email = OutboxMessage.objects.get(key=f"staff-payment-received:{payment.pk}:email")
    assert email.recipients == [advisor.email]
    assert f"/admin/payments/payment/{payment.pk}/change/" in email.text


def test_a_sepa_debit_is_processing_until_stripe_says_it_succeeded(sepa_payment):
    session = session_open(sepa_payment, method="sepa_debit")

    event_send(
        "checkout.session.completed", session_object(session, payment_status="unpaid", intent="pi_sepa")
    )

    payment = fresh(sepa_payment)
    assert (payment.status, payment.amount_paid, payment.provider_payment_id) == (
        Status.PROCESSING,
        Decimal("0.00"),
        "pi_sepa",
    )
    assert Receipt.objects.filter(payment=payment).count() == 0

    event_send("checkout.session.async_payment_succeeded", session_object(session, intent="pi_sepa"))

    payment = fresh(sepa_payment)
    assert (payment.status, payment.amount_paid, payment.attempts) == (Status.PAID, Decimal("1000.00"), 1)
    assert Receipt.objects.filter(payment=payment).count() == 1


def test_a_failed_debit_makes_the_payment_failed_and_tells_the_buyer_and_the_advisor(sepa_payment, advisor):
    session = session_open(sepa_payment, method="sepa_debit")
    event_send("checkout.session.completed", session_object(session, payment_status="unpaid"))

    event_send("checkout.session.async_payment_failed", session_object(session, payment_status="unpaid"))

    payment = fresh(sepa_payment)
    assert (payment.status, payment.amount_paid, payment.attempts) == (Status.FAILED, Decimal("0.00"), 1)
    email = OutboxMessage.objects.get(key=f"payment-failed:{payment.pk}:1")
    assert email.recipients == [payment.buyer.email]
    assert Alert.objects.get(user=advisor).text == (
        f"The payment of €1,000.00 by Anna Buyer failed (INV-8, sale {payment.sale.reference})."
    )


def test_a_payment_that_failed_can_be_paid_at_the_second_attempt(sepa_payment):
    first = session_open(sepa_payment, method="sepa_debit")
    event_send("checkout.session.completed", session_object(first, payment_status="unpaid"))
    event_send("checkout.session.async_payment_failed", session_object(first, payment_status="unpaid"))

    second = session_open(fresh(sepa_payment), method="card")
    event_send("checkout.session.completed", session_object(second))

    payment = fresh(sepa_payment)
    assert (payment.status, payment.attempts, payment.method) == (Status.PAID, 2, "card")
    assert second.number == 2
    statuses = list(payment.events.filter(kind="status_changed").values_list("data__to", flat=True))
    assert statuses == ["processing", "failed", "paid"]


# Refused events -----------------------------------------------------------------------------------


def test_an_event_signed_with_another_secret_is_refused_and_nothing_is_stored(payment):
    session = session_open(payment)
    body = event_body("checkout.session.completed", session_object(session))

    with pytest.raises(WebhookRejected):
        webhook_receive(payload=body, signature=event_sign(payload=body, secret="whsec_someone_else"))

    assert WebhookEvent.objects.count() == 0
    assert fresh(payment).status == Status.TO_PAY


def test_an_event_whose_body_was_changed_after_signing_is_refused(payment):
    session = session_open(payment)
    body = event_body("checkout.session.completed", session_object(session, amount_minor=100))
    signature = event_sign(payload=body, secret=webhook_secret())

    with pytest.raises(WebhookRejected):
        webhook_receive(
            payload=body.replace(b'"amount_total": 100,', b'"amount_total": 100000,'), signature=signature
        )

    assert WebhookEvent.objects.count() == 0


def test_an_event_signed_too_long_ago_is_refused(payment):
    session = session_open(payment)
    body = event_body("checkout.session.completed", session_object(session))
    stale = event_sign(payload=body, secret=webhook_secret(), timestamp=int(time.time()) - 301)

    with pytest.raises(WebhookRejected):
        webhook_receive(payload=body, signature=stale)

    assert WebhookEvent.objects.count() == 0
    assert money_events(payment) == 0


def test_an_event_signed_too_far_in_the_future_is_refused(payment):
    session = session_open(payment)
    body = event_body("checkout.session.completed", session_object(session))
    ahead = event_sign(payload=body, secret=webhook_secret(), timestamp=int(time.time()) + 301)

    with pytest.raises(WebhookRejected, match="future"):
        webhook_receive(payload=body, signature=ahead)

    assert WebhookEvent.objects.count() == 0
    assert money_events(payment) == 0


@pytest.mark.parametrize("signature", ["", "t=1,v1=00", "garbage"])
def test_an_event_without_a_valid_signature_header_is_refused(payment, signature):
    body = event_body("checkout.session.completed", session_object(session_open(payment)))

    with pytest.raises(WebhookRejected):
        webhook_receive(payload=body, signature=signature)

    assert WebhookEvent.objects.count() == 0


# Once only, in any order --------------------------------------------------------------------------


def test_the_same_event_delivered_twice_is_processed_once(payment):
    session = session_open(payment)
    data = session_object(session)

    first = event_send("checkout.session.completed", data, event_id="evt_test_twice")
    second = event_send("checkout.session.completed", data, event_id="evt_test_twice")

    assert first.pk == second.pk
    assert WebhookEvent.objects.count() == 1
    assert money_events(payment) == 1
    assert (fresh(payment).amount_paid, fresh(payment).attempts) == (Decimal("1000.00"), 1)


def test_two_events_saying_one_session_was_paid_count_its_money_once(payment):
    session = session_open(payment)

    event_send("checkout.session.completed", session_object(session))
    event_send("checkout.session.async_payment_succeeded", session_object(session))

    assert money_events(payment) == 1
    assert fresh(payment).amount_paid == Decimal("1000.00")


def test_an_expiry_arriving_after_the_completion_changes_nothing(payment):
    session = session_open(payment)
    event_send("checkout.session.completed", session_object(session))

    event_send("checkout.session.expired", session_object(session, payment_status="unpaid"))

    payment = fresh(payment)
    assert (payment.status, payment.amount_paid) == (Status.PAID, Decimal("1000.00"))
    assert CheckoutSession.objects.get(pk=session.pk).state == "complete"


def test_an_abandoned_session_expires_and_the_payment_stays_to_pay(payment):
    session = session_open(payment)

    event_send("checkout.session.expired", session_object(session, payment_status="unpaid"))

    assert CheckoutSession.objects.get(pk=session.pk).state == "expired"
    assert fresh(payment).status == Status.TO_PAY


def test_a_success_arriving_before_the_unpaid_completion_leaves_the_payment_paid(sepa_payment):
    session = session_open(sepa_payment, method="sepa_debit")

    event_send("checkout.session.async_payment_succeeded", session_object(session))
    event_send("checkout.session.completed", session_object(session, payment_status="unpaid"))

    payment = fresh(sepa_payment)
    assert (payment.status, payment.amount_paid, payment.attempts) == (Status.PAID, Decimal("1000.00"), 1)
    statuses = list(payment.events.filter(kind="status_changed").values_list("data__to", flat=True))
    assert statuses == ["paid"]


def test_an_event_about_a_payment_that_is_not_ours_is_stored_and_changes_nothing(payment):
    session = session_open(payment)
    foreign = {
        **session_object(session),
        "id": "cs_test_elsewhere",
        "client_reference_id": None,
        "metadata": {},
    }
    foreign["payment_intent"] = "pi_someone_else"

    stored = event_send("checkout.session.completed", foreign)

    assert stored.processed_at is not None
    assert fresh(payment).status == Status.TO_PAY


# Failures are retried -----------------------------------------------------------------------------


def test_a_processing_failure_is_kept_on_the_event_and_a_redelivery_processes_it(payment, monkeypatch):
    session = session_open(payment)
    data = session_object(session)

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    with monkeypatch.context() as patch:
        patch.setattr("payments.services.webhooks.payment_money_received", broken)
        with pytest.raises(RuntimeError):
            event_send("checkout.session.completed", data, event_id="evt_test_retry")

    stored = WebhookEvent.objects.get(event_id="evt_test_retry")
    assert (stored.processed_at, stored.error) == (None, "RuntimeError: database hiccup")
    payment = fresh(payment)
    assert (payment.status, payment.attempts) == (Status.TO_PAY, 0)
    assert CheckoutSession.objects.get(pk=session.pk).state == "open"

    event_send("checkout.session.completed", data, event_id="evt_test_retry")

    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert stored.error == ""
    payment = fresh(payment)
    assert (payment.status, payment.attempts, money_events(payment)) == (Status.PAID, 1, 1)


# Refunds ------------------------------------------------------------------------------------------


def charge_refunded(payment_intent: str, refunded_minor: int) -> dict:
    return {
        "id": "ch_test_0001",
        "object": "charge",
        "amount": 100000,
        "amount_refunded": refunded_minor,
        "currency": "eur",
        "payment_intent": payment_intent,
        "metadata": {},
        "refunded": refunded_minor == 100000,
    }


def test_a_refund_made_in_the_stripe_dashboard_is_recorded(payment):
    event_send("checkout.session.completed", session_object(session_open(payment), intent="pi_test_dash"))

    event_send("charge.refunded", charge_refunded("pi_test_dash", 30000))

    payment = fresh(payment)
    assert (payment.status, payment.amount_refunded) == (Status.PARTLY_REFUNDED, Decimal("300.00"))
    [refund] = Refund.objects.filter(payment=payment)
    assert (refund.amount, refund.state, refund.reason) == (
        Decimal("300.00"),
        "succeeded",
        "stripe-dashboard",
    )
    assert OutboxMessage.objects.get(key=f"payment-refunded:{refund.pk}").recipients == [payment.buyer.email]

    event_send("charge.refunded", charge_refunded("pi_test_dash", 30000))  # the same total again
    assert Refund.objects.filter(payment=payment).count() == 1

    event_send("charge.refunded", charge_refunded("pi_test_dash", 100000))

    payment = fresh(payment)
    assert (payment.status, payment.amount_refunded) == (Status.REFUNDED, Decimal("1000.00"))
    assert list(Refund.objects.filter(payment=payment).values_list("amount", flat=True)) == [
        Decimal("300.00"),
        Decimal("700.00"),
    ]


def refund_object(refund: Refund, *, status: str, refund_id: str = "re_test_0001") -> dict:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": int(refund.amount * 100),
        "currency": "eur",
        "payment_intent": refund.payment.provider_payment_id,
        "status": status,
        "metadata": {"refund_id": str(refund.pk), "payment_id": str(refund.payment_id)},
    }


@pytest.fixture
def pending_refund(payment, accountant):
    """A card payment paid, then 400 of it asked back; the provider has not answered yet."""
    event_send("checkout.session.completed", session_object(session_open(payment), intent="pi_test_ref"))
    # Outside a test transaction the refund goes to the provider after commit; here it waits.
    return refund_request(actor=accountant, payment=fresh(payment), amount=Decimal("400.00"))


def test_a_pending_refund_is_settled_by_its_refund_event(pending_refund):
    assert fresh(pending_refund.payment).status == Status.REFUND_REQUESTED

    event_send("refund.updated", refund_object(pending_refund, status="succeeded"))

    pending_refund.refresh_from_db()
    assert (pending_refund.state, pending_refund.provider_refund_id) == ("succeeded", "re_test_0001")
    payment = fresh(pending_refund.payment)
    assert (payment.status, payment.amount_refunded) == (Status.PARTLY_REFUNDED, Decimal("400.00"))


def test_a_refund_stripe_cancelled_gives_the_payment_back_its_status(pending_refund):
    event_send("refund.updated", refund_object(pending_refund, status="canceled"))

    pending_refund.refresh_from_db()
    assert pending_refund.state == "failed"
    payment = fresh(pending_refund.payment)
    assert (payment.status, payment.amount_refunded) == (Status.PAID, Decimal("0.00"))


def test_a_refund_still_pending_at_stripe_stays_pending(pending_refund):
    event_send("refund.updated", refund_object(pending_refund, status="pending"))

    pending_refund.refresh_from_db()
    assert pending_refund.state == "pending"
    assert fresh(pending_refund.payment).status == Status.REFUND_REQUESTED


def test_the_charge_event_of_a_refund_asked_in_the_portal_records_no_second_refund(pending_refund):
    event_send("charge.refunded", charge_refunded("pi_test_ref", 40000))

    assert Refund.objects.filter(payment=pending_refund.payment).count() == 1
    assert fresh(pending_refund.payment).amount_refunded == Decimal("0.00")


def test_money_arriving_on_a_request_cancelled_meanwhile_makes_it_paid_and_refundable(
    payment, advisor, django_capture_on_commit_callbacks
):
    from payments.services.requests import payment_cancel

    session = session_open(payment)  # the buyer keeps the checkout page open...
    payment_cancel(actor=advisor, payment=payment)  # ...while staff cancel the request

    with django_capture_on_commit_callbacks(execute=True):
        event_send("checkout.session.completed", session_object(session, intent="pi_test_late"))

    payment = fresh(payment)
    assert (payment.status, payment.amount_paid) == (Status.PAID, Decimal("1000.00"))
    assert Receipt.objects.filter(payment=payment).count() == 1
