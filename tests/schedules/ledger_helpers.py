"""Builders for the ledger tests: a sale with its schedule, and money arriving through payments."""

from datetime import date
from decimal import Decimal

from payments.models import Payment
from payments.services.money import payment_record_transfer
from payments.services.requests import payment_request_create
from sales.models import Sale
from schedules.models import Tranche
from schedules.selectors import tranches_with_balances
from tests.payments.factories import sale_with_buyer_make
from tests.schedules.factories import schedule_make

# 10 000 split 20 / 30 / 50: 2 000, 3 000, 5 000.
SMALL_PARTS = [("deed", "20"), ("foundations", "30"), ("completion", "50")]


def sale_make(advisor, *, price: str = "10000.00", parts=SMALL_PARTS, with_schedule: bool = True) -> Sale:
    sale = sale_with_buyer_make(advisor=advisor, price=price)
    if with_schedule:
        schedule_make(sale, parts)
    return sale


def money_in(
    sale: Sale,
    amount: str,
    *,
    actor,
    kind: str = Payment.Kind.REQUEST,
    method: str = "transfer",
    received_on: date = date(2026, 3, 2),
    reference: str = "INV-1",
) -> Payment:
    """A request of `amount` paid in full by transfer (or cheque), recorded by `actor`."""
    payment = payment_request_create(
        actor=actor, sale=sale, amount=Decimal(amount), reference=reference, kind=kind, notify=False
    )
    return payment_record_transfer(
        actor=actor, payment=payment, amount=Decimal(amount), received_on=received_on, method=method
    )


def paid_of(sale: Sale) -> list[Decimal]:
    """What each tranche has been paid, in schedule order."""
    return [t.paid for t in tranches_with_balances(Tranche.objects.filter(sale=sale)).order_by("position")]
