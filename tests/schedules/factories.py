"""Schedules for tests, written straight to the tables so each part's tests do not depend on
another part's services (the template rules and amount splits have their own tests)."""

from decimal import ROUND_DOWN, Decimal

from sales.models import Sale
from schedules.models import Tranche, Trigger

# A French VEFA schedule within CCH R261-14: 35 / 70 / 95 / 100 cumulated.
VEFA_PARTS: list[tuple[str, str]] = [
    (Trigger.DEED, "20"),
    (Trigger.FOUNDATIONS, "15"),
    (Trigger.WEATHER_TIGHT, "35"),
    (Trigger.COMPLETION, "25"),
    (Trigger.DELIVERY, "5"),
]


def schedule_make(sale: Sale, parts: list[tuple[str, str]] | None = None) -> list[Tranche]:
    """Tranches of `sale` for `parts` (trigger, percent), the remainder on the last one."""
    parts = parts or VEFA_PARTS
    tranches, total = [], Decimal("0.00")
    for position, (trigger, percent) in enumerate(parts, start=1):
        if position == len(parts):
            amount = sale.price - total
        else:
            amount = (sale.price * Decimal(percent) / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        total += amount
        tranches.append(
            Tranche(
                sale=sale,
                position=position,
                label=Trigger(trigger).label,
                trigger=trigger,
                percent=Decimal(percent),
                amount=amount,
            )
        )
    Tranche.objects.filter(sale=sale).delete()
    return Tranche.objects.bulk_create(tranches)
