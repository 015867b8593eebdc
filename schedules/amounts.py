"""Tranche amounts that add up to the price to the cent (SCH-2).

Each tranche is the price times its percentage, rounded down to the cent; the rounding remainder
goes to the last tranche. After a price change the tranches already called (or consigned) keep
the amounts their buyers were asked for, and the tranches not yet called absorb the difference.
"""

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class RepriceError(Exception):
    """The new price cannot be spread over the schedule; the message is a sentence for the page."""


def _share(price: Decimal, percent: Decimal) -> Decimal:
    return (Decimal(price) * Decimal(percent) / 100).quantize(CENT, rounding=ROUND_DOWN)


def tranche_amounts(price: Decimal, percents: Sequence[Decimal]) -> list[Decimal]:
    """The amount of each tranche of `price` split by `percents`, the remainder on the last."""
    if not percents:
        return []
    price = Decimal(price).quantize(CENT)
    amounts = [_share(price, percent) for percent in percents[:-1]]
    amounts.append(price - sum(amounts, ZERO))
    return amounts


def tranche_amounts_reprice(
    price: Decimal, tranches: Sequence[tuple[Decimal, Decimal, bool]]
) -> list[Decimal]:
    """New amounts for `tranches` given as (percent, current amount, planned) in order: a tranche
    not yet called (`planned`) becomes its share of the new `price`, one already called keeps its
    amount, and the last planned tranche takes what remains so the whole adds up to `price`.

    A planned tranche never takes more than what is left of the price, so none goes below zero
    when the price falls. Refused when the price is below what was already called, or when
    every tranche was called and the price differs from their sum."""
    price = Decimal(price).quantize(CENT)
    fixed = sum((amount for _percent, amount, planned in tranches if not planned), ZERO)
    if price < fixed:
        raise RepriceError(
            _(
                "The new price (%(price)s) is below the amounts already called (%(called)s): the "
                "tranches called cannot change."
            )
            % {"price": price, "called": fixed}
        )
    planned_at = [index for index, (_percent, _amount, planned) in enumerate(tranches) if planned]
    if not planned_at:
        if price != fixed:
            raise RepriceError(
                _(
                    "Every tranche was already called (%(called)s in all): a new price (%(price)s) "
                    "needs a tranche not yet called to carry the difference."
                )
                % {"price": price, "called": fixed}
            )
        return [amount for _percent, amount, _planned in tranches]
    left = price - fixed
    amounts = [amount for _percent, amount, _planned in tranches]
    for index in planned_at[:-1]:
        amounts[index] = min(_share(price, tranches[index][0]), left)
        left -= amounts[index]
    amounts[planned_at[-1]] = left
    return amounts
