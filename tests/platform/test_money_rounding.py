"""Rounding to the cent for legal limits: a maximum rounds down, a minimum rounds up."""

from decimal import Decimal

import pytest

from portal.money import money_ceil, money_floor


@pytest.mark.parametrize(
    ("amount", "floor", "ceil"),
    [
        ("5000.005", "5000.00", "5000.01"),
        ("246.9051", "246.90", "246.91"),
        ("1000.00", "1000.00", "1000.00"),
        ("0.001", "0.00", "0.01"),
    ],
)
def test_a_maximum_rounds_down_and_a_minimum_rounds_up_to_the_cent(amount, floor, ceil):
    assert money_floor(Decimal(amount)) == Decimal(floor)
    assert money_ceil(Decimal(amount)) == Decimal(ceil)
    assert str(money_floor(amount)) == floor  # two places, whatever was given
