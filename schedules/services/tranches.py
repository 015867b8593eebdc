"""A sale's own schedule: copied from its programme's template, edited by staff, re-priced,
and its balance consigned when the buyer disputes conformity at delivery (SCH-1, SCH-2).

Every change is recorded on the sale, so it reads on the sale's timeline. Tranches already called
(or consigned) never change: their buyers were asked for those amounts.
"""

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.money import money_format
from portal.users.models import User
from sales.models import Sale
from schedules.amounts import CENT, RepriceError, tranche_amounts, tranche_amounts_reprice
from schedules.models import TRIGGER_ORDER, Allocation, ScheduleTemplate, Tranche, Trigger
from schedules.rules import ScheduleRuleError, percent_format, schedule_check
from schedules.services.ledger import ledger_allocate_unallocated
from schedules.services.templates import schedule_summary

# CCH R261-14 al. 2: when the buyer disputes conformity at delivery, the balance, at most 5 % of
# the price, may be consigned instead of paid.
CONSIGNMENT_MAX_PERCENT = Decimal("5")


class ScheduleError(Exception):
    """A refused change of a sale's schedule; the message is a sentence the page shows."""


class PlannedTranche(TypedDict, total=False):
    id: int | None  # a planned tranche of the sale, or None for a new one
    label: str
    trigger: str
    percent: Decimal


def _sale_lock(sale: Sale) -> Sale:
    return Sale.objects.select_for_update().select_related("programme").get(pk=sale.pk)


def _tranches(sale: Sale) -> list[Tranche]:
    return list(Tranche.objects.select_for_update().filter(sale=sale).order_by("position"))


def _positions_set(tranches: Sequence[Tranche]) -> None:
    """Number the tranches 1, 2, 3... in the given order, without tripping the unique position."""
    saved = [tranche.pk for tranche in tranches if tranche.pk]
    Tranche.objects.filter(pk__in=saved).update(position=F("position") + 1000)
    for position, tranche in enumerate(tranches, start=1):
        tranche.position = position


@transaction.atomic
def schedule_copy_for_sale(*, sale: Sale, actor: User | None) -> list[Tranche]:
    """Give a new sale the tranches of its programme's template, with their amounts. Does nothing
    when the sale already has tranches or the programme has no template."""
    # The template first: a programme without one costs its new sales a single query.
    template = ScheduleTemplate.objects.filter(programme_id=sale.programme_id).first()
    if template is None:
        return []
    sale = _sale_lock(sale)
    if Tranche.objects.filter(sale=sale).exists():
        return []
    parts = list(template.tranches.order_by("position"))
    if not parts:
        return []
    amounts = tranche_amounts(sale.price, [part.percent for part in parts])
    tranches = Tranche.objects.bulk_create(
        [
            Tranche(
                sale=sale,
                position=part.position,
                label=part.label,
                trigger=part.trigger,
                percent=part.percent,
                amount=amount,
            )
            for part, amount in zip(parts, amounts, strict=True)
        ]
    )
    audit_record(
        actor=actor,
        action="schedule.copied",
        obj=sale,
        data={"schedule": schedule_summary(tranches), "currency": sale.programme.currency},
    )
    # Money the sale received before it had a schedule (its deposit) goes to its first tranches.
    ledger_allocate_unallocated(sale=sale, actor=actor)
    return tranches


def _apply_amounts(sale: Sale, tranches: list[Tranche]) -> None:
    try:
        amounts = tranche_amounts_reprice(
            sale.price,
            [
                (tranche.percent, tranche.amount, tranche.state == Tranche.State.PLANNED)
                for tranche in tranches
            ],
        )
    except RepriceError as error:
        raise ScheduleError(str(error)) from None
    for tranche, amount in zip(tranches, amounts, strict=True):
        tranche.amount = amount


@transaction.atomic
def schedule_update(
    *,
    sale: Sale,
    tranches: Sequence[PlannedTranche],
    actor: User | None,
    changed: dict[str, list[Any]] | None = None,
) -> list[Tranche]:
    """Replace the tranches of `sale` not yet called by `tranches`, in order: an entry with the id
    of a planned tranche changes it, one without an id adds a tranche, a planned tranche left out
    is removed. The whole schedule is checked by the same rules as templates; the amounts of the
    planned tranches are re-computed from the price. Audited with the schedule before and after."""
    sale = _sale_lock(sale)
    current = _tranches(sale)
    before = schedule_summary(current)
    planned = {tranche.pk: tranche for tranche in current if tranche.state == Tranche.State.PLANNED}
    kept = [tranche for tranche in current if tranche.state != Tranche.State.PLANNED]
    wanted: list[Tranche] = []
    for part in tranches:
        tranche_id = part.get("id")
        if tranche_id is None:
            tranche = Tranche(sale=sale, amount=Decimal("0.00"))
        elif tranche_id in planned:
            tranche = planned.pop(tranche_id)
        else:
            raise ScheduleError(_("Only the tranches not yet called can be changed."))
        tranche.label = part["label"]
        tranche.trigger = part["trigger"]
        tranche.percent = Decimal(part["percent"])
        wanted.append(tranche)
    removed = list(planned.values())
    if Allocation.objects.filter(tranche__in=removed).exists():
        raise ScheduleError(_("A tranche that has received money cannot be removed."))

    order = {id(tranche): index for index, tranche in enumerate([*kept, *wanted])}
    schedule = sorted(
        [*kept, *wanted], key=lambda tranche: (TRIGGER_ORDER.index(tranche.trigger), order[id(tranche)])
    )
    try:
        schedule_check([(t.trigger, t.percent) for t in schedule], country=sale.programme.country)
    except ScheduleRuleError as error:
        raise ScheduleError(str(error)) from None
    _apply_amounts(sale, schedule)

    Tranche.objects.filter(pk__in=[tranche.pk for tranche in removed]).delete()
    _positions_set(schedule)
    Tranche.objects.bulk_update(
        [tranche for tranche in schedule if tranche.pk], ["position", "label", "trigger", "percent", "amount"]
    )
    Tranche.objects.bulk_create([tranche for tranche in schedule if not tranche.pk])
    after = schedule_summary(schedule)
    if after != before:
        audit_record(
            actor=actor,
            action="schedule.changed",
            obj=sale,
            data={"before": before, "after": after, "currency": sale.programme.currency, **(changed or {})},
        )
    return schedule


TRANCHE_FIELDS = ["label", "trigger", "percent"]


def tranche_change(*, tranche: Tranche, values: dict[str, Any], actor: User | None) -> list[Tranche]:
    """Change one planned tranche from its own page: the whole schedule is saved (its rules hold for
    all its tranches at once) and the entry on the sale's timeline names the tranche with the old
    and new value of each field changed."""
    saved = Tranche.objects.get(pk=tranche.pk)
    parts = planned_parts(list(Tranche.objects.filter(sale_id=tranche.sale_id).order_by("position")))
    changed: dict[str, Any] = {}
    for part in parts:
        if part["id"] == tranche.pk:
            for name in TRANCHE_FIELDS:
                new = values.get(name, getattr(saved, name))
                if new != getattr(saved, name):
                    changed[name] = [getattr(saved, name), new]
                part[name] = new  # type: ignore[literal-required]
    if changed:
        changed["tranche"] = saved.label
    return schedule_update(sale=tranche.sale, tranches=parts, actor=actor, changed=changed)


@transaction.atomic
def schedule_reprice(*, sale: Sale, old_price: Decimal, actor: User | None) -> list[Tranche]:
    """After the sale's price changed from `old_price`: the tranches not yet called take their
    share of the new price, those called keep their amounts, the last planned one the remainder.
    Refused (ScheduleError) when the new price is below what was already called."""
    sale = _sale_lock(sale)
    tranches = _tranches(sale)
    if not tranches:
        return []
    before = [tranche.amount for tranche in tranches]
    _apply_amounts(sale, tranches)
    changed = [tranche for tranche, old in zip(tranches, before, strict=True) if tranche.amount != old]
    if not changed:
        return tranches
    Tranche.objects.bulk_update(changed, ["amount"])
    audit_record(
        actor=actor,
        action="schedule.repriced",
        obj=sale,
        data={
            "price": [str(old_price), str(sale.price)],
            "amounts": [[str(amount) for amount in before], [str(t.amount) for t in tranches]],
            "currency": sale.programme.currency,
        },
    )
    return tranches


def consignment_ceiling(price: Decimal) -> Decimal:
    """5 % of the price, rounded down to the cent: a statutory maximum."""
    return (Decimal(price) * CONSIGNMENT_MAX_PERCENT / 100).quantize(CENT, rounding=ROUND_DOWN)


def _tranche_lock(tranche: Tranche) -> Tranche:
    return Tranche.objects.select_for_update().select_related("sale__programme").get(pk=tranche.pk)


@transaction.atomic
def tranche_consign(*, tranche: Tranche, actor: User | None, reason: str) -> Tranche:
    """Set the delivery tranche of a French sale aside with a third party (CCH R261-14 al. 2) while
    the buyer disputes conformity: it is then neither due nor overdue. Idempotent."""
    tranche = _tranche_lock(tranche)
    if tranche.state == Tranche.State.CONSIGNED:
        return tranche
    sale = tranche.sale
    if sale.programme.country != "FR" or tranche.trigger != Trigger.DELIVERY:
        raise ScheduleError(
            _("CCH art. R261-14: only the delivery tranche of a French sale can be consigned.")
        )
    ceiling = consignment_ceiling(sale.price)
    if tranche.amount > ceiling:
        currency = sale.programme.currency
        raise ScheduleError(
            _(
                "CCH art. R261-14: at most %(percent)s %% of the price (%(ceiling)s) can be consigned; "
                "this tranche is %(amount)s."
            )
            % {
                "percent": percent_format(CONSIGNMENT_MAX_PERCENT),
                "ceiling": money_format(ceiling, currency),
                "amount": money_format(tranche.amount, currency),
            }
        )
    if not reason.strip():
        raise ScheduleError(_("Say why the balance is consigned."))
    previous = tranche.state
    tranche.state = Tranche.State.CONSIGNED
    tranche.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="tranche.consigned",
        obj=sale,
        data={"tranche": str(tranche), "state": [previous, tranche.state], "reason": reason.strip()},
    )
    return tranche


@transaction.atomic
def tranche_unconsign(*, tranche: Tranche, actor: User | None, reason: str) -> Tranche:
    """Release a consigned tranche: due again (called if it was, else not yet called). Idempotent."""
    tranche = _tranche_lock(tranche)
    if tranche.state != Tranche.State.CONSIGNED:
        return tranche
    if not reason.strip():
        raise ScheduleError(_("Say why the consignment ends."))
    tranche.state = Tranche.State.CALLED if tranche.called_on else Tranche.State.PLANNED
    tranche.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="tranche.unconsigned",
        obj=tranche.sale,
        data={
            "tranche": str(tranche),
            "state": [Tranche.State.CONSIGNED, tranche.state],
            "reason": reason.strip(),
        },
    )
    return tranche


def planned_parts(tranches: Sequence[Tranche]) -> list[PlannedTranche]:
    """The planned tranches of a schedule as `schedule_update` takes them (for one-row edits)."""
    return [
        PlannedTranche(id=t.pk, label=t.label, trigger=t.trigger, percent=t.percent)
        for t in tranches
        if t.state == Tranche.State.PLANNED
    ]
