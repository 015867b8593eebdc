"""Payment settings and deposit overrides are audited with old and new values; a changed escrow
Stripe account (where online deposits go) alerts every administrator."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import DepositOverride, PaymentSettings
from portal.alerts.models import Alert
from portal.audit.models import AuditEntry
from tests.payments_admin.test_settings_admin import SETTINGS_FORM

pytestmark = pytest.mark.django_db


def change(client, rules, **fields):
    return client.post(f"/admin/payments/paymentsettings/{rules.pk}/change/", {**SETTINGS_FORM, **fields})


def test_a_settings_change_is_audited_with_old_and_new_values(client, world):
    rules = PaymentSettings.objects.create(programme=world.a, deposit_request_stage="reservation_signed")
    client.force_login(world.ada)

    response = change(client, rules, link_valid_days="21")

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="payment_settings.changed")
    assert (entry.actor, entry.data) == (world.ada, {"link_valid_days": [14, 21]})
    assert not Alert.objects.exists()


def test_changing_the_escrow_account_alerts_every_administrator_and_nobody_else(client, world, chief):
    rules = PaymentSettings.objects.create(programme=world.a, escrow_stripe_account="acct_1OLD")
    client.force_login(world.ada)

    change(client, rules, escrow_stripe_account="acct_1NEW")

    entry = AuditEntry.objects.get(action="payment_settings.changed")
    assert entry.data == {"escrow_stripe_account": ["acct_1OLD", "acct_1NEW"]}
    alert = Alert.objects.get()
    assert alert.user == chief
    assert "acct_1OLD" in alert.text and "acct_1NEW" in alert.text and "Ada Staff" in alert.text
    assert alert.link == f"/admin/payments/paymentsettings/{rules.pk}/change/"


def test_a_new_escrow_account_on_new_settings_alerts_the_administrators_too(client, world, chief):
    client.force_login(world.ada)

    client.post(
        "/admin/payments/paymentsettings/add/",
        {**SETTINGS_FORM, "programme": world.a.pk, "escrow_stripe_account": "acct_1NEW"},
    )

    assert AuditEntry.objects.get(action="payment_settings.created").data["escrow_stripe_account"] == [
        None,
        "acct_1NEW",
    ]
    assert Alert.objects.get().user == chief


def test_a_deposit_override_is_audited_when_added_changed_and_deleted(client, world):
    world.sale_a.deed_planned_on = timezone.localdate() + timedelta(days=200)
    world.sale_a.save()
    client.force_login(world.anne)

    client.post("/admin/payments/depositoverride/add/", {"sale": world.sale_a.pk, "amount": "500.00"})
    override = DepositOverride.objects.get()
    client.post(f"/admin/payments/depositoverride/{override.pk}/change/", {"amount": "600.00", "reason": "x"})
    client.post(f"/admin/payments/depositoverride/{override.pk}/delete/", {"post": "yes"})

    entries = list(AuditEntry.objects.filter(action__startswith="deposit_override.").order_by("pk"))
    assert [entry.action for entry in entries] == [
        "deposit_override.created",
        "deposit_override.changed",
        "deposit_override.deleted",
    ]
    assert entries[0].data["amount"] == [None, "500.00"]
    assert entries[1].data == {"amount": ["500.00", "600.00"], "reason": ["", "x"]}
    assert entries[2].data["amount"] == ["600.00", None]
    assert not DepositOverride.objects.exists()
    assert Decimal(entries[1].data["amount"][1]) == Decimal("600.00")
