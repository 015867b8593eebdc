"""Money is a Decimal with two places and a currency; this module formats and rounds it."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency
from django.utils import translation

CENT = Decimal("0.01")


def money_round(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def money_format(amount: Decimal, currency: str, language: str | None = None) -> str:
    """`1234.5, "EUR", "fr"` gives "1 234,50 €"; `"PLN", "pl"` gives "1 234,50 zł"."""
    locale = translation.to_locale(language or translation.get_language() or "fr")
    return format_currency(money_round(amount), currency, locale=locale)
