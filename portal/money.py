"""Money is a Decimal with two places and a currency; this module formats and rounds it."""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_symbol, parse_pattern
from django.utils import translation

CENT = Decimal("0.01")


def money_round(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def money_floor(amount: Decimal | int | str) -> Decimal:
    """Down to the cent: a statutory maximum, which half a cent more would exceed."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_FLOOR)


def money_ceil(amount: Decimal | int | str) -> Decimal:
    """Up to the cent: a statutory minimum, which half a cent less would fall short of."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_CEILING)


@lru_cache(maxsize=64)
def _currency_format(locale_name: str, currency: str) -> tuple[Locale, NumberPattern]:
    """The locale and its standard currency pattern, read once: lists format many amounts.

    When the pattern shows the currency by its symbol (a single ¤, as in every locale of the
    portal), the symbol is written into the pattern now, as quoted literal text; babel otherwise
    looks up the currency's name and symbol again for every amount."""
    locale = Locale.parse(locale_name)
    pattern = locale.currency_formats["standard"]
    if "¤¤" not in pattern.pattern:
        symbol = get_currency_symbol(currency, locale).replace("'", "''")
        pattern = parse_pattern(pattern.pattern.replace("¤", f"'{symbol}'"))
    return locale, pattern


def money_format(amount: Decimal, currency: str, language: str | None = None) -> str:
    """`1234.5, "EUR", "fr"` gives "1 234,50 €"; `"PLN", "pl"` gives "1 234,50 zł".

    What babel's format_currency(amount, currency, locale=...) writes, with the pattern read once."""
    locale, pattern = _currency_format(
        translation.to_locale(language or translation.get_language() or "fr"), currency
    )
    return pattern.apply(money_round(amount), locale, currency=currency)
