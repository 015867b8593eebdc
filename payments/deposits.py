"""How much deposit a sale asks for, and the legal cap it must stay within (PAY-1).

France (Code de la construction et de l'habitation, L261-15 and R261-28): at most 5 % of the
price when the deed is expected within one year of the reservation, 2 % within two years, and no
deposit at all beyond. Poland (ustawa deweloperska of 20 May 2021, art. 29): the reservation fee
is at most 1 % of the price.

A cap is a statutory maximum, so it rounds down to the cent: 5 % of 100,000.10 is 5,000.005, and
5,000.01 would be above what the law allows.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import PaymentError
from payments.models import DepositOverride, PaymentSettings
from portal.money import money_floor, money_format, money_round
from programmes.models import Programme
from sales.models import Sale


@dataclass(frozen=True)
class DepositCap:
    amount: Decimal
    percent: Decimal  # of the price; the amount is this share rounded down to the cent
    rule: str  # the rule in words, named when an amount is refused
    article: str  # where the law says it


def _share(price: Decimal, percent: Decimal) -> Decimal:
    return price * percent / 100


def _cap(price: Decimal, percent: str, rule: str, article: str) -> DepositCap:
    share = Decimal(percent)
    return DepositCap(amount=money_floor(_share(price, share)), percent=share, rule=rule, article=article)


def _anniversary(start: date, years: int) -> date:
    """The same day `years` later; a 29 February falls on the 28th in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def deposit_cap(sale: Sale) -> DepositCap | None:
    """The most this sale's deposit may be, or None where the country sets no cap."""
    country = sale.programme.country
    if country == Programme.Country.PL:
        return _cap(
            sale.price,
            "1",
            _("Polish law caps the reservation fee at 1 % of the price."),
            _("Polish Developer Act of 20 May 2021, art. 29"),
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
    article = _("Code de la construction et de l'habitation, art. L261-15 and R261-28")
    # Calendar years, not 365-day ones: a deed on the anniversary is within the year, leap day or not.
    if sale.deed_planned_on <= _anniversary(reserved_on, 1):
        return _cap(
            sale.price,
            "5",
            _("French law caps the deposit at 5 % of the price when the deed is expected within one year."),
            article,
        )
    if sale.deed_planned_on <= _anniversary(reserved_on, 2):
        return _cap(
            sale.price,
            "2",
            _("French law caps the deposit at 2 % of the price when the deed is expected within two years."),
            article,
        )
    return _cap(
        sale.price,
        "0",
        _(
            "French law forbids a deposit when the deed is expected more than two years after the reservation."
        ),
        article,
    )


def deposit_check(sale: Sale, amount: Decimal) -> None:
    """Refuse an amount above the legal cap, naming the rule."""
    _cap_enforce(sale, amount, deposit_cap(sale))


def _cap_enforce(sale: Sale, amount: Decimal, cap: DepositCap | None) -> None:
    if cap is not None and amount > cap.amount:
        raise PaymentError(
            _("A deposit of %(amount)s is above the legal cap of %(cap)s (%(article)s). %(rule)s")
            % {
                "amount": money_format(amount, sale.programme.currency),
                "cap": money_format(cap.amount, sale.programme.currency),
                "article": cap.article,
                "rule": cap.rule,
            }
        )


def deposit_amount_for(sale: Sale, rules: PaymentSettings) -> Decimal:
    """The sale's own deposit if staff set one, else the programme's rule; checked against the cap."""
    cap = deposit_cap(sale)
    override = DepositOverride.objects.filter(sale=sale).first()
    if override is not None:
        amount = override.amount
    elif rules.deposit_kind == PaymentSettings.DepositKind.FIXED:
        amount = rules.deposit_amount or Decimal("0.00")
    else:
        amount = money_round(_share(sale.price, rules.deposit_percent))
        if cap is not None and rules.deposit_percent <= cap.percent:
            # The rule's share is within the law's: only rounding could take it above the cap,
            # which rounds down, so the rule asks the cap itself (5 % of 100,000.10 is 5,000.00).
            amount = min(amount, cap.amount)
    if amount <= 0:
        raise PaymentError(_("This sale's deposit rule gives no amount to ask for."))
    _cap_enforce(sale, amount, cap)
    return amount
