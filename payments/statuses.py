"""The payment's status machine: every allowed move, in one table."""

from django.utils.translation import gettext as _

from payments.errors import PaymentError
from payments.models import Status

ALLOWED_MOVES: dict[str, set[str]] = {
    Status.TO_PAY: {Status.PROCESSING, Status.PAID, Status.FAILED, Status.EXPIRED, Status.CANCELLED},
    Status.PROCESSING: {Status.PAID, Status.FAILED},
    # A failed attempt may be tried again, paid by transfer, expire or be cancelled.
    Status.FAILED: {Status.PROCESSING, Status.PAID, Status.EXPIRED, Status.CANCELLED},
    # Staff send a fresh link for an expired request. Money that arrives anyway on an expired or
    # cancelled request (a checkout page left open, a debit finishing late) makes it paid, so
    # it holds a receipt and can be refunded.
    Status.EXPIRED: {Status.TO_PAY, Status.PAID},
    Status.PAID: {Status.REFUND_REQUESTED},
    # A refund that fails leaves the payment as it was before (paid or partly refunded).
    Status.REFUND_REQUESTED: {Status.PARTLY_REFUNDED, Status.REFUNDED, Status.PAID},
    Status.PARTLY_REFUNDED: {Status.REFUND_REQUESTED},
    Status.REFUNDED: set(),
    Status.CANCELLED: {Status.PAID},
}


class IllegalPaymentMove(PaymentError):
    pass


def status_move_allowed(current: str, target: str) -> bool:
    return target in ALLOWED_MOVES[current]


def status_check_move(current: str, target: str) -> None:
    if not status_move_allowed(current, target):
        raise IllegalPaymentMove(
            _("A payment that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Status(current).label, "target": Status(target).label}
        )
