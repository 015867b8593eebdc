"""Receipts (PAY-8): numbered per programme without gaps, rendered and stored once, reprinted
identically, and the buyer's confirmation sent once however often the task runs."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import formats, translation

from payments.models import Payment, Receipt, Status
from payments.services import receipts
from payments.services.core import payment_lock, payment_move
from payments.services.money import payment_money_received, payment_record_transfer
from payments.services.receipts import receipt_render_and_send, receipts_render_missing
from portal.outbox.models import OutboxMessage
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import sale_with_buyer_make

pytestmark = pytest.mark.django_db


def paid(advisor, accountant, programme, *, amount="500.00") -> Payment:
    payment = request_make(
        actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme), amount=amount
    )
    return payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal(amount), received_on=date(2026, 1, 5)
    )


def stored_bytes(receipt: Receipt) -> bytes:
    with default_storage.open(receipt.file, "rb") as stored:
        return stored.read()


def test_receipts_are_numbered_per_programme_without_gaps(advisor, accountant):
    first, second = ProgrammeFactory(code="alpha"), ProgrammeFactory(code="beta")

    numbers_a = [paid(advisor, accountant, first).receipt.number for _ in range(3)]
    numbers_b = [paid(advisor, accountant, second).receipt.number for _ in range(2)]

    assert numbers_a == [1, 2, 3]
    assert numbers_b == [1, 2]
    displays = Receipt.objects.filter(programme=first).order_by("number")
    assert [receipt.display_number for receipt in displays] == [
        "ALPHA-000001",
        "ALPHA-000002",
        "ALPHA-000003",
    ]


def test_a_payment_rolled_back_gives_its_number_back(advisor, accountant):
    programme = ProgrammeFactory()
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))

    with pytest.raises(RuntimeError), transaction.atomic():
        payment_record_transfer(
            actor=accountant, payment=payment, amount=Decimal("1000.00"), received_on=date(2026, 1, 5)
        )
        raise RuntimeError("the caller failed after the payment")

    assert paid(advisor, accountant, programme).receipt.number == 1


def test_a_partial_transfer_takes_no_number(advisor, accountant):
    programme = ProgrammeFactory()
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))

    payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal("400.00"), received_on=date(2026, 1, 5)
    )

    assert Receipt.objects.count() == 0
    assert paid(advisor, accountant, programme).receipt.number == 1


def test_the_receipt_is_rendered_once_stored_and_attached_to_the_confirmation(
    advisor, accountant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = paid(advisor, accountant, ProgrammeFactory(code="lum"))

    receipt = Receipt.objects.get(payment=payment)
    assert receipt.file == "receipts/lum/LUM-000001.pdf"
    assert stored_bytes(receipt).startswith(b"%PDF")
    confirmation = OutboxMessage.objects.get(key=f"payment-confirmation:{payment.pk}")
    assert [attachment["filename"] for attachment in confirmation.attachments] == ["receipt-LUM-000001.pdf"]


def test_running_the_task_again_reprints_the_same_bytes_and_sends_no_second_email(
    advisor, accountant, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = paid(advisor, accountant, ProgrammeFactory())
    receipt = Receipt.objects.get(payment=payment)
    first_print = stored_bytes(receipt)
    renders = []
    monkeypatch.setattr(receipts, "receipt_pdf", lambda receipt: renders.append(receipt) or b"%PDF other")

    again = receipt_render_and_send(payment_id=payment.pk)
    receipt_render_and_send(payment_id=payment.pk)

    assert renders == []
    assert again.file == receipt.file
    assert stored_bytes(again) == first_print
    assert OutboxMessage.objects.filter(key=f"payment-confirmation:{payment.pk}").count() == 1


def test_a_receipt_whose_task_was_lost_is_rendered_by_the_safety_net(advisor, accountant):
    payment = paid(advisor, accountant, ProgrammeFactory())  # commit callbacks never ran: no file yet
    assert Receipt.objects.get(payment=payment).file == ""

    assert receipts_render_missing() == 1

    receipt = Receipt.objects.get(payment=payment)
    assert stored_bytes(receipt).startswith(b"%PDF")
    assert OutboxMessage.objects.filter(key=f"payment-confirmation:{payment.pk}").count() == 1
    assert receipts_render_missing() == 0


def test_a_payment_without_receipt_renders_nothing(advisor):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor))

    assert receipt_render_and_send(payment_id=payment.pk) is None
    assert OutboxMessage.objects.filter(key__startswith="payment-confirmation:").count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_broker_out_of_reach_leaves_the_payment_paid_and_the_safety_net_renders_its_receipt(
    advisor, accountant, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr("payments.tasks.receipt_render_and_send.delay", broker_down)
    monkeypatch.setattr("portal.outbox.tasks.outbox_send.delay", broker_down)

    # Really committed: the receipt's task and the advisor's email are queued after commit, and
    # queuing them fails.
    payment = paid(advisor, accountant, ProgrammeFactory())

    payment = Payment.objects.get(pk=payment.pk)
    assert payment.status == "paid"
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.file == ""

    monkeypatch.undo()
    assert receipts_render_missing() == 1
    receipt.refresh_from_db()
    assert stored_bytes(receipt).startswith(b"%PDF")


def test_money_for_a_late_deposit_that_cannot_become_paid_still_confirms_with_its_receipt_date(
    advisor, accountant, django_capture_on_commit_callbacks
):
    # The first deposit request expired and the sale was asked for a new one; a debit the buyer
    # started on the first then completes: it cannot become paid (one live deposit per sale), so
    # it has no paid_at, but the money is counted and receipted, and the buyer is told.
    sale = sale_with_buyer_make(advisor=advisor, deed_planned_on=date(2026, 9, 1))
    late = request_make(sale=sale, amount="500.00", kind=Payment.Kind.DEPOSIT)
    payment_move(payment=late, to=Status.EXPIRED)
    request_make(sale=sale, amount="500.00", reference="INV-2", kind=Payment.Kind.DEPOSIT)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        payment_money_received(payment=payment_lock(late.pk), amount=Decimal("500.00"), provider="stripe")

    late.refresh_from_db()
    assert (late.status, late.paid_at) == (Status.EXPIRED, None)
    receipt = Receipt.objects.get(payment=late)
    confirmation = OutboxMessage.objects.get(key=f"payment-confirmation:{late.pk}")
    with translation.override(late.buyer.language):
        issued_on = formats.date_format(receipt.issued_at.date(), "SHORT_DATE_FORMAT")
    assert issued_on in confirmation.text
