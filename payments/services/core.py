"""The one way a payment changes status: lock, check the move table, log, audit."""

from decimal import Decimal
from typing import Any

from django.utils import timezone

from payments.models import Payment, PaymentEvent
from payments.statuses import status_check_move, status_move_allowed
from portal.audit.services import audit_record
from portal.users.models import User


def payment_lock(payment_id: int) -> Payment:
    # Only the payment's row: locking its sale and programme too would queue every payment of a
    # programme behind one another, and deadlock with a stage move that holds the sale.
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("sale", "programme", "buyer")
        .get(pk=payment_id)
    )


def payment_log(
    *,
    payment: Payment,
    kind: str,
    actor: User | None = None,
    amount: Decimal | None = None,
    data: dict[str, Any] | None = None,
) -> PaymentEvent:
    """Append to the payment's log, and to the sale's timeline in the audit trail."""
    event = PaymentEvent.objects.create(
        payment=payment,
        kind=kind,
        status=payment.status,
        amount=amount,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"payment.{kind}",
        obj=payment.sale,
        data={
            "payment": payment.pk,
            "reference": payment.reference,
            "status": payment.status,
            "amount": str(amount if amount is not None else payment.amount),
            "currency": payment.currency,
            **(data or {}),
        },
    )
    return event


def payment_move(
    *,
    payment: Payment,
    to: str,
    actor: User | None = None,
    strict: bool = True,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> bool:
    """Move a locked payment to `to`; True if it moved.

    Already there: nothing happens. An illegal move raises (strict, for staff actions) or is
    ignored (for provider events arriving late or out of order, which must change nothing).
    """
    if payment.status == to:
        return False
    if not strict and not status_move_allowed(payment.status, to):
        return False
    status_check_move(payment.status, to)
    previous = payment.status
    payment.status = to
    payment.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save(update_fields=["status", "status_changed_at", *fields])
    payment_log(
        payment=payment,
        kind=PaymentEvent.Kind.STATUS_CHANGED,
        actor=actor,
        data={"from": previous, "to": to, **(data or {})},
    )
    return True
