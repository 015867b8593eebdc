"""Two payments of one sale at the same moment, on PostgreSQL's real row locks: the tranches are
locked before anyone reads what they have been paid, so together they never over-pay a tranche;
and one arrival of money delivered twice at once is recorded once."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from schedules.models import Allocation, LedgerEntry
from schedules.services.ledger import ledger_record
from tests.concurrency import at_once
from tests.factories import SaleFactory
from tests.schedules.factories import schedule_make
from tests.schedules.ledger_helpers import SMALL_PARTS, paid_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")


def record(sale, amount: str, key: str):
    return lambda: ledger_record(
        sale=sale,
        kind=LedgerEntry.Kind.TRANSFER,
        amount=Decimal(amount),
        booked_on=date(2026, 3, 2),
        source_key=key,
    )


def test_two_payments_at_once_never_over_pay_a_tranche():
    sale = SaleFactory()
    schedule_make(sale, SMALL_PARTS)
    first_amount = sale.tranches.get(position=1).amount
    half = str((first_amount * Decimal("0.75")).quantize(Decimal("0.01")))

    results = at_once(record(sale, half, "line:1"), record(sale, half, "line:2"))

    assert all(isinstance(result, LedgerEntry) for result in results), results
    paid = paid_of(sale)
    assert paid[0] == first_amount
    assert paid[1] == Decimal(half) * 2 - first_amount
    assert (
        sum(Allocation.objects.filter(entry__sale=sale).values_list("amount", flat=True)) == Decimal(half) * 2
    )


def test_one_arrival_delivered_twice_at_once_is_recorded_once():
    sale = SaleFactory()
    schedule_make(sale, SMALL_PARTS)

    results = at_once(record(sale, "500.00", "payment-event:77"), record(sale, "500.00", "payment-event:77"))

    assert all(isinstance(result, LedgerEntry) for result in results), results
    assert results[0].pk == results[1].pk
    assert LedgerEntry.objects.filter(sale=sale).count() == 1
    assert paid_of(sale)[0] == Decimal("500.00")
