"""Money arriving or not: paid, processing, failed, expired; and transfers staff record."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.alerts import alert_buyer_failed, alert_staff
from payments.errors import PaymentError
from payments.models import OPEN_STATUSES, Method, Payment, PaymentEvent, Status
from payments.services.core import payment_lock, payment_log, payment_move
from payments.services.receipts import receipt_issue
from payments.signals import payment_money_in
from portal.money import money_format
from portal.users.models import User


def payment_money_received(
    *,
    payment: Payment,
    amount: Decimal,
    provider: str,
    actor: User | None = None,
    provider_payment_id: str = "",
    method: str = "",
    data: dict[str, Any] | None = None,
) -> Payment:
    """Count money in for a locked payment; once the whole amount is in, it is paid.

    Paid means: the receipt number taken (in this transaction, so numbers have no gaps), the
    buyer's confirmation with the receipt and the advisor's alert sent after the PDF exists.
    """
    payment.amount_paid += amount
    payment.provider = provider
    if provider_payment_id:
        payment.provider_payment_id = provider_payment_id
    if method:
        payment.method = method
    payment.save(update_fields=["amount_paid", "provider", "provider_payment_id", "method"])
    event = payment_log(
        payment=payment, kind=PaymentEvent.Kind.MONEY_RECEIVED, actor=actor, amount=amount, data=data
    )
    payment_money_in.send(
        sender=Payment,
        payment=payment,
        amount=amount,
        method=payment.method,
        booked_on=_booked_on(data),
        source_key=f"payment-event:{event.pk}",
        actor=actor,
    )
    if payment.amount_paid >= payment.amount:
        try:
            with transaction.atomic():
                payment_move(
                    payment=payment, to=Status.PAID, actor=actor, strict=False, paid_at=timezone.now()
                )
        except IntegrityError:
            # A late deposit whose sale has since been asked for another one: the money is
            # recorded and the advisor told (below), staff decide which one to refund.
            payment.refresh_from_db(fields=["status", "status_changed_at", "paid_at"])
        receipt_issue(payment=payment)
        alert_staff(
            payment, event="received", key=f"payment-received:{payment.pk}", amount=payment.amount_paid
        )
    return payment


def _booked_on(data: dict[str, Any] | None) -> date:
    """The day the money arrived: the one staff recorded for a transfer, otherwise today."""
    received_on = (data or {}).get("received_on")
    if received_on:
        try:
            return date.fromisoformat(received_on)
        except (TypeError, ValueError):
            pass
    return timezone.localdate()


def payment_processing(*, payment: Payment, provider_payment_id: str = "") -> None:
    """A delayed method (SEPA debit) was submitted: the money is on its way."""
    if payment_move(payment=payment, to=Status.PROCESSING, strict=False) and provider_payment_id:
        payment.provider_payment_id = provider_payment_id
        payment.save(update_fields=["provider_payment_id"])


def payment_failed(*, payment: Payment, reason: str = "") -> None:
    if payment_move(payment=payment, to=Status.FAILED, strict=False, data={"reason": reason}):
        alert_buyer_failed(payment, attempt=payment.attempts)
        alert_staff(payment, event="failed", key=f"payment-failed:{payment.pk}:{payment.attempts}")


@transaction.atomic
def payment_record_transfer(
    *,
    actor: User | None,
    payment: Payment,
    amount: Decimal,
    received_on: date,
    method: str = Method.TRANSFER,
    note: str = "",
) -> Payment:
    """Staff record a transfer or cheque that arrived for a request (manual provider)."""
    payment = payment_lock(payment.pk)
    if payment.status not in [*OPEN_STATUSES, Status.PROCESSING, Status.EXPIRED]:
        raise PaymentError(
            _("Money can only be recorded on a request still to pay; this one is “%(status)s”.")
            % {"status": payment.get_status_display()}
        )
    if amount <= 0:
        raise PaymentError(_("Record an amount above zero."))
    outstanding = payment.amount - payment.amount_paid
    if amount > outstanding:
        raise PaymentError(
            _("Only %(outstanding)s is still due on this request; record the rest as a separate payment.")
            % {"outstanding": money_format(outstanding, payment.currency)}
        )
    if method not in {Method.TRANSFER, Method.CHEQUE}:
        raise PaymentError(_("Record a bank transfer or a cheque."))
    if payment.status == Status.EXPIRED:
        try:
            with transaction.atomic():
                payment_move(payment=payment, to=Status.TO_PAY, actor=actor)
        except IntegrityError:
            # A late deposit whose sale has since been asked for another one cannot open again:
            # the money is recorded all the same, receipted, and the advisor told which to refund.
            payment.refresh_from_db(fields=["status", "status_changed_at"])
    return payment_money_received(
        payment=payment,
        amount=amount,
        provider="manual",
        actor=actor,
        method=method,
        data={"received_on": received_on.isoformat(), "note": note},
    )
