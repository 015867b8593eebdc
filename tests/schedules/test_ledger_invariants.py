"""Whatever sequence of payments, refunds, re-allocations and late schedules a sale goes through,
its books stay consistent: due = paid + remaining for every tranche and for the sale, no tranche
is paid above its amount or below nothing, an entry never gives more than it holds, and money on
no tranche is never negative."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.users.roles import Role
from schedules.models import Allocation, LedgerEntry, Tranche
from schedules.selectors import sale_balance, tranches_with_balances
from schedules.services.ledger import (
    LedgerError,
    ledger_allocate_unallocated,
    ledger_reallocate,
    ledger_record,
)
from tests.conftest import make_user
from tests.factories import SaleFactory
from tests.schedules.factories import schedule_make

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
PARTS = [("deed", "20"), ("foundations", "15"), ("weather_tight", "35"), ("completion", "30")]
_keys = itertools.count(1)

cents = st.integers(min_value=1, max_value=6_000_000).map(lambda n: Decimal(n) * CENT)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), cents, st.integers(min_value=0, max_value=4)),
        st.tuples(st.just("refund"), cents, st.integers(min_value=0, max_value=4)),
        st.tuples(
            st.just("reallocate"),
            st.integers(min_value=0, max_value=20),
            st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4),
        ),
        st.tuples(st.just("schedule"), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=10,
)


def assert_consistent(sale) -> None:
    tranches = list(tranches_with_balances(Tranche.objects.filter(sale=sale)))
    for tranche in tranches:
        assert Decimal("0.00") <= tranche.paid <= tranche.amount
        assert tranche.amount == tranche.paid + tranche.remaining
    balance = sale_balance(sale)
    assert balance.due == balance.paid + balance.remaining
    assert balance.due == sum((t.amount for t in tranches), Decimal("0.00"))
    assert balance.paid == sum((t.paid for t in tranches), Decimal("0.00"))
    assert balance.unallocated >= 0
    received = sum(LedgerEntry.objects.filter(sale=sale).values_list("amount", flat=True), Decimal("0.00"))
    assert balance.paid + balance.unallocated == received
    for entry in LedgerEntry.objects.filter(sale=sale).prefetch_related("allocations"):
        parts = [allocation.amount for allocation in entry.allocations.all()]
        assert all(part * entry.amount > 0 for part in parts)  # same sign as the entry
        assert abs(sum(parts, Decimal("0.00"))) <= abs(entry.amount)


@pytest.fixture
def accountant(db):
    return make_user("accountant@example.test", role=Role.ACCOUNTANT)


@pytest.fixture
def sale(db):
    return SaleFactory()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps, scheduled=st.booleans())
def test_the_books_stay_consistent_whatever_happens(accountant, sale, sequence, scheduled):
    # One sale for every example, each example rolled back.
    with transaction.atomic():
        if scheduled:
            schedule_make(sale, PARTS)
        for action, value, extra in sequence:
            tranche_ids = list(
                Tranche.objects.filter(sale=sale).order_by("position").values_list("pk", flat=True)
            )
            if action == "pay":
                hint = (
                    Tranche.objects.filter(pk=tranche_ids[extra]).first()
                    if extra < len(tranche_ids)
                    else None
                )
                ledger_record(
                    sale=sale,
                    kind=LedgerEntry.Kind.TRANSFER,
                    amount=value,
                    booked_on=date(2026, 3, 2),
                    source_key=f"test:{next(_keys)}",
                    tranche=hint,
                )
            elif action == "refund":
                received = sale_balance(sale).received
                amount = min(value, received)
                if amount > 0:
                    ledger_record(
                        sale=sale,
                        kind=LedgerEntry.Kind.REFUND,
                        amount=-amount,
                        booked_on=date(2026, 3, 3),
                        source_key=f"test:{next(_keys)}",
                    )
            elif action == "reallocate":
                entries = list(LedgerEntry.objects.filter(sale=sale).order_by("pk"))
                if entries and tranche_ids:
                    entry = entries[value % len(entries)]
                    # shares in percent of the entry, possibly adding up to more than all of it
                    split = {
                        tranche_id: (entry.amount * share / 100).quantize(CENT)
                        for tranche_id, share in zip(tranche_ids, extra, strict=False)
                    }
                    before = sorted(Allocation.objects.filter(entry__sale=sale).values_list("pk", "amount"))
                    try:
                        ledger_reallocate(entry=entry, allocations=split, actor=accountant, reason="test")
                    except LedgerError:
                        # a refused re-allocation changes nothing
                        after = sorted(
                            Allocation.objects.filter(entry__sale=sale).values_list("pk", "amount")
                        )
                        assert after == before
            elif action == "schedule" and not tranche_ids:
                schedule_make(sale, PARTS)
                ledger_allocate_unallocated(sale=sale)
            assert_consistent(sale)
        transaction.set_rollback(True)
