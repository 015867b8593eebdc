"""Programme payment settings, sales' own deposits, and the read-only refund and webhook lists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import DepositOverride, PaymentSettings, Refund, WebhookEvent
from payments.services.refunds import refund_request
from tests.payments_admin.helpers import paid_by_transfer

pytestmark = pytest.mark.django_db

SETTINGS_FORM = {
    "deposit_kind": "percent",
    "deposit_percent": "2.00",
    "deposit_amount": "",
    "deposit_request_stage": "reservation_signed",
    "accept_card": "on",
    "accept_transfer": "on",
    "escrow_stripe_account": "",
    "link_valid_days": "14",
    "reminder_days": "3,7",
    "last_refundable_stage": "financing",
}


def test_an_accountant_saves_the_settings_of_his_programme(client, world):
    client.force_login(world.ada)

    response = client.post("/admin/payments/paymentsettings/add/", {**SETTINGS_FORM, "programme": world.a.pk})

    assert response.status_code == 302
    assert PaymentSettings.objects.get(programme=world.a).link_valid_days == 14


def test_the_programme_choices_are_the_users_own(client, world):
    client.force_login(world.ada)

    response = client.post("/admin/payments/paymentsettings/add/", {**SETTINGS_FORM, "programme": world.b.pk})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["programme"]
    assert not PaymentSettings.objects.exists()


def test_the_models_own_checks_are_shown(client, world):
    client.force_login(world.ada)

    response = client.post(
        "/admin/payments/paymentsettings/add/",
        {**SETTINGS_FORM, "programme": world.a.pk, "accept_blik": "on", "reminder_days": "3,x"},
    )

    assert response.status_code == 200
    assert "BLIK is not offered for payments in EUR." in response.text
    assert not PaymentSettings.objects.exists()


def test_sales_staff_read_the_settings_and_other_programmes_do_not_exist(client, world):
    rules = PaymentSettings.objects.create(programme=world.a)
    client.force_login(world.anne)

    assert client.get("/admin/payments/paymentsettings/add/").status_code == 403
    page = client.get(f"/admin/payments/paymentsettings/{rules.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    client.force_login(world.bob)
    assert client.get(f"/admin/payments/paymentsettings/{rules.pk}/change/").status_code == 404
    assert str(world.a) not in client.get("/admin/payments/paymentsettings/").text


def test_a_deposit_override_above_the_cap_is_refused_on_the_form(client, world):
    world.sale_a.deed_planned_on = timezone.localdate() + timedelta(days=200)
    world.sale_a.save()
    client.force_login(world.anne)
    cap = world.sale_a.price / 20

    response = client.post(
        "/admin/payments/depositoverride/add/", {"sale": world.sale_a.pk, "amount": cap + 1, "reason": "x"}
    )

    assert response.status_code == 200
    assert "French law caps the deposit at 5 % of the price" in response.text
    assert not DepositOverride.objects.exists()

    response = client.post(
        "/admin/payments/depositoverride/add/", {"sale": world.sale_a.pk, "amount": cap, "reason": "x"}
    )
    assert response.status_code == 302
    assert DepositOverride.objects.get().amount == cap


def test_a_deposit_override_names_what_is_missing_for_the_cap(client, world):
    client.force_login(world.anne)

    response = client.post("/admin/payments/depositoverride/add/", {"sale": world.sale_a.pk, "amount": "100"})

    assert "give the sale&#x27;s planned deed date first" in response.text


def test_another_programmes_sale_cannot_get_an_override(client, world):
    client.force_login(world.anne)

    response = client.post("/admin/payments/depositoverride/add/", {"sale": world.sale_b.pk, "amount": "100"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sale"]
    override = DepositOverride.objects.create(sale=world.sale_b, amount=100)
    assert client.get(f"/admin/payments/depositoverride/{override.pk}/change/").status_code == 404


def test_refunds_are_listed_read_only_in_the_users_programmes(client, world, chief):
    paid_by_transfer(world.payment_a, world.ada)
    refund = refund_request(actor=world.ada, payment=world.payment_a, amount=10)
    client.force_login(world.anne)

    assert "INV-A1" in client.get("/admin/payments/refund/").text
    assert client.get("/admin/payments/refund/add/").status_code == 403
    assert 'name="_save"' not in client.get(f"/admin/payments/refund/{refund.pk}/change/").text
    client.force_login(world.bob)
    assert client.get(f"/admin/payments/refund/{refund.pk}/change/").status_code == 404
    assert Refund.objects.count() == 1


def test_webhook_events_are_for_administrators_only(client, world, chief):
    event = WebhookEvent.objects.create(
        provider="stripe", event_id="evt_1", type="checkout.session.completed", payload={}
    )
    client.force_login(world.ada)
    assert client.get("/admin/payments/webhookevent/").status_code == 403
    assert client.get(f"/admin/payments/webhookevent/{event.pk}/change/").status_code == 403

    client.force_login(chief)
    assert "evt_1" in client.get("/admin/payments/webhookevent/").text
    assert client.get(f"/admin/payments/webhookevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/payments/webhookevent/add/").status_code == 403
