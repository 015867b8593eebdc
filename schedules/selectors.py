"""Reads of schedules: a tranche's paid and remaining amounts, a sale's balance, its statement.

Paid amounts are never stored: they are sums of the ledger's allocations, computed here in a
constant number of queries (a correlated subquery per tranche, so no join duplicates rows and the
same SQL runs on SQLite and PostgreSQL).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from sales.models import Sale
from schedules.models import Allocation, LedgerEntry, Tranche

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=12, decimal_places=2)


class _Cents:
    """Reads the expression's value as a Decimal with two places (SQLite drops trailing zeros)."""

    def convert_value(self, value: object, expression: object, connection: object) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(CENT)


class _MoneyCoalesce(_Cents, Coalesce):
    pass


class _MoneyExpression(_Cents, ExpressionWrapper):  # type: ignore[type-arg]
    pass


def _allocated_to_tranche() -> Coalesce:
    """The sum of the allocations of the outer tranche, 0.00 when it has none."""
    sums = (
        Allocation.objects.filter(tranche=OuterRef("pk"))
        .order_by()
        .values("tranche")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return _MoneyCoalesce(Subquery(sums, output_field=MONEY), Value(ZERO), output_field=MONEY)


def tranches_with_balances(queryset: QuerySet[Tranche]) -> QuerySet[Tranche]:
    """`queryset` with `paid` (sum of its allocations) and `remaining` (amount - paid) on each tranche."""
    return queryset.annotate(paid=_allocated_to_tranche()).annotate(
        remaining=_MoneyExpression(F("amount") - F("paid"), output_field=MONEY)
    )


@dataclass(frozen=True)
class SaleBalance:
    """What a sale owes and has paid, from its tranches and its ledger.

    due = paid + remaining always holds (paid is what the ledger allocated to tranches);
    `unallocated` is money received but not (yet) on a tranche: a deposit paid before the
    schedule existed, or an overpayment.
    """

    due: Decimal
    paid: Decimal
    remaining: Decimal
    # Tranches called for funds (or consigned): what the buyer has been asked for so far.
    called: Decimal
    called_remaining: Decimal
    # What is left on called tranches past their due date (consigned tranches are never overdue).
    overdue: Decimal
    unallocated: Decimal

    @property
    def received(self) -> Decimal:
        """All the money of the ledger, allocated or not (refunds deducted)."""
        return self.paid + self.unallocated


def _balance_of(tranches: Iterable[Tranche], received: Decimal, today: date) -> SaleBalance:
    due = paid = called = called_remaining = overdue = ZERO
    for tranche in tranches:
        due += tranche.amount
        paid += tranche.paid  # type: ignore[attr-defined]
        if tranche.state != Tranche.State.PLANNED:
            called += tranche.amount
            called_remaining += tranche.remaining  # type: ignore[attr-defined]
        if tranche.state == Tranche.State.CALLED and tranche.due_on and tranche.due_on < today:
            overdue += tranche.remaining  # type: ignore[attr-defined]
    return SaleBalance(
        due=due,
        paid=paid,
        remaining=due - paid,
        called=called,
        called_remaining=called_remaining,
        overdue=overdue,
        unallocated=received - paid,
    )


def sale_balances(sale_ids: Iterable[int], *, today: date | None = None) -> dict[int, SaleBalance]:
    """The balance of each of these sales, in two queries whatever their number."""
    ids = list(sale_ids)
    today = today or timezone.localdate()
    by_sale: dict[int, list[Tranche]] = {sale_id: [] for sale_id in ids}
    for tranche in tranches_with_balances(Tranche.objects.filter(sale_id__in=ids)).order_by(
        "sale", "position"
    ):
        by_sale[tranche.sale_id].append(tranche)
    received = dict(
        LedgerEntry.objects.filter(sale_id__in=ids)
        .order_by()
        .values("sale")
        .annotate(total=Sum("amount"))
        .values_list("sale", "total")
    )
    return {
        sale_id: _balance_of(tranches, Decimal(received.get(sale_id) or ZERO).quantize(CENT), today)
        for sale_id, tranches in by_sale.items()
    }


def sale_balance(sale: Sale, *, today: date | None = None) -> SaleBalance:
    """The sale's balance (due, paid, remaining, called, called_remaining, overdue, unallocated)."""
    return sale_balances([sale.pk], today=today)[sale.pk]


def sale_tranches(sale: Sale) -> list[Tranche]:
    """The sale's tranches in order with `paid` and `remaining`, and their call when there is one."""
    return list(
        tranches_with_balances(Tranche.objects.filter(sale=sale)).select_related("call").order_by("position")
    )


def sale_tranches_paid(sale: Sale) -> list[Tranche]:
    """The sale's tranches in order with `paid` and `remaining`, summed in one GROUP BY: half the
    cost of the subqueries of tranches_with_balances, for a page that shows nothing else of them
    (the purchase page's "due next")."""
    tranches: list[Tranche] = list(
        Tranche.objects.filter(sale=sale).annotate(allocated=Sum("allocations__amount")).order_by("position")
    )
    for tranche in tranches:
        tranche.paid = (tranche.allocated or ZERO).quantize(CENT)  # type: ignore[attr-defined]
        tranche.remaining = tranche.amount - tranche.paid  # type: ignore[attr-defined]
    return tranches


def sale_statement(sale: Sale) -> list[LedgerEntry]:
    """The sale's ledger entries, oldest first, each with its allocations and their tranches.

    The caller has already checked the reader may see `sale` (the client space gets it through a
    selector scoped to the buyer).
    """
    return list(
        LedgerEntry.objects.filter(sale=sale)
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("tranche").order_by("tranche__position"),
            )
        )
        .order_by("booked_on", "pk")
    )


def ledger_entries_with_allocated(queryset: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """`queryset` with `allocated` (the sum of the entry's allocations, 0.00 when none)."""
    sums = (
        Allocation.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        allocated=_MoneyCoalesce(Subquery(sums, output_field=MONEY), Value(ZERO), output_field=MONEY)
    )


def ledger_entry_allocations(entry: LedgerEntry) -> list[Tranche]:
    """The tranches of the entry's sale in order, each with `paid` and `remaining` and with
    `entry_part`: what this entry gives it (0.00 when nothing)."""
    parts = dict(Allocation.objects.filter(entry=entry).values_list("tranche", "amount"))
    tranches = list(
        tranches_with_balances(Tranche.objects.filter(sale_id=entry.sale_id)).order_by("position")
    )
    for tranche in tranches:
        tranche.entry_part = Decimal(parts.get(tranche.pk, ZERO)).quantize(CENT)  # type: ignore[attr-defined]
    return tranches
