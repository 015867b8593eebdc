"""What staff do from the payment lists (PAY-10): mark read or unread for themselves; reconcile,
for accountants and administrators only, once money arrived, audited, and undone."""

from datetime import date
from decimal import Decimal

import pytest

from payments.errors import PaymentError
from payments.models import Payment, PaymentRead
from payments.selectors import payments_for_admin_list
from payments.services.lists import payment_reconcile, payments_mark_read
from payments.services.money import payment_record_transfer
from portal.audit.models import AuditEntry
from tests.factories import request_make
from tests.payments.factories import sale_with_buyer_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def payments(advisor):
    sale = sale_with_buyer_make(advisor=advisor)
    return [request_make(actor=advisor, sale=sale, reference=f"INV-{n}") for n in range(3)]


def read_marks(user) -> dict[str, bool]:
    rows = payments_for_admin_list(Payment.objects.all(), user)
    return {payment.reference: payment.is_read for payment in rows}


def paid(payment, accountant) -> Payment:
    return payment_record_transfer(
        actor=accountant, payment=payment, amount=payment.amount, received_on=date(2026, 1, 5)
    )


# Read marks ---------------------------------------------------------------------------------------


def test_marking_read_is_per_user(payments, advisor, accountant):
    payments_mark_read(user=advisor, payment_ids=[payments[0].pk, payments[2].pk], read=True)

    assert read_marks(advisor) == {"INV-0": True, "INV-1": False, "INV-2": True}
    assert read_marks(accountant) == {"INV-0": False, "INV-1": False, "INV-2": False}


def test_marking_read_twice_keeps_one_mark(payments, advisor):
    payments_mark_read(user=advisor, payment_ids=[payments[0].pk], read=True)
    payments_mark_read(user=advisor, payment_ids=[payments[0].pk, payments[1].pk], read=True)

    assert PaymentRead.objects.filter(user=advisor).count() == 2


def test_marking_unread_removes_only_that_user_s_marks(payments, advisor, accountant):
    everything = [payment.pk for payment in payments]
    payments_mark_read(user=advisor, payment_ids=everything, read=True)
    payments_mark_read(user=accountant, payment_ids=everything, read=True)

    payments_mark_read(user=advisor, payment_ids=[payments[1].pk], read=False)

    assert read_marks(advisor) == {"INV-0": True, "INV-1": False, "INV-2": True}
    assert read_marks(accountant) == {"INV-0": True, "INV-1": True, "INV-2": True}


# Reconciling --------------------------------------------------------------------------------------


def test_an_accountant_reconciles_a_paid_payment_and_it_is_audited(payments, accountant):
    payment = paid(payments[0], accountant)

    assert payment_reconcile(actor=accountant, payment=payment) is True

    payment.refresh_from_db()
    assert payment.reconciled_by == accountant
    assert payment.reconciled_at is not None
    event = payment.events.get(kind="reconciled")
    assert event.actor == accountant
    entry = AuditEntry.objects.get(action="payment.reconciled")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        accountant,
        "sales.sale",
        str(payment.sale_id),
    )
    assert entry.data["payment"] == payment.pk


def test_an_administrator_may_reconcile(payments, accountant, administrator):
    payment = paid(payments[0], accountant)

    assert payment_reconcile(actor=administrator, payment=payment) is True


@pytest.mark.parametrize("persona", ["advisor", "service"])
def test_sales_and_customer_service_may_not_reconcile(payments, accountant, request, persona):
    payment = paid(payments[0], accountant)
    user = request.getfixturevalue(persona)

    with pytest.raises(PaymentError) as refused:
        payment_reconcile(actor=user, payment=payment)

    assert str(refused.value) == "Only accountants and administrators may reconcile payments."
    payment.refresh_from_db()
    assert payment.reconciled_at is None
    assert AuditEntry.objects.filter(action="payment.reconciled").count() == 0


def test_a_payment_without_money_cannot_be_reconciled(payments, accountant):
    with pytest.raises(PaymentError) as refused:
        payment_reconcile(actor=accountant, payment=payments[1])

    assert str(refused.value) == "INV-1 has received no money yet: nothing to reconcile."


def test_a_refunded_payment_may_still_be_reconciled(payments, accountant):
    from payments.services.refunds import refund_request

    payment = paid(payments[0], accountant)
    refund_request(actor=accountant, payment=payment, amount=Decimal("1000.00"))

    assert payment_reconcile(actor=accountant, payment=payment) is True


def test_reconciling_twice_changes_nothing_the_second_time(payments, accountant):
    payment = paid(payments[0], accountant)
    payment_reconcile(actor=accountant, payment=payment)

    assert payment_reconcile(actor=accountant, payment=payment) is False
    assert AuditEntry.objects.filter(action="payment.reconciled").count() == 1


def test_a_reconciliation_can_be_undone_and_that_is_audited(payments, accountant, administrator):
    payment = paid(payments[0], accountant)
    payment_reconcile(actor=accountant, payment=payment)

    assert payment_reconcile(actor=administrator, payment=payment, undo=True) is True

    payment.refresh_from_db()
    assert (payment.reconciled_at, payment.reconciled_by) == (None, None)
    entry = AuditEntry.objects.get(action="payment.unreconciled")
    assert entry.actor == administrator
    assert payment_reconcile(actor=administrator, payment=payment, undo=True) is False
