"""How the ledger follows the payments: money in and refunds done become ledger entries.

Both signals are sent inside the payments' transaction, so the entry and its allocations are
written (or rolled back) with the change that caused them.
"""

from django.dispatch import receiver
from django.utils import timezone

from payments.models import Method, Payment
from payments.signals import payment_money_in, refund_settled
from schedules.models import LedgerEntry, Tranche
from schedules.services.ledger import ledger_record

# How each payment method reads in the ledger; online methods without an entry kind of their
# own read as what they are closest to (BLIK as a card payment, Przelewy24 as a transfer).
KIND_OF_METHOD = {
    Method.CARD: LedgerEntry.Kind.CARD,
    Method.SEPA_DEBIT: LedgerEntry.Kind.DEBIT,
    Method.TRANSFER: LedgerEntry.Kind.TRANSFER,
    Method.CHEQUE: LedgerEntry.Kind.CHEQUE,
    Method.BLIK: LedgerEntry.Kind.CARD,
    Method.P24: LedgerEntry.Kind.TRANSFER,
}


def entry_kind(payment: Payment, method: str) -> str:
    """A deposit reads as a deposit whatever paid it; other payments as their method."""
    if payment.kind == Payment.Kind.DEPOSIT:
        return LedgerEntry.Kind.DEPOSIT
    return KIND_OF_METHOD.get(method, LedgerEntry.Kind.TRANSFER)


def tranche_of(payment: Payment) -> Tranche | None:
    """The tranche of the call for funds this payment answers, if it answers one."""
    return Tranche.objects.filter(call__payment=payment).first()


@receiver(payment_money_in, dispatch_uid="schedules.ledger.payment_money_in")
def on_payment_money_in(sender, *, payment, amount, method, booked_on, source_key, actor=None, **kwargs):
    ledger_record(
        sale=payment.sale,
        kind=entry_kind(payment, method),
        amount=amount,
        booked_on=booked_on,
        source_key=source_key,
        payment=payment,
        reference=payment.reference,
        actor=actor,
        tranche=tranche_of(payment),
    )


@receiver(refund_settled, dispatch_uid="schedules.ledger.refund_settled")
def on_refund_settled(sender, *, refund, actor=None, **kwargs):
    payment = refund.payment
    ledger_record(
        sale=payment.sale,
        kind=LedgerEntry.Kind.REFUND,
        amount=-refund.amount,
        booked_on=timezone.localdate(refund.settled_at) if refund.settled_at else timezone.localdate(),
        source_key=f"refund:{refund.pk}",
        payment=payment,
        refund=refund,
        reference=payment.reference,
        actor=actor,
        tranche=tranche_of(payment),
    )
