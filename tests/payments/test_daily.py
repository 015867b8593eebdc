"""The daily jobs (PAY-7, PAY-2): reminders 3 and 7 days after the request, each once however often
the job runs; links that ran out expire and the advisor hears of it; an expired request renewed."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from payments.links import payment_link_token, payment_link_url
from payments.models import Payment, PaymentEvent, Status
from payments.selectors import payment_for_link
from payments.services.daily import payments_expire, payments_send_reminders
from payments.services.money import payment_record_transfer
from payments.services.requests import payment_cancel, payment_link_renew
from payments.tasks import payments_daily
from portal.alerts.models import Alert
from portal.outbox.models import OutboxMessage
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import payment_settings_make, sale_with_buyer_make

pytestmark = pytest.mark.django_db

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def payment(advisor, time_machine):
    time_machine.move_to(SENT_AT, tick=False)
    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer")
    return request_make(actor=advisor, sale=sale, amount="800.00", reference="INV-3", channel="both")


def reminders(payment: Payment) -> list[str]:
    """The reminders written for the payment, as "<number>:<channel>" of its current link."""
    payment.refresh_from_db()
    prefix = f"payment-reminder:{payment.pk}:{payment.link_nonce}:"
    keys = OutboxMessage.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    return sorted(key.removeprefix(prefix) for key in keys)


def at(time_machine, days: float) -> None:
    time_machine.move_to(SENT_AT + timedelta(days=days), tick=False)


def test_the_first_reminder_goes_three_days_after_the_request_by_the_request_s_channels(
    payment, time_machine
):
    at(time_machine, 2.9)
    assert payments_send_reminders() == 0

    at(time_machine, 3)
    assert payments_send_reminders() == 1

    assert reminders(payment) == ["1:email", "1:sms"]
    email = OutboxMessage.objects.get(key=f"payment-reminder:{payment.pk}:{payment.link_nonce}:1:email")
    assert email.recipients == [payment.buyer.email]
    assert payment_link_url(payment) in email.text
    assert list(payment.events.filter(kind="reminded").values_list("data", flat=True)) == [{"number": 1}]


def test_each_reminder_goes_once_even_when_the_job_runs_twice_a_day(payment, time_machine):
    sent = []
    for day in (3, 3.5, 4, 7, 7.5, 8, 13):
        at(time_machine, day)
        sent.append(payments_send_reminders())

    assert sent == [1, 0, 0, 1, 0, 0, 0]
    assert reminders(payment) == ["1:email", "1:sms", "2:email", "2:sms"]
    assert PaymentEvent.objects.filter(payment=payment, kind="reminded").count() == 2


def test_a_programme_may_choose_other_reminder_days(advisor, time_machine):
    time_machine.move_to(SENT_AT, tick=False)
    programme = ProgrammeFactory()
    payment_settings_make(programme, reminder_days="1,5")
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))

    sent = []
    for day in (1, 3, 5):
        at(time_machine, day)
        sent.append(payments_send_reminders())

    assert sent == [1, 0, 1]
    assert reminders(payment) == ["1:email", "2:email"]


def test_no_reminder_for_a_request_paid_or_cancelled(payment, advisor, accountant, time_machine):
    other = request_make(actor=advisor, sale=payment.sale, reference="INV-4")
    payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal("800.00"), received_on=date(2026, 3, 3)
    )
    payment_cancel(actor=advisor, payment=other)

    at(time_machine, 3)

    assert payments_send_reminders() == 0
    assert OutboxMessage.objects.filter(key__startswith="payment-reminder:").count() == 0


def test_a_request_whose_link_ran_out_expires_and_the_advisor_is_told(payment, advisor, time_machine):
    at(time_machine, 13.9)
    assert payments_expire() == 0

    at(time_machine, 14)
    assert payments_expire() == 1
    assert payments_expire() == 0

    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.status_changed_at) == (Status.EXPIRED, SENT_AT + timedelta(days=14))
    [alert] = Alert.objects.filter(user=advisor)
    assert alert.text == (
        f"The payment request of €800.00 to Anna Buyer expired unpaid (INV-3, sale {payment.sale.reference})."
    )
    email = OutboxMessage.objects.get(key=f"staff-payment-expired:{payment.pk}:{payment.link_nonce}:email")
    assert email.recipients == [advisor.email]


def test_a_programme_may_keep_links_valid_longer(advisor, time_machine):
    time_machine.move_to(SENT_AT, tick=False)
    programme = ProgrammeFactory()
    payment_settings_make(programme, link_valid_days=30)
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))

    at(time_machine, 29)
    assert payments_expire() == 0
    at(time_machine, 30)
    assert payments_expire() == 1
    assert Payment.objects.get(pk=payment.pk).status == Status.EXPIRED


def test_an_expired_request_renewed_is_to_pay_again_with_a_new_link(payment, advisor, time_machine):
    old_token = payment_link_token(payment)
    at(time_machine, 15)
    payments_expire()

    renewed = payment_link_renew(actor=advisor, payment=payment)

    assert renewed.status == Status.TO_PAY
    assert renewed.link_expires_at == SENT_AT + timedelta(days=15 + 14)
    assert payment_for_link(old_token) is None
    assert payment_for_link(payment_link_token(renewed)) == renewed
    email = OutboxMessage.objects.get(key=f"payment-request:{renewed.pk}:{renewed.link_nonce}:email")
    assert payment_link_url(renewed) in email.text
    statuses = list(renewed.events.filter(kind="status_changed").values_list("data__to", flat=True))
    assert statuses == ["expired", "to_pay"]


def test_the_daily_task_expires_then_reminds(payment, advisor, time_machine):
    at(time_machine, 11)
    fresh_request = request_make(actor=advisor, sale=payment.sale, reference="INV-5")

    at(time_machine, 14)
    payments_daily.delay()

    assert Payment.objects.get(pk=payment.pk).status == Status.EXPIRED
    assert reminders(fresh_request) == ["1:email"]
    assert reminders(payment) == []


def test_a_renewed_request_is_reminded_again_from_the_day_its_new_link_went_out(
    payment, advisor, time_machine
):
    for day in (3, 7, 14):
        at(time_machine, day)
        payments_send_reminders()
        payments_expire()
    at(time_machine, 15)
    renewed = payment_link_renew(actor=advisor, payment=payment)

    sent = []
    for day in (15, 16, 18, 22):
        at(time_machine, day)
        sent.append(payments_send_reminders())

    assert sent == [0, 0, 1, 1]
    assert reminders(renewed) == ["1:email", "1:sms", "2:email", "2:sms"]
    assert PaymentEvent.objects.filter(payment=payment, kind="reminded").count() == 4
