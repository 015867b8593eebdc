"""The buyer's payments in the client space (PAY-10): what is still to pay, what was paid, receipts.

Kept beside space/views.py: the same rules (logged-in buyers; staff go to the back-office), and
every payment comes through the payments selectors scoped to the user, so another buyer's is 404.
"""

import logging
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.links import payment_link_path
from payments.models import Payment, Status
from payments.selectors import client_payments, client_receipt_payment_get
from payments.views import receipt_file_response
from space import presenters
from space.views import client_space

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    note: str = ""  # what the status means for the buyer, in a sentence
    link: str = ""  # the portal link, for a request he can pay now

    @property
    def outstanding(self):
        return self.payment.amount - self.payment.amount_paid


def _open_row(payment: Payment, now) -> PaymentRow:
    if payment.link_expires_at <= now:
        return PaymentRow(payment, _("The payment link has expired: ask your advisor for a new one."))
    note = (
        _("Your last attempt did not go through; you can try again.")
        if payment.status == Status.FAILED
        else ""
    )
    return PaymentRow(payment, note, payment_link_path(payment))


def _history_note(payment: Payment) -> str:
    if payment.status == Status.PROCESSING:
        return _("Your payment is being processed.")
    if payment.status == Status.EXPIRED:
        return _("The request expired unpaid: ask your advisor for a new link.")
    if payment.attempts > 1:
        return _("Paid at attempt %(number)s.") % {"number": payment.attempts}
    return ""


def _buyers_only(user) -> None:
    if presenters.is_external(user):
        raise Http404(_("Only buyers have payments."))


@client_space
def payments(request):
    _buyers_only(request.user)
    open_requests, history = client_payments(request.user)
    now = timezone.now()
    context = {
        "open_rows": [_open_row(payment, now) for payment in open_requests],
        "history_rows": [PaymentRow(payment, _history_note(payment)) for payment in history],
        "nav": "payments",
        "external": False,
    }
    return render(request, "space/payments.html", context)


@client_space
def receipt_download(request, payment_id: int):
    """The stored receipt, as it was issued: the same file staff reprint."""
    _buyers_only(request.user)
    try:
        payment = client_receipt_payment_get(request.user, payment_id)
    except Payment.DoesNotExist:
        raise Http404(_("No such receipt.")) from None
    response = receipt_file_response(payment.receipt, missing=_("This receipt is still being prepared."))
    logger.info("Receipt %s downloaded by user %s", payment.receipt.display_number, request.user.pk)
    return response
