"""Transfers and cheques staff record (manual provider): part then the rest makes the payment paid
with its receipt; never more than what is still due."""

from datetime import date
from decimal import Decimal

import pytest

from payments.errors import PaymentError
from payments.models import Payment, Receipt, Status
from payments.services.daily import payments_expire
from payments.services.money import payment_record_transfer
from portal.alerts.models import Alert
from tests.factories import request_make
from tests.payments.factories import sale_with_buyer_make

pytestmark = pytest.mark.django_db

RECEIVED_ON = date(2026, 1, 5)


@pytest.fixture
def payment(advisor):
    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer")
    return request_make(actor=advisor, sale=sale, amount="1000.00", reference="INV-11")


def record(payment, accountant, amount: str, **fields) -> Payment:
    return payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal(amount), received_on=RECEIVED_ON, **fields
    )


def test_part_of_a_transfer_then_the_rest_makes_the_payment_paid_with_its_receipt(
    payment, accountant, advisor
):
    record(payment, accountant, "400.00")

    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.amount_paid, payment.paid_at) == (Status.TO_PAY, Decimal("400.00"), None)
    assert Receipt.objects.filter(payment=payment).count() == 0

    record(payment, accountant, "600.00", note="Second transfer")

    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.amount_paid) == (Status.PAID, Decimal("1000.00"))
    assert (payment.provider, payment.method) == ("manual", "transfer")
    assert payment.paid_at is not None
    assert Receipt.objects.get(payment=payment).number == 1
    money = payment.events.filter(kind="money_received").order_by("pk")
    assert list(money.values_list("amount", "actor", "data")) == [
        (Decimal("400.00"), accountant.pk, {"received_on": "2026-01-05", "note": ""}),
        (Decimal("600.00"), accountant.pk, {"received_on": "2026-01-05", "note": "Second transfer"}),
    ]
    assert Alert.objects.get(user=advisor).text == (
        f"Anna Buyer paid €1,000.00 (INV-11, sale {payment.sale.reference})."
    )


def test_a_cheque_is_recorded_as_a_cheque(payment, accountant):
    payment = record(payment, accountant, "1000.00", method="cheque")

    assert (payment.status, payment.method) == (Status.PAID, "cheque")


def test_more_than_what_is_still_due_is_refused(payment, accountant):
    record(payment, accountant, "400.00")

    with pytest.raises(PaymentError) as refused:
        record(payment, accountant, "600.01")

    assert (
        str(refused.value)
        == "Only €600.00 is still due on this request; record the rest as a separate payment."
    )
    assert Payment.objects.get(pk=payment.pk).amount_paid == Decimal("400.00")


def test_a_transfer_on_a_paid_request_is_refused(payment, accountant):
    record(payment, accountant, "1000.00")

    with pytest.raises(PaymentError) as refused:
        record(payment, accountant, "1.00")

    assert str(refused.value) == "Money can only be recorded on a request still to pay; this one is “Paid”."


@pytest.mark.parametrize(
    ("amount", "fields", "message"),
    [
        ("0.00", {}, "Record an amount above zero."),
        ("-5.00", {}, "Record an amount above zero."),
        ("100.00", {"method": "card"}, "Record a bank transfer or a cheque."),
    ],
)
def test_nothing_or_an_online_method_cannot_be_recorded(payment, accountant, amount, fields, message):
    with pytest.raises(PaymentError) as refused:
        record(payment, accountant, amount, **fields)

    assert str(refused.value) == message
    assert payment.events.filter(kind="money_received").count() == 0


def test_a_transfer_arriving_after_the_link_expired_still_pays_the_request(payment, accountant, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    time_machine.move_to(timezone.now() + timedelta(days=15))
    payments_expire()

    payment = record(payment, accountant, "1000.00")

    assert payment.status == Status.PAID
    statuses = list(payment.events.filter(kind="status_changed").values_list("data__to", flat=True))
    assert statuses == ["expired", "to_pay", "paid"]


def test_a_transfer_for_an_expired_deposit_already_replaced_is_recorded_without_reopening_it(
    advisor, accountant, time_machine
):
    from datetime import timedelta

    from django.utils import timezone

    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer")
    late = request_make(
        actor=advisor, sale=sale, amount="500.00", reference="DEP-1", kind=Payment.Kind.DEPOSIT
    )
    time_machine.move_to(timezone.now() + timedelta(days=15))
    payments_expire()
    request_make(actor=advisor, sale=sale, amount="500.00", reference="DEP-2", kind=Payment.Kind.DEPOSIT)

    late = record(late, accountant, "500.00")

    late.refresh_from_db()
    assert (late.status, late.amount_paid) == (Status.EXPIRED, Decimal("500.00"))
    assert Receipt.objects.filter(payment=late).exists()
    assert Alert.objects.filter(user=advisor, key=f"staff-payment-received:{late.pk}").exists()
