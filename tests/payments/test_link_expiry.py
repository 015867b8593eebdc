"""A payment link never expires before the end of the payment's due date (programme's time zone)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from payments.models import Payment, PaymentSettings
from payments.services.requests import payment_link_renew, payment_request_create
from tests.factories import ProgrammeFactory
from tests.payments.factories import sale_with_buyer_make

pytestmark = pytest.mark.django_db

# 1 March 2027, 10:00 in Paris; the programme gives links 14 days.
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def ask(advisor, *, due_on: date | None, time_zone: str = "Europe/Paris") -> Payment:
    programme = ProgrammeFactory(time_zone=time_zone)
    PaymentSettings.objects.create(programme=programme, link_valid_days=14)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme)
    return payment_request_create(
        actor=advisor, sale=sale, amount=Decimal("1000.00"), reference="INV-1", due_on=due_on
    )


@time_machine.travel(NOW, tick=False)
def test_a_link_is_valid_until_the_end_of_a_due_date_later_than_its_validity(advisor):
    payment = ask(advisor, due_on=date(2027, 3, 31))
    # The end of 31 March in Paris (summer time from 28 March): 1 April 00:00 +02:00.
    assert payment.link_expires_at == datetime(2027, 3, 31, 22, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_a_due_date_on_the_last_day_of_the_validity_keeps_the_link_to_that_day_s_end(advisor):
    # 14 days from now end on 15 March 10:00; the due date 15 March runs until midnight.
    payment = ask(advisor, due_on=date(2027, 3, 15))
    assert payment.link_expires_at == datetime(2027, 3, 15, 23, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_a_due_date_before_the_end_of_the_validity_leaves_the_validity(advisor):
    payment = ask(advisor, due_on=date(2027, 3, 14))  # ends 14 March 23:00 UTC, before 15 March 09:00
    assert payment.link_expires_at == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_a_request_without_a_due_date_keeps_the_programme_s_validity(advisor):
    assert ask(advisor, due_on=None).link_expires_at == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_the_end_of_the_due_date_is_midnight_in_the_programme_s_time_zone(advisor):
    payment = ask(advisor, due_on=date(2027, 3, 31), time_zone="America/Guadeloupe")  # UTC-4
    assert payment.link_expires_at == datetime(2027, 4, 1, 4, 0, tzinfo=UTC)


def test_a_renewed_link_also_lasts_until_the_end_of_the_due_date(advisor):
    with time_machine.travel(NOW, tick=False):
        payment = ask(advisor, due_on=date(2027, 3, 31))
    with time_machine.travel(datetime(2027, 3, 20, 9, 0, tzinfo=UTC), tick=False):
        renewed = payment_link_renew(actor=advisor, payment=payment)
    # 14 days from 20 March reach 3 April 09:00, past the due date: the validity wins.
    assert renewed.link_expires_at == datetime(2027, 4, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2027, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        renewed = payment_link_renew(actor=advisor, payment=renewed)
    assert renewed.link_expires_at == datetime(2027, 3, 31, 22, 0, tzinfo=UTC)
