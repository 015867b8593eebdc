"""money_format reads each locale's pattern once; it writes what babel's format_currency writes."""

import random
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation

from portal.money import money_format, money_round
from programmes.models import Programme

AMOUNTS = [
    Decimal(value) for value in ["0", "0.004", "0.005", "-0.005", "1", "-1", "999.995", "-1234567.891"]
]
_draw = random.Random(42)
AMOUNTS += [Decimal(_draw.randint(-(10**11), 10**11)) / 100 for _ in range(200)]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES] + ["de", "en-us"])
@pytest.mark.parametrize("currency", [*Programme.Currency.values, "USD", "JPY", "CHF"])
def test_every_amount_reads_as_babel_writes_it(language, currency):
    locale = translation.to_locale(language)
    for amount in AMOUNTS:
        assert money_format(amount, currency, language) == format_currency(
            money_round(amount), currency, locale=locale
        )


def test_the_active_language_is_the_default():
    with translation.override("pl"):
        assert money_format(Decimal("1234.5"), "PLN") == "1\xa0234,50\xa0zł"
