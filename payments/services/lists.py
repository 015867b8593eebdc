"""What staff do from the payment lists: mark read or unread, reconcile (PAY-10)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import PaymentError
from payments.models import MONEY_RECEIVED_STATUSES, Payment, PaymentEvent, PaymentRead
from payments.services.core import payment_lock, payment_log
from portal.access import can
from portal.users.models import User

RECONCILE_PERMISSION = "payments.reconcile_payment"


def payments_mark_read(*, user: User, payment_ids: Iterable[int], read: bool) -> None:
    payment_ids = list(payment_ids)
    if read:
        PaymentRead.objects.bulk_create(
            [PaymentRead(payment_id=pk, user=user) for pk in payment_ids], ignore_conflicts=True
        )
    else:
        PaymentRead.objects.filter(user=user, payment_id__in=payment_ids).delete()


@transaction.atomic
def payment_reconcile(*, actor: User, payment: Payment, undo: bool = False) -> bool:
    """An accountant confirms the money is on the bank statement. True if something changed."""
    if not can(actor, RECONCILE_PERMISSION):
        raise PaymentError(_("Only accountants and administrators may reconcile payments."))
    payment = payment_lock(payment.pk)
    if undo:
        if payment.reconciled_at is None:
            return False
        payment.reconciled_at, payment.reconciled_by = None, None
        kind = PaymentEvent.Kind.UNRECONCILED
    else:
        if payment.reconciled_at is not None:
            return False
        if payment.status not in MONEY_RECEIVED_STATUSES:
            raise PaymentError(
                _("%(payment)s has received no money yet: nothing to reconcile.")
                % {"payment": payment.reference}
            )
        payment.reconciled_at, payment.reconciled_by = timezone.now(), actor
        kind = PaymentEvent.Kind.RECONCILED
    payment.save(update_fields=["reconciled_at", "reconciled_by"])
    payment_log(payment=payment, kind=kind, actor=actor)
    return True
