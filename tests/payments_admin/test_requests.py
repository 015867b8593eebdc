"""Asking for money from a sale or a buyer's page (PAY-4), and the deposit button (PAY-1)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from payments.models import Payment
from portal.outbox.models import OutboxMessage
from portal.users.roles import Role
from tests.factories import ProgrammeFactory
from tests.payments_admin.helpers import url
from tests.sales_admin.helpers import sale_make, staff_of

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_form_offers_the_sales_buyers_and_the_contract_number(client, world):
    world.sale_a.contract_number = "CTR-77"
    world.sale_a.save()
    buyer = world.sale_a.buyers.get()
    client.force_login(world.anne)

    response = client.get(url("payment_request", world.sale_a.pk))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["buyer"].queryset) == [buyer]
    assert form["reference"].value() == "CTR-77"


def test_a_request_goes_out_by_email(client, world):
    buyer = world.sale_a.buyers.get()
    client.force_login(world.anne)
    before = OutboxMessage.objects.count()

    response = client.post(
        url("payment_request", world.sale_a.pk),
        {"buyer": buyer.pk, "amount": "250.00", "reference": "INV-9", "due_on": "", "channel": "email"},
    )

    assert response.status_code == 302
    payment = Payment.objects.get(reference="INV-9")
    assert (payment.buyer, payment.amount, payment.kind, payment.requested_by) == (
        buyer,
        Decimal("250.00"),
        "request",
        world.anne,
    )
    assert OutboxMessage.objects.count() == before + 1
    assert messages_of(response) == [f"€250.00 was asked of {buyer} (INV-9)."]


def test_an_sms_request_to_a_buyer_without_phone_is_refused_and_nothing_is_sent(client, world):
    buyer = world.sale_a.buyers.get()
    client.force_login(world.anne)
    before = OutboxMessage.objects.count()

    response = client.post(
        url("payment_request", world.sale_a.pk),
        {"buyer": buyer.pk, "amount": "250.00", "reference": "INV-9", "channel": "sms"},
    )

    assert response.status_code == 200
    assert f"{buyer} has no mobile phone number: add one or send by email." in response.text
    assert not Payment.objects.filter(reference="INV-9").exists()
    assert OutboxMessage.objects.count() == before


def test_another_sales_buyer_cannot_be_asked(client, world):
    client.force_login(world.anne)
    stranger = world.sale_b.buyers.get()

    response = client.post(
        url("payment_request", world.sale_a.pk),
        {"buyer": stranger.pk, "amount": "250.00", "reference": "INV-9", "channel": "email"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["buyer"]
    assert not Payment.objects.filter(reference="INV-9").exists()


def test_asking_takes_the_right_to_request_payments(client, world):
    carol = staff_of(world.a, "carol@example.test", role=Role.CUSTOMER_SERVICE)
    client.force_login(carol)

    assert client.get(url("payment_request", world.sale_a.pk)).status_code == 403
    assert client.post(url("payment_deposit", world.sale_a.pk)).status_code == 403


def test_the_deposit_button_asks_for_the_programmes_deposit(client, world):
    world.sale_a.deed_planned_on = timezone.localdate() + timedelta(days=200)
    world.sale_a.save()
    client.force_login(world.anne)

    response = client.post(url("payment_deposit", world.sale_a.pk), {"channel": "email"})

    assert response.status_code == 302
    deposit = Payment.objects.get(sale=world.sale_a, kind="deposit")
    assert deposit.amount == world.sale_a.price * Decimal("0.02")
    assert messages_of(response) == [
        f"The deposit of €{deposit.amount:,.2f} was requested from {deposit.buyer}."
    ]


def test_a_deposit_above_the_legal_cap_is_refused_with_the_rule(client, world):
    warsaw = ProgrammeFactory(code="waw", country="PL", currency="PLN", time_zone="Europe/Warsaw")
    warsaw.staff.add(world.anne)
    sale = sale_make(warsaw, world.anne)
    client.force_login(world.anne)

    response = client.post(url("payment_deposit", sale.pk))

    assert not Payment.objects.filter(sale=sale).exists()
    [message] = messages_of(response)
    assert "is above the legal cap of" in message
    assert message.endswith("Polish law caps the reservation fee at 1 % of the price.")


def test_the_sale_page_lists_its_payments_and_the_buttons(client, world):
    client.force_login(world.anne)

    page = client.get(f"/admin/sales/sale/{world.sale_a.pk}/change/").text

    assert 'id="sale-payments"' in page
    assert url("payment_change", world.payment_a.pk) in page
    assert url("payment_deposit", world.sale_a.pk) in page
    assert url("payment_request", world.sale_a.pk) in page


def test_the_deposit_button_is_gone_once_a_deposit_is_asked(client, world):
    world.sale_a.deed_planned_on = timezone.localdate() + timedelta(days=200)
    world.sale_a.save()
    client.force_login(world.anne)
    client.post(url("payment_deposit", world.sale_a.pk))

    page = client.get(f"/admin/sales/sale/{world.sale_a.pk}/change/").text

    assert url("payment_deposit", world.sale_a.pk) not in page
    assert url("payment_request", world.sale_a.pk) in page


def test_the_buyer_page_links_to_a_request_on_each_of_his_sales(client, world):
    buyer = world.sale_a.buyers.get()
    client.force_login(world.anne)

    page = client.get(f"/admin/sales/buyer/{buyer.pk}/change/").text

    assert f"{url('payment_request', world.sale_a.pk)}?buyer={buyer.pk}" in page


def test_the_request_form_from_a_buyers_page_preselects_him(client, world):
    from sales.models import SaleBuyer
    from tests.factories import BuyerFactory

    cobuyer = BuyerFactory()
    SaleBuyer.objects.create(sale=world.sale_a, buyer=cobuyer)
    client.force_login(world.anne)

    response = client.get(f"{url('payment_request', world.sale_a.pk)}?buyer={cobuyer.pk}")

    assert str(response.context["form"]["buyer"].value()) == str(cobuyer.pk)
