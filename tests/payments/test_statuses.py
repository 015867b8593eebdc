"""Statuses (PAY-5): the allowed moves in one table, illegal moves refused in words, every change
timestamped in the payment's log and the sale's audit trail, attempts counted."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Payment, PaymentEvent, Status
from payments.services.core import payment_lock, payment_move
from payments.services.money import payment_record_transfer
from payments.statuses import ALLOWED_MOVES, IllegalPaymentMove
from portal.audit.models import AuditEntry
from tests.factories import request_make
from tests.payments.factories import event_send, sale_with_buyer_make, session_object, session_open

pytestmark = pytest.mark.django_db


def test_the_move_table_is_exactly_the_documented_one():
    documented = {
        "to_pay": {"processing", "paid", "failed", "expired", "cancelled"},
        "processing": {"paid", "failed"},
        "failed": {"processing", "paid", "expired", "cancelled"},
        "expired": {"to_pay", "paid"},
        "paid": {"refund_requested"},
        "refund_requested": {"partly_refunded", "refunded", "paid"},
        "partly_refunded": {"refund_requested"},
        "refunded": set(),
        "cancelled": {"paid"},
    }
    assert documented == ALLOWED_MOVES
    assert set(ALLOWED_MOVES) == set(Status.values)


@pytest.fixture
def payment(advisor):
    return request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor), amount="500.00")


ILLEGAL = [(current, target) for current in Status.values for target in Status.values if target != current]
ILLEGAL = [(current, target) for current, target in ILLEGAL if target not in ALLOWED_MOVES[current]]


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_a_staff_move_outside_the_table_is_refused_with_a_sentence(payment, advisor, current, target):
    Payment.objects.filter(pk=payment.pk).update(status=current)
    locked = payment_lock(payment.pk)

    with pytest.raises(IllegalPaymentMove) as refused:
        payment_move(payment=locked, to=target, actor=advisor)

    assert str(refused.value) == (
        f"A payment that is “{Status(current).label}” cannot become “{Status(target).label}”."
    )
    assert Payment.objects.get(pk=payment.pk).status == current
    assert PaymentEvent.objects.filter(payment=payment, kind="status_changed").count() == 0


def test_a_late_provider_event_outside_the_table_changes_nothing(payment):
    Payment.objects.filter(pk=payment.pk).update(status=Status.PAID)

    moved = payment_move(payment=payment_lock(payment.pk), to=Status.PROCESSING, strict=False)

    assert moved is False
    assert Payment.objects.get(pk=payment.pk).status == Status.PAID


def test_a_move_to_the_status_already_held_changes_nothing(payment, advisor):
    assert payment_move(payment=payment_lock(payment.pk), to=Status.TO_PAY, actor=advisor) is False
    assert PaymentEvent.objects.filter(payment=payment, kind="status_changed").count() == 0


def test_a_move_is_timestamped_logged_and_audited_on_the_sale(payment, advisor, time_machine):
    moment = timezone.now() + timedelta(hours=2)
    time_machine.move_to(moment, tick=False)

    assert payment_move(payment=payment_lock(payment.pk), to=Status.CANCELLED, actor=advisor) is True

    payment = Payment.objects.get(pk=payment.pk)
    assert payment.status_changed_at == moment
    event = PaymentEvent.objects.get(payment=payment, kind="status_changed")
    assert (event.status, event.actor, event.data, event.created_at) == (
        "cancelled",
        advisor,
        {"from": "to_pay", "to": "cancelled"},
        moment,
    )
    entry = AuditEntry.objects.get(action="payment.status_changed")
    assert (entry.object_type, entry.object_id, entry.actor) == ("sales.sale", str(payment.sale_id), advisor)
    assert entry.data == {
        "payment": payment.pk,
        "reference": "INV-1",
        "status": "cancelled",
        "amount": "500.00",
        "currency": "EUR",
        "from": "to_pay",
        "to": "cancelled",
    }


def test_every_change_of_a_paid_transfer_is_in_the_log_and_the_audit_trail(payment, accountant):
    payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal("500.00"), received_on=date(2026, 1, 5)
    )

    assert list(payment.events.values_list("kind", "status")) == [
        ("requested", "to_pay"),
        ("sent", "to_pay"),
        ("money_received", "to_pay"),
        ("status_changed", "paid"),
    ]
    actions = AuditEntry.objects.filter(object_type="sales.sale", object_id=str(payment.sale_id))
    assert list(
        actions.filter(action__startswith="payment.").order_by("pk").values_list("action", "actor")
    ) == [
        ("payment.requested", payment.requested_by_id),
        ("payment.sent", payment.requested_by_id),
        ("payment.money_received", accountant.pk),
        ("payment.status_changed", accountant.pk),
    ]


def test_a_payment_paid_at_once_shows_one_attempt(payment):
    event_send("checkout.session.completed", session_object(session_open(payment)))

    assert Payment.objects.get(pk=payment.pk).attempts == 1


def test_a_session_the_buyer_left_unpaid_is_no_attempt(payment):
    session = session_open(payment)

    event_send("checkout.session.expired", session_object(session, payment_status="unpaid"))

    assert Payment.objects.get(pk=payment.pk).attempts == 0


def test_a_payment_reads_with_its_amount_as_the_reader_writes_it(advisor):
    from django.utils import translation

    from tests.factories import request_make
    from tests.payments.factories import sale_with_buyer_make

    payment = request_make(
        sale_with_buyer_make(advisor=advisor), actor=advisor, amount="2960.00", reference="R-1"
    )

    with translation.override("fr"):
        assert str(payment) == "R-1 · 2\u202f960,00\xa0€"
    with translation.override("en"):
        assert str(payment) == "R-1 · €2,960.00"
