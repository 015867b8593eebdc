"""What the purchase page and the dashboard say comes next, once payments are taken into account."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.services.money import payment_record_transfer
from payments.services.requests import deposit_request, payment_request_create
from sales.models import Sale, Stage
from sales.services import sale_move_stage
from tests.space.test_pages import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_withdrawal_period(anna_sale, advisor, settings, tmp_path):
    """Anna's sale in its withdrawal period, the deed planned: the deposit may be asked."""
    settings.MEDIA_ROOT = tmp_path / "private"
    Sale.objects.filter(pk=anna_sale.pk).update(deed_planned_on=timezone.localdate() + timedelta(days=300))
    for stage in [Stage.RESERVATION_SIGNED, Stage.WITHDRAWAL_PERIOD]:
        sale_move_stage(actor=advisor, sale=Sale.objects.get(pk=anna_sale.pk), target=stage)
    return Sale.objects.get(pk=anna_sale.pk)


def deposit_of(sale, advisor):
    from payments.models import Payment

    return Payment.objects.filter(sale=sale, kind=Payment.Kind.DEPOSIT).first() or deposit_request(
        actor=advisor, sale=sale
    )


def test_an_open_deposit_request_is_the_next_step_with_its_amount_due_date_and_payments_link(
    client, anna, in_withdrawal_period, advisor
):
    deposit = deposit_of(in_withdrawal_period, advisor)
    deposit.due_on = date(2027, 1, 15)
    deposit.save(update_fields=["due_on"])
    client.force_login(anna.user)
    response = client.get(reverse("space:sale", args=[in_withdrawal_period.pk]))
    words = text_of(response)
    amount = f"€{deposit.amount:,.2f}"
    assert f"What happens next Pay your deposit of {amount} by Jan. 15, 2027." in words
    assert f'href="{reverse("space:payments")}"' in response.content.decode()
    dashboard = text_of(client.get(reverse("space:dashboard")))
    assert f"Next step: Pay your deposit of {amount} by Jan. 15, 2027. Open my payments" in dashboard


def test_once_the_deposit_is_paid_the_page_no_longer_asks_for_it_and_moves_on(
    client, anna, in_withdrawal_period, advisor
):
    deposit = deposit_of(in_withdrawal_period, advisor)
    payment_record_transfer(
        actor=advisor, payment=deposit, amount=deposit.amount, received_on=timezone.localdate()
    )
    client.force_login(anna.user)
    words = text_of(client.get(reverse("space:sale", args=[in_withdrawal_period.pk])))
    assert "What happens next Your deposit is received. Arrange your financing" in words
    assert "pay the deposit" not in words.lower()
    assert "Your deposit is received." in text_of(client.get(reverse("space:dashboard")))


def test_an_open_request_of_another_kind_names_its_reference(client, anna, in_withdrawal_period, advisor):
    deposit = deposit_of(in_withdrawal_period, advisor)
    payment_record_transfer(
        actor=advisor, payment=deposit, amount=deposit.amount, received_on=timezone.localdate()
    )
    payment_request_create(
        actor=advisor, sale=in_withdrawal_period, amount=Decimal("1500.00"), reference="OPT-7"
    )
    client.force_login(anna.user)
    words = text_of(client.get(reverse("space:sale", args=[in_withdrawal_period.pk])))
    assert "What happens next Pay €1,500.00 for OPT-7." in words


def test_without_any_payment_the_stage_says_what_comes_next(client, anna, anna_sale):
    client.force_login(anna.user)
    words = text_of(client.get(reverse("space:sale", args=[anna_sale.pk])))
    assert "What happens next Sign your reservation contract with your advisor" in words
