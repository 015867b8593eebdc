"""How much deposit a sale asks for, and the legal cap it must stay within (PAY-1).

France (Code de la construction, R261-28): at most 5 % of the price when the deed is expected
within one year of the reservation, 2 % within two years, and no deposit at all beyond.
Poland (ustawa deweloperska, art. 29): the reservation fee is at most 1 % of the price.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import PaymentError
from payments.models import DepositOverride, PaymentSettings
from portal.money import money_format, money_round
from programmes.models import Programme


@dataclass(frozen=True)
class DepositCap:
    amount: Decimal
    rule: str  # the rule in words, named when an amount is refused


def _anniversary(start: date, years: int) -> date:
    """The same day `years` later; a 29 February falls on the 28th in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def deposit_cap(sale) -> DepositCap | None:
    """The most this sale's deposit may be, or None where the country sets no cap."""
    country = sale.programme.country
    if country == Programme.Country.PL:
        return DepositCap(
            money_round(sale.price * Decimal("0.01")),
            _("Polish law caps the reservation fee at 1 % of the price."),
        )
    if country != Programme.Country.FR:
        return None
    if sale.deed_planned_on is None:
        raise PaymentError(
            _(
                "In France the deposit cap depends on when the deed is expected: "
                "give the sale's planned deed date first."
            )
        )
    reserved_on = sale.reservation_signed_on or timezone.localdate()
    # Calendar years, not 365-day ones: a deed on the anniversary is within the year, leap day or not.
    if sale.deed_planned_on <= _anniversary(reserved_on, 1):
        return DepositCap(
            money_round(sale.price * Decimal("0.05")),
            _("French law caps the deposit at 5 % of the price when the deed is expected within one year."),
        )
    if sale.deed_planned_on <= _anniversary(reserved_on, 2):
        return DepositCap(
            money_round(sale.price * Decimal("0.02")),
            _("French law caps the deposit at 2 % of the price when the deed is expected within two years."),
        )
    return DepositCap(
        Decimal("0.00"),
        _(
            "French law forbids a deposit when the deed is expected more than two years after the reservation."
        ),
    )


def deposit_check(sale, amount: Decimal) -> None:
    """Refuse an amount above the legal cap, naming the rule."""
    cap = deposit_cap(sale)
    if cap is not None and amount > cap.amount:
        raise PaymentError(
            _("A deposit of %(amount)s is above the legal cap of %(cap)s. %(rule)s")
            % {
                "amount": money_format(amount, sale.programme.currency),
                "cap": money_format(cap.amount, sale.programme.currency),
                "rule": cap.rule,
            }
        )


def deposit_amount_for(sale, rules: PaymentSettings) -> Decimal:
    """The sale's own deposit if staff set one, else the programme's rule; checked against the cap."""
    override = DepositOverride.objects.filter(sale=sale).first()
    if override is not None:
        amount = override.amount
    elif rules.deposit_kind == PaymentSettings.DepositKind.FIXED:
        amount = rules.deposit_amount or Decimal("0.00")
    else:
        amount = money_round(sale.price * rules.deposit_percent / 100)
    if amount <= 0:
        raise PaymentError(_("This sale's deposit rule gives no amount to ask for."))
    deposit_check(sale, amount)
    return amount
