"""The quick start's staff logins: the accountant and customer service open lists with the demo's
sales and payments, not empty ones."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.users.models import User
from portal.users.roles import roles_sync
from programmes.models import Programme


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("email", ["accountant@demo.test", "service@demo.test"])
def test_the_accountant_and_customer_service_see_the_demo_sales_and_payments(client, settings, email):
    settings.STAFF_MFA_REQUIRED = False  # as in the quick start
    roles_sync(apps)  # an earlier transactional test may have flushed the groups the migrations made
    call_command("seed_demo", stdout=io.StringIO())
    member = User.objects.get(email=email)
    client.force_login(member)

    assert set(Programme.objects.filter(staff=member).values_list("code", flat=True)) == {"lum", "zwg"}
    for name in ["admin:sales_sale_changelist", "admin:payments_payment_changelist"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        changelist = response.context["cl"]
        assert changelist.result_count > 0, name
        first = changelist.result_list[0]
        assert str(first.reference) in response.text, name


@pytest.mark.django_db(transaction=True)
def test_seeding_again_leaves_the_programme_staff_and_its_trail_as_they_were():
    roles_sync(apps)
    call_command("seed_demo", stdout=io.StringIO())
    staff = {
        code: set(Programme.objects.get(code=code).staff.values_list("email", flat=True))
        for code in ["lum", "zwg"]
    }
    entries = AuditEntry.objects.count()

    call_command("seed_demo", stdout=io.StringIO())

    assert staff["lum"] == {"sales@demo.test", "accountant@demo.test", "service@demo.test"}
    assert staff["zwg"] == {"admin@demo.test", "accountant@demo.test", "service@demo.test"}
    assert {
        code: set(Programme.objects.get(code=code).staff.values_list("email", flat=True)) for code in staff
    } == staff
    assert AuditEntry.objects.count() == entries
