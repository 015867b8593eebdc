"""Receipts (PAY-8): numbered without gaps per programme, rendered once, reprinted from the file."""

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from payments.alerts import alert_buyer_paid
from payments.models import Payment, Receipt, ReceiptCounter
from portal.pdf import pdf_render


def receipt_issue(*, payment: Payment) -> Receipt:
    """Take the programme's next number for a payment just paid (inside its transaction).

    The counter row is locked, so two payments of one programme paid at once get consecutive
    numbers, and a rolled-back payment gives its number back: no gaps, no duplicates.
    """
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    counter, _created = ReceiptCounter.objects.get_or_create(programme_id=payment.programme_id)
    counter = ReceiptCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    receipt = Receipt.objects.create(
        payment=payment,
        programme_id=payment.programme_id,
        number=counter.last_number,
        issued_at=timezone.now(),
    )
    # Robust: a broker out of reach must not turn the committed payment into an error page;
    # the periodic safety net (receipts_render_missing) renders what was not queued. (A function:
    # Django names a failed robust callback by its __qualname__, which functools.partial lacks.)
    payment_id = payment.pk

    def render_later() -> None:
        _receipt_render_later(payment_id)

    transaction.on_commit(render_later, robust=True)
    return receipt


def _receipt_render_later(payment_id: int) -> None:
    from payments.tasks import receipt_render_and_send

    receipt_render_and_send.delay(payment_id)


def receipt_context(receipt: Receipt) -> dict[str, Any]:
    payment = receipt.payment
    return {
        "receipt": receipt,
        "payment": payment,
        "sale": payment.sale,
        "buyer": payment.buyer,
        "programme": payment.programme,
        "lots": [sale_lot.lot for sale_lot in payment.sale.sale_lots.select_related("lot")],
    }


def receipt_pdf(receipt: Receipt) -> bytes:
    language = receipt.payment.buyer.language
    with translation.override(language):
        return pdf_render(
            template_name="pdf/receipt.html", context=receipt_context(receipt), language=language
        )


@transaction.atomic
def receipt_render_and_send(*, payment_id: int) -> Receipt | None:
    """Render and store the receipt once, then send the buyer his confirmation with it attached.

    Safe to repeat: a stored file is never rendered again (reprints stay identical) and the
    confirmation's outbox key makes it go once.
    """
    receipt = (
        Receipt.objects.select_for_update()
        .select_related("payment__buyer", "payment__sale", "payment__programme", "programme")
        .filter(payment_id=payment_id)
        .first()
    )
    if receipt is None:
        return None
    if not receipt.file:
        name = f"receipts/{receipt.programme.code}/{receipt.display_number}.pdf"
        receipt.file = default_storage.save(name, ContentFile(receipt_pdf(receipt)))
        receipt.save(update_fields=["file"])
    alert_buyer_paid(receipt.payment, receipt=receipt)
    return receipt


def receipts_render_missing() -> int:
    """The periodic safety net: receipts whose rendering task was lost are rendered now."""
    ids = list(Receipt.objects.filter(file="").values_list("payment_id", flat=True)[:100])
    for payment_id in ids:
        receipt_render_and_send(payment_id=payment_id)
    return len(ids)
