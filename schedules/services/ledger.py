"""The ledger of a sale (SCH-4): every movement of money, allocated to its tranches.

An entry is recorded once per source (`source_key`); money in is allocated oldest tranche first
(the tranche of the call it answers first), never above what a tranche still owes; what is left
stays on the entry, unallocated, until tranches exist or staff re-allocate it. A refund first
takes back the sale's unallocated money, then from the most recently paid tranches.

Every change locks the sale's tranches (ordered by pk, so two writers never wait on each other
in a cycle) before it reads what they have been paid: two payments of one sale at the same moment
cannot over-allocate a tranche.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import Payment, Refund
from portal.access import can, has_role, is_administrator
from portal.audit.services import audit_record
from portal.money import money_format
from portal.users.models import User
from portal.users.roles import Role
from sales.models import Sale
from schedules.models import Allocation, CallForFunds, LedgerEntry, Tranche

ZERO = Decimal("0.00")
REALLOCATE_PERMISSION = "schedules.change_allocation"


class LedgerError(Exception):
    """A ledger rule refused the action; the message is a sentence the page shows."""


def may_reallocate(user: User) -> bool:
    """Accountants and administrators move an entry's money between tranches."""
    return is_administrator(user) or has_role(user, Role.ACCOUNTANT) or can(user, REALLOCATE_PERMISSION)


# Reading the locked state --------------------------------------------------------------------------


def _tranches_lock(sale_id: int) -> list[Tranche]:
    """The sale's tranches, locked (ordered by pk), returned in schedule order."""
    locked = list(Tranche.objects.select_for_update().filter(sale_id=sale_id).order_by("pk"))
    return sorted(locked, key=lambda tranche: tranche.position)


def _paid_by_tranche(
    tranches: Iterable[Tranche], *, exclude_entry: int | None = None
) -> tuple[dict[int, Decimal], dict[int, int]]:
    """(paid, last positive allocation id) of each tranche, read after the lock."""
    ids = [tranche.pk for tranche in tranches]
    paid = dict.fromkeys(ids, ZERO)
    last: dict[int, int] = {}
    rows = Allocation.objects.filter(tranche_id__in=ids)
    if exclude_entry is not None:
        rows = rows.exclude(entry_id=exclude_entry)
    for row in (
        rows.order_by()
        .values("tranche")
        .annotate(total=Sum("amount"), last=Max("pk", filter=Q(amount__gt=0)))
        .values_list("tranche", "total", "last")
    ):
        paid[row[0]] = Decimal(row[1] or ZERO).quantize(ZERO)
        if row[2]:
            last[row[0]] = row[2]
    return paid, last


def _sale_unallocated(sale_id: int) -> Decimal:
    received = LedgerEntry.objects.filter(sale_id=sale_id).aggregate(total=Sum("amount"))["total"] or ZERO
    allocated = (
        Allocation.objects.filter(entry__sale_id=sale_id).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    return Decimal(received - allocated).quantize(ZERO)


def _calls_sync(tranches: list[Tranche], paid: dict[int, Decimal]) -> None:
    """A call is paid when its tranche is fully paid; money taken back makes it unpaid again."""
    full = [tranche.pk for tranche in tranches if paid[tranche.pk] >= tranche.amount]
    short = [tranche.pk for tranche in tranches if paid[tranche.pk] < tranche.amount]
    if full:
        CallForFunds.objects.filter(tranche_id__in=full, paid_at__isnull=True).update(paid_at=timezone.now())
    if short:
        CallForFunds.objects.filter(tranche_id__in=short, paid_at__isnull=False).update(paid_at=None)


# Allocating ---------------------------------------------------------------------------------------


def _allocate_in(
    amount: Decimal, tranches: list[Tranche], paid: dict[int, Decimal], first: int | None
) -> dict[int, Decimal]:
    """Split `amount` (> 0) over tranches: `first` first, then by position, within what each owes."""
    order = sorted(tranches, key=lambda tranche: (tranche.pk != first, tranche.position))
    split: dict[int, Decimal] = {}
    left = amount
    for tranche in order:
        if left <= 0:
            break
        owed = tranche.amount - paid[tranche.pk]
        part = min(left, owed)
        if part > 0:
            split[tranche.pk] = part
            paid[tranche.pk] += part
            left -= part
    return split


def _take_back(
    amount: Decimal,
    tranches: list[Tranche],
    paid: dict[int, Decimal],
    last: dict[int, int],
    first: int | None,
) -> dict[int, Decimal]:
    """Split `amount` (> 0) taken back over tranches: `first` first, then the most recently paid."""
    order = sorted(
        (tranche for tranche in tranches if paid[tranche.pk] > 0),
        key=lambda tranche: (tranche.pk != first, -last.get(tranche.pk, 0), -tranche.position),
    )
    split: dict[int, Decimal] = {}
    left = amount
    for tranche in order:
        if left <= 0:
            break
        part = min(left, paid[tranche.pk])
        split[tranche.pk] = -part
        paid[tranche.pk] -= part
        left -= part
    return split


def _allocations_write(entry: LedgerEntry, split: dict[int, Decimal]) -> None:
    Allocation.objects.bulk_create(
        [Allocation(entry=entry, tranche_id=tranche_id, amount=part) for tranche_id, part in split.items()]
    )


def _split_data(split: dict[int, Decimal], tranches: list[Tranche]) -> dict[str, str]:
    labels = {tranche.pk: f"{tranche.position}. {tranche.label}" for tranche in tranches}
    return {labels.get(tranche_id, str(tranche_id)): str(part) for tranche_id, part in sorted(split.items())}


def _entry_allocate(
    entry: LedgerEntry, tranches: list[Tranche], *, tranche: Tranche | None, unallocated_before: Decimal
) -> dict[int, Decimal]:
    if not tranches:
        return {}
    first = tranche.pk if tranche is not None and tranche.sale_id == entry.sale_id else None
    paid, last = _paid_by_tranche(tranches)
    if entry.amount > 0:
        split = _allocate_in(entry.amount, tranches, paid, first)
    else:
        # A refund gives back the money on no tranche first (an overpayment, a deposit paid
        # before the schedule existed), then takes back from the tranches.
        to_take = -entry.amount - max(unallocated_before, ZERO)
        split = _take_back(to_take, tranches, paid, last, first) if to_take > 0 else {}
    _allocations_write(entry, split)
    _calls_sync(tranches, paid)
    return split


@transaction.atomic
def ledger_record(
    *,
    sale: Sale,
    kind: str,
    amount: Decimal,
    booked_on: date,
    source_key: str,
    payment: Payment | None = None,
    refund: Refund | None = None,
    reference: str = "",
    actor: User | None = None,
    tranche: Tranche | None = None,
) -> LedgerEntry:
    """Record one movement of money on `sale` and allocate it; once per `source_key`.

    Refunds are negative amounts. A second call with the same `source_key` returns the entry
    already recorded and changes nothing.
    """
    existing = LedgerEntry.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    if amount == 0:
        raise LedgerError(_("A ledger entry needs an amount other than zero."))
    if (kind == LedgerEntry.Kind.REFUND) != (amount < 0):
        raise LedgerError(_("Refunds are recorded as negative amounts, and only refunds."))
    tranches = _tranches_lock(sale.pk)
    unallocated_before = _sale_unallocated(sale.pk)
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                sale=sale,
                programme_id=sale.programme_id,
                kind=kind,
                amount=amount,
                currency=sale.programme.currency,
                booked_on=booked_on,
                reference=reference[:100],
                source_key=source_key,
                payment=payment,
                refund=refund,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        # The same source recorded at the same moment by another transaction: its entry stands.
        return LedgerEntry.objects.get(source_key=source_key)
    split = _entry_allocate(entry, tranches, tranche=tranche, unallocated_before=unallocated_before)
    audit_record(
        actor=actor,
        action="ledger.recorded",
        obj=sale,
        data={
            "entry": entry.pk,
            "kind": kind,
            "amount": str(amount),
            "booked_on": booked_on.isoformat(),
            "source": source_key,
            "allocations": _split_data(split, tranches),
        },
    )
    return entry


@transaction.atomic
def ledger_allocate_unallocated(*, sale: Sale, actor: User | None = None) -> int:
    """Allocate the sale's money on no tranche (a deposit paid before its schedule existed, an
    overpayment) to the tranches that still owe, oldest entry and oldest tranche first.

    Returns how many allocations were made or increased; safe to call again (nothing left:
    nothing done).
    """
    tranches = _tranches_lock(sale.pk)
    if not tranches:
        return 0
    budget = _sale_unallocated(sale.pk)
    if budget <= 0:
        return 0
    paid, _last = _paid_by_tranche(tranches)
    entries = list(
        LedgerEntry.objects.filter(sale=sale, amount__gt=0)
        .annotate(allocated=Sum("allocations__amount"))
        .order_by("booked_on", "pk")
    )
    existing = {
        (allocation.entry_id, allocation.tranche_id): allocation
        for allocation in Allocation.objects.filter(entry__in=entries)
    }
    created: list[Allocation] = []
    updated: list[Allocation] = []
    changes: dict[str, dict[str, str]] = {}
    for entry in entries:
        free = min(entry.amount - (entry.allocated or ZERO), budget)
        if free <= 0:
            continue
        split = _allocate_in(free, tranches, paid, None)
        if not split:
            break
        for tranche_id, part in split.items():
            allocation = existing.get((entry.pk, tranche_id))
            if allocation is not None:
                allocation.amount += part
                updated.append(allocation)
            else:
                created.append(Allocation(entry=entry, tranche_id=tranche_id, amount=part))
        budget -= sum(split.values(), ZERO)
        changes[str(entry.pk)] = _split_data(split, tranches)
        if budget <= 0:
            break
    Allocation.objects.bulk_create(created)
    Allocation.objects.bulk_update(updated, ["amount"])
    if changes:
        _calls_sync(tranches, paid)
        audit_record(actor=actor, action="ledger.allocated", obj=sale, data={"entries": changes})
    return len(created) + len(updated)


@transaction.atomic
def ledger_reallocate(
    *, entry: LedgerEntry, allocations: dict[int, Decimal], actor: User, reason: str = ""
) -> LedgerEntry:
    """Staff move an entry's money between the tranches of its sale (the new split replaces the
    old one); what is not given to a tranche stays unallocated on the entry."""
    if not may_reallocate(actor):
        raise LedgerError(_("Only accountants and administrators may re-allocate a payment."))
    tranches = _tranches_lock(entry.sale_id)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    by_id = {tranche.pk: tranche for tranche in tranches}
    wanted = {
        int(tranche_id): Decimal(part) for tranche_id, part in allocations.items() if Decimal(part) != 0
    }
    if any(tranche_id not in by_id for tranche_id in wanted):
        raise LedgerError(_("Money can only be allocated to tranches of the entry's own sale."))
    sign = 1 if entry.amount > 0 else -1
    if any(part * sign < 0 for part in wanted.values()):
        raise LedgerError(
            _("A payment is allocated with amounts above zero, a refund with amounts below zero.")
        )
    total = sum(wanted.values(), ZERO)
    if abs(total) > abs(entry.amount):
        raise LedgerError(
            _("The allocations add up to %(total)s, more than the entry's %(amount)s.")
            % {
                "total": money_format(abs(total), entry.currency),
                "amount": money_format(abs(entry.amount), entry.currency),
            }
        )
    paid, _last = _paid_by_tranche(tranches, exclude_entry=entry.pk)
    for tranche_id, part in wanted.items():
        paid[tranche_id] += part
    for tranche in tranches:
        if paid[tranche.pk] > tranche.amount:
            raise LedgerError(
                _("The tranche “%(tranche)s” would be paid %(paid)s, above its amount of %(amount)s.")
                % {
                    "tranche": tranche.label,
                    "paid": money_format(paid[tranche.pk], entry.currency),
                    "amount": money_format(tranche.amount, entry.currency),
                }
            )
        if paid[tranche.pk] < 0:
            raise LedgerError(
                _("The tranche “%(tranche)s” would be paid less than nothing.") % {"tranche": tranche.label}
            )
    old = dict(Allocation.objects.filter(entry=entry).values_list("tranche", "amount"))
    if old == wanted:
        return entry
    # Money a refund already gave back is on no tranche to move (the sale's unallocated money).
    unallocated_after = _sale_unallocated(entry.sale_id) + sum(old.values(), ZERO) - total
    if unallocated_after < 0:
        raise LedgerError(
            _("Only %(free)s of this sale's money is on no tranche; allocate at most that much more.")
            % {
                "free": money_format(max(_sale_unallocated(entry.sale_id), ZERO), entry.currency),
            }
        )
    Allocation.objects.filter(entry=entry).delete()
    _allocations_write(entry, wanted)
    _calls_sync(tranches, paid)
    audit_record(
        actor=actor,
        action="ledger.reallocated",
        obj=entry.sale,
        data={
            "entry": entry.pk,
            "old": _split_data(old, tranches),
            "new": _split_data(wanted, tranches),
            "reason": reason,
        },
    )
    return entry
