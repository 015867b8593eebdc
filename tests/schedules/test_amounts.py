"""Tranche amounts add up to the price to the cent, before and after a price change (SCH-2)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedules.amounts import RepriceError, tranche_amounts, tranche_amounts_reprice

prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999999.99"), places=2)
# Percentages with two places, drawn in hundredths so they add up to exactly 100.
splits = st.lists(st.integers(min_value=1, max_value=10000), min_size=1, max_size=12).map(
    lambda weights: _hundred(weights)
)


def _hundred(weights: list[int]) -> list[Decimal]:
    total = sum(weights)
    hundredths = [weight * 10000 // total for weight in weights]
    hundredths[-1] += 10000 - sum(hundredths)
    return [Decimal(h) / 100 for h in hundredths if h] or [Decimal("100")]


def test_the_rounding_remainder_goes_to_the_last_tranche():
    assert tranche_amounts(Decimal("100000.01"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [
        Decimal("33330.00"),
        Decimal("33330.00"),
        Decimal("33340.01"),
    ]


@given(price=prices, percents=splits)
def test_the_tranches_add_up_to_the_price_to_the_cent(price, percents):
    amounts = tranche_amounts(price, percents)
    assert sum(amounts) == price
    assert all(amount >= 0 for amount in amounts)
    assert all(amount == amount.quantize(Decimal("0.01")) for amount in amounts)


def test_a_price_change_leaves_the_called_tranches_as_they_were():
    percents = [Decimal("35"), Decimal("35"), Decimal("25"), Decimal("5")]
    old = tranche_amounts(Decimal("200000.00"), percents)
    new = tranche_amounts_reprice(
        Decimal("210000.00"),
        [(p, a, planned) for p, a, planned in zip(percents, old, [False, False, True, True], strict=True)],
    )
    assert new == [Decimal("70000.00"), Decimal("70000.00"), Decimal("52500.00"), Decimal("17500.00")]


@given(
    price=prices,
    percents=splits,
    called=st.integers(min_value=0, max_value=11),
    new_price=prices,
)
def test_a_new_price_at_least_the_called_amounts_is_spread_to_the_cent(price, percents, called, new_price):
    called = min(called, len(percents) - 1)  # at least one tranche not yet called
    tranches = [
        (percent, amount, index >= called)
        for index, (percent, amount) in enumerate(
            zip(percents, tranche_amounts(price, percents), strict=True)
        )
    ]
    already = sum(amount for _p, amount, planned in tranches if not planned)
    if new_price < already:
        with pytest.raises(RepriceError):
            tranche_amounts_reprice(new_price, tranches)
        return
    amounts = tranche_amounts_reprice(new_price, tranches)
    assert sum(amounts) == new_price
    assert all(amount >= 0 for amount in amounts)
    assert amounts[:called] == [amount for _p, amount, _planned in tranches[:called]]


def test_a_price_below_what_was_called_is_refused_in_words():
    tranches = [(Decimal("50"), Decimal("500.00"), False), (Decimal("50"), Decimal("500.00"), True)]
    with pytest.raises(RepriceError, match=r"below the amounts already called \(500.00\)"):
        tranche_amounts_reprice(Decimal("499.99"), tranches)
    assert tranche_amounts_reprice(Decimal("500.00"), tranches) == [Decimal("500.00"), Decimal("0.00")]


def test_a_schedule_wholly_called_cannot_take_a_new_price():
    tranches = [(Decimal("100"), Decimal("1000.00"), False)]
    with pytest.raises(RepriceError, match="needs a tranche not yet called"):
        tranche_amounts_reprice(Decimal("1200.00"), tranches)
    assert tranche_amounts_reprice(Decimal("1000.00"), tranches) == [Decimal("1000.00")]
