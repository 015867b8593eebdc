"""Deposits (PAY-1): the programme's rule, the sale's own amount, the legal caps, and the request
that goes out by itself when a sale reaches the programme's stage."""

from datetime import date
from decimal import Decimal

import pytest

from payments.deposits import deposit_amount_for, deposit_cap
from payments.errors import PaymentError
from payments.models import DepositOverride, Payment, PaymentEvent, PaymentSettings, Status
from payments.selectors import payment_settings_for
from payments.services.requests import deposit_request
from portal.alerts.models import Alert
from portal.outbox.models import OutboxMessage
from sales.models import Stage
from sales.services import sale_move_stage
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import (
    deed_within,
    payment_settings_make,
    polish_programme_make,
    sale_with_buyer_make,
    stage_reach,
)

pytestmark = pytest.mark.django_db

FIVE_PERCENT = "French law caps the deposit at 5 % of the price when the deed is expected within one year."
TWO_PERCENT = "French law caps the deposit at 2 % of the price when the deed is expected within two years."
NO_DEPOSIT = (
    "French law forbids a deposit when the deed is expected more than two years after the reservation."
)
POLISH = "Polish law caps the reservation fee at 1 % of the price."
FRENCH_ARTICLE = "Code de la construction et de l'habitation, art. L261-15 and R261-28"
POLISH_ARTICLE = "Polish Developer Act of 20 May 2021, art. 29"
NO_DEED_DATE = (
    "In France the deposit cap depends on when the deed is expected: give the sale's planned deed date first."
)


# The programme's rule and the sale's own amount ---------------------------------------------------


def test_a_percentage_rule_asks_that_share_of_the_price(advisor):
    programme = ProgrammeFactory()
    rules = payment_settings_make(programme, deposit_percent=Decimal("3.50"))
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(200))

    assert deposit_amount_for(sale, rules) == Decimal("7000.00")


def test_a_percentage_is_rounded_to_the_cent(advisor):
    programme = ProgrammeFactory()
    rules = payment_settings_make(programme, deposit_percent=Decimal("2.00"))
    sale = sale_with_buyer_make(
        advisor=advisor, programme=programme, price="123456.78", deed_planned_on=deed_within(200)
    )

    assert deposit_amount_for(sale, rules) == Decimal("2469.14")


def test_a_fixed_rule_asks_the_same_amount_of_every_sale(advisor):
    programme = ProgrammeFactory()
    rules = payment_settings_make(
        programme, deposit_kind=PaymentSettings.DepositKind.FIXED, deposit_amount=Decimal("3000.00")
    )
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(200))

    assert deposit_amount_for(sale, rules) == Decimal("3000.00")


def test_a_sale_s_own_amount_overrides_the_programme_s_rule(advisor):
    programme = ProgrammeFactory()
    rules = payment_settings_make(programme, deposit_percent=Decimal("2.00"))
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(200))
    DepositOverride.objects.create(sale=sale, amount=Decimal("1500.00"), reason="Agreed with the buyer")

    assert deposit_amount_for(sale, rules) == Decimal("1500.00")


def test_a_programme_without_saved_settings_asks_two_percent_at_the_reservation():
    rules = payment_settings_for(ProgrammeFactory())

    assert rules._state.adding
    assert (rules.deposit_kind, rules.deposit_percent) == ("percent", Decimal("2.00"))
    assert rules.deposit_request_stage == Stage.RESERVATION_SIGNED
    assert rules.link_valid_days == 14


# Legal caps ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deed_planned_on", "cap", "rule"),
    [
        (date(2026, 9, 1), "10000.00", FIVE_PERCENT),
        (date(2027, 3, 1), "10000.00", FIVE_PERCENT),  # exactly one year
        (date(2027, 3, 2), "4000.00", TWO_PERCENT),
        (date(2028, 3, 1), "4000.00", TWO_PERCENT),  # exactly two years, 29 February between
        (date(2028, 3, 2), "0.00", NO_DEPOSIT),
    ],
)
def test_france_caps_the_deposit_by_how_far_the_deed_is_from_the_reservation(
    advisor, deed_planned_on, cap, rule
):
    sale = sale_with_buyer_make(
        advisor=advisor, reservation_signed_on=date(2026, 3, 1), deed_planned_on=deed_planned_on
    )

    assert deposit_cap(sale).amount == Decimal(cap)
    assert deposit_cap(sale).rule == rule


def test_a_deed_exactly_one_year_after_a_reservation_across_a_leap_day_still_allows_five_percent(advisor):
    sale = sale_with_buyer_make(
        advisor=advisor, reservation_signed_on=date(2027, 3, 1), deed_planned_on=date(2028, 3, 1)
    )

    assert deposit_cap(sale).rule == FIVE_PERCENT


def test_a_deed_exactly_two_years_after_a_reservation_across_a_leap_day_still_allows_two_percent(advisor):
    sale = sale_with_buyer_make(
        advisor=advisor, reservation_signed_on=date(2027, 1, 10), deed_planned_on=date(2029, 1, 10)
    )

    assert deposit_cap(sale).rule == TWO_PERCENT


def test_a_reservation_on_a_leap_day_has_its_anniversary_on_the_28th_of_february(advisor):
    on_the_28th = sale_with_buyer_make(
        advisor=advisor, reservation_signed_on=date(2028, 2, 29), deed_planned_on=date(2029, 2, 28)
    )
    on_the_1st = sale_with_buyer_make(
        advisor=advisor, reservation_signed_on=date(2028, 2, 29), deed_planned_on=date(2029, 3, 1)
    )

    assert (deposit_cap(on_the_28th).rule, deposit_cap(on_the_1st).rule) == (FIVE_PERCENT, TWO_PERCENT)


def test_a_deposit_above_the_french_cap_is_refused_with_the_rule_named(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, deposit_percent=Decimal("3.00"))
    sale = sale_with_buyer_make(
        advisor=advisor,
        programme=programme,
        reservation_signed_on=date(2026, 3, 1),
        deed_planned_on=date(2027, 9, 1),
    )

    with pytest.raises(PaymentError) as refused:
        deposit_request(actor=advisor, sale=sale)

    assert (
        str(refused.value)
        == f"A deposit of €6,000.00 is above the legal cap of €4,000.00 ({FRENCH_ARTICLE}). {TWO_PERCENT}"
    )
    assert Payment.objects.count() == 0


def test_no_deposit_may_be_asked_when_the_deed_is_more_than_two_years_away(advisor):
    sale = sale_with_buyer_make(
        advisor=advisor, reservation_signed_on=date(2026, 3, 1), deed_planned_on=date(2028, 6, 1)
    )

    with pytest.raises(PaymentError) as refused:
        deposit_request(actor=advisor, sale=sale)

    assert (
        str(refused.value)
        == f"A deposit of €4,000.00 is above the legal cap of €0.00 ({FRENCH_ARTICLE}). {NO_DEPOSIT}"
    )


def test_a_french_deposit_without_a_planned_deed_date_is_refused(advisor):
    sale = sale_with_buyer_make(advisor=advisor, reservation_signed_on=date(2026, 3, 1))

    with pytest.raises(PaymentError) as refused:
        deposit_request(actor=advisor, sale=sale)

    assert str(refused.value) == NO_DEED_DATE
    assert Payment.objects.count() == 0


def test_poland_caps_the_reservation_fee_at_one_percent(advisor):
    programme = polish_programme_make()
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, price="500000.00")

    assert deposit_cap(sale).amount == Decimal("5000.00")
    assert deposit_cap(sale).rule == POLISH


def test_a_polish_fee_above_one_percent_is_refused_with_the_rule_named(advisor):
    programme = polish_programme_make()
    payment_settings_make(programme, deposit_percent=Decimal("2.00"))
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, price="500000.00")

    with pytest.raises(PaymentError) as refused:
        deposit_request(actor=advisor, sale=sale)

    assert (
        str(refused.value)
        == f"A deposit of PLN10,000.00 is above the legal cap of PLN5,000.00 ({POLISH_ARTICLE}). {POLISH}"
    )


def test_a_polish_fee_within_one_percent_is_asked_in_zloty(advisor):
    programme = polish_programme_make()
    payment_settings_make(programme, deposit_percent=Decimal("1.00"))
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, price="500000.00")

    payment = deposit_request(actor=advisor, sale=sale)

    assert (payment.kind, payment.amount, payment.currency) == ("deposit", Decimal("5000.00"), "PLN")


def test_a_sale_s_own_amount_must_stay_within_the_cap_too(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme)
    sale = sale_with_buyer_make(
        advisor=advisor,
        programme=programme,
        reservation_signed_on=date(2026, 3, 1),
        deed_planned_on=date(2026, 12, 1),
    )
    DepositOverride.objects.create(sale=sale, amount=Decimal("12000.00"))

    with pytest.raises(PaymentError) as refused:
        deposit_request(actor=advisor, sale=sale)

    assert (
        str(refused.value)
        == f"A deposit of €12,000.00 is above the legal cap of €10,000.00 ({FRENCH_ARTICLE}). {FIVE_PERCENT}"
    )


def test_a_second_live_deposit_for_one_sale_is_refused(advisor):
    sale = sale_with_buyer_make(advisor=advisor, deed_planned_on=deed_within(200))
    deposit_request(actor=advisor, sale=sale)

    with pytest.raises(PaymentError) as refused:
        deposit_request(actor=advisor, sale=sale)

    assert str(refused.value) == "This sale already has a deposit request that is open or paid."
    assert Payment.objects.filter(sale=sale).count() == 1


# Rounding at the exact boundary: a legal maximum rounds down to the cent --------------------------


def _french_sale(advisor, price: str, *, deed_in_years: int, **fields):
    # The reservation is signed on 1 March 2026; the deed lies within one or within two years.
    deed = date(2027, 3, 1) if deed_in_years == 1 else date(2028, 3, 1)
    return sale_with_buyer_make(
        advisor=advisor, price=price, reservation_signed_on=date(2026, 3, 1), deed_planned_on=deed, **fields
    )


def _polish_sale(advisor, price: str, **fields):
    return sale_with_buyer_make(advisor=advisor, programme=polish_programme_make(), price=price, **fields)


# Each price gives a share ending in half a cent (or more), which half-up rounding would raise.
BOUNDARIES = [
    # (country, deed within years, price, the exact share, the cap, the rule, the article)
    ("FR", 1, "100000.10", "5000.005", "5000.00", FIVE_PERCENT, FRENCH_ARTICLE),
    ("FR", 1, "12345.30", "617.265", "617.26", FIVE_PERCENT, FRENCH_ARTICLE),
    ("FR", 2, "100000.25", "2000.005", "2000.00", TWO_PERCENT, FRENCH_ARTICLE),
    ("FR", 2, "12345.25", "246.905", "246.90", TWO_PERCENT, FRENCH_ARTICLE),
    ("PL", None, "100000.50", "1000.005", "1000.00", POLISH, POLISH_ARTICLE),
    ("PL", None, "12345.50", "123.455", "123.45", POLISH, POLISH_ARTICLE),
]


def _boundary_sale(advisor, country, years, price, **fields):
    if country == "PL":
        return _polish_sale(advisor, price, **fields)
    return _french_sale(advisor, price, deed_in_years=years, **fields)


@pytest.mark.parametrize(("country", "years", "price", "share", "cap", "rule", "article"), BOUNDARIES)
def test_a_legal_cap_rounds_down_to_the_cent(advisor, country, years, price, share, cap, rule, article):
    sale = _boundary_sale(advisor, country, years, price)

    assert deposit_cap(sale).amount == Decimal(cap)
    assert deposit_cap(sale).amount < Decimal(share)
    assert deposit_cap(sale).rule == rule
    assert deposit_cap(sale).article == article


@pytest.mark.parametrize(("country", "years", "price", "share", "cap", "rule", "article"), BOUNDARIES)
def test_a_deposit_exactly_at_the_cap_goes_out_and_a_cent_more_is_refused_naming_the_article(
    advisor, country, years, price, share, cap, rule, article
):
    at_cap = _boundary_sale(advisor, country, years, price)
    DepositOverride.objects.create(sale=at_cap, amount=Decimal(cap))
    above = _boundary_sale(advisor, country, years, price)
    DepositOverride.objects.create(sale=above, amount=Decimal(cap) + Decimal("0.01"))

    assert deposit_request(actor=advisor, sale=at_cap).amount == Decimal(cap)
    with pytest.raises(PaymentError) as refused:
        deposit_request(actor=advisor, sale=above)

    assert article in str(refused.value)
    assert str(refused.value).endswith(rule)
    assert Payment.objects.filter(sale=above).count() == 0


@pytest.mark.parametrize(("country", "years", "price", "share", "cap", "rule", "article"), BOUNDARIES)
def test_a_programme_rule_of_exactly_the_legal_share_asks_the_cap_not_a_cent_more(
    advisor, country, years, price, share, cap, rule, article
):
    percent = {(None, "PL"): "1.00", (1, "FR"): "5.00", (2, "FR"): "2.00"}[(years, country)]
    sale = _boundary_sale(advisor, country, years, price)
    rules = payment_settings_make(sale.programme, deposit_percent=Decimal(percent))

    assert deposit_amount_for(sale, rules) == Decimal(cap)
    assert deposit_request(actor=advisor, sale=sale).amount == Decimal(cap)


def test_a_programme_rule_below_the_legal_share_keeps_its_ordinary_rounding(advisor):
    sale = _french_sale(advisor, "12345.30", deed_in_years=1)
    rules = payment_settings_make(sale.programme, deposit_percent=Decimal("2.00"))

    # 2 % of 12,345.30 is 246.906: well under the 5 % cap, rounded to the nearest cent.
    assert deposit_amount_for(sale, rules) == Decimal("246.91")


def test_a_programme_rule_a_hair_above_the_legal_share_is_refused_not_trimmed(advisor):
    sale = _french_sale(advisor, "100000.10", deed_in_years=1)
    rules = payment_settings_make(sale.programme, deposit_percent=Decimal("5.01"))

    with pytest.raises(PaymentError) as refused:
        deposit_amount_for(sale, rules)

    assert str(refused.value) == (
        f"A deposit of €5,010.01 is above the legal cap of €5,000.00 ({FRENCH_ARTICLE}). {FIVE_PERCENT}"
    )


# The request at the programme's stage ------------------------------------------------------------


def test_the_deposit_goes_out_by_itself_when_the_sale_reaches_the_programme_s_stage(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, deposit_request_stage=Stage.RESERVATION_SIGNED)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(300))

    sale_move_stage(actor=advisor, sale=sale, target=Stage.RESERVATION_SIGNED)

    [payment] = Payment.objects.filter(sale=sale)
    assert (payment.kind, payment.amount, payment.status) == ("deposit", Decimal("4000.00"), Status.TO_PAY)
    assert payment.requested_by == advisor
    assert OutboxMessage.objects.filter(
        key=f"payment-request:{payment.pk}:{payment.link_nonce}:email"
    ).exists()


def test_no_deposit_goes_out_at_the_other_stages(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, deposit_request_stage=Stage.WITHDRAWAL_PERIOD)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(300))

    sale = sale_move_stage(actor=advisor, sale=sale, target=Stage.RESERVATION_SIGNED)
    assert Payment.objects.filter(sale=sale).count() == 0

    sale = sale_move_stage(actor=advisor, sale=sale, target=Stage.WITHDRAWAL_PERIOD)
    assert Payment.objects.filter(sale=sale).count() == 1

    stage_reach(sale, Stage.FINANCING, actor=advisor)
    assert Payment.objects.filter(sale=sale).count() == 1


def test_a_programme_that_asks_by_hand_only_sends_nothing_at_any_stage(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, deposit_request_stage="")
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(300))

    stage_reach(sale, Stage.FINANCING, actor=advisor)

    assert Payment.objects.filter(sale=sale).count() == 0


def test_a_deposit_already_asked_by_hand_is_not_asked_again_at_the_stage(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, deposit_request_stage=Stage.RESERVATION_SIGNED)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(300))
    by_hand = deposit_request(actor=advisor, sale=sale)

    sale_move_stage(actor=advisor, sale=sale, target=Stage.RESERVATION_SIGNED)

    assert list(Payment.objects.filter(sale=sale)) == [by_hand]
    assert Alert.objects.count() == 0


def test_a_deposit_that_cannot_go_out_at_the_stage_leaves_the_move_and_alerts_the_advisor(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, deposit_request_stage=Stage.RESERVATION_SIGNED)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme)  # no planned deed date

    sale = sale_move_stage(actor=advisor, sale=sale, target=Stage.RESERVATION_SIGNED)

    sale.refresh_from_db()
    assert sale.stage == Stage.RESERVATION_SIGNED
    assert Payment.objects.filter(sale=sale).count() == 0
    [alert] = Alert.objects.all()
    assert alert.user == advisor
    assert alert.text == f"The deposit of sale {sale.reference} was not requested: {NO_DEED_DATE}"
    assert alert.link == f"/admin/sales/sale/{sale.pk}/change/"


def test_a_deposit_above_the_cap_at_the_stage_tells_the_advisor_the_rule(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(
        programme,
        deposit_request_stage=Stage.RESERVATION_SIGNED,
        deposit_kind=PaymentSettings.DepositKind.FIXED,
        deposit_amount=Decimal("15000.00"),
    )
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(300))

    sale_move_stage(actor=advisor, sale=sale, target=Stage.RESERVATION_SIGNED)

    [alert] = Alert.objects.filter(user=advisor)
    assert alert.text == (
        f"The deposit of sale {sale.reference} was not requested: "
        f"A deposit of €15,000.00 is above the legal cap of €10,000.00 ({FRENCH_ARTICLE}). {FIVE_PERCENT}"
    )
    assert OutboxMessage.objects.count() == 0


def test_a_cancelled_sale_cancels_its_open_requests_and_keeps_what_was_paid(advisor, accountant):
    from payments.services.money import payment_record_transfer

    sale = sale_with_buyer_make(advisor=advisor, deed_planned_on=deed_within(300))
    deposit = deposit_request(actor=advisor, sale=sale)
    fees = request_make(actor=advisor, sale=sale, amount="250.00", reference="FEES-1")
    paid = request_make(actor=advisor, sale=sale, amount="100.00", reference="PAID-1")
    payment_record_transfer(
        actor=accountant, payment=paid, amount=Decimal("100.00"), received_on=date.today()
    )

    sale_move_stage(actor=advisor, sale=sale, target=Stage.CANCELLED)

    statuses = dict(Payment.objects.filter(sale=sale).values_list("reference", "status"))
    assert statuses == {
        deposit.reference: Status.CANCELLED,
        "FEES-1": Status.CANCELLED,
        "PAID-1": Status.PAID,
    }
    assert PaymentEvent.objects.filter(payment=fees, kind="status_changed", actor=advisor).count() == 1
