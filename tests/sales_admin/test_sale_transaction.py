"""A sale's page saves its own fields and its rows (notaries and partners) together or not at all.

Django's change form runs in one transaction (ModelAdmin.changeform_view); the services it calls
open savepoints inside it and send nothing before it commits.
"""

from decimal import Decimal

import pytest

from portal.audit.models import AuditEntry
from portal.users.roles import Role
from sales.admin import sales as sales_admin
from sales.errors import SaleError
from sales.models import SaleAssignment
from tests.conftest import make_user
from tests.sales_admin.helpers import sale_make
from tests.sales_admin.test_sale_forms import change_form, change_url

pytestmark = pytest.mark.django_db


def _with_notary_row(sale, notary, *, role="notary", **fields) -> dict:
    return change_form(
        sale,
        **{
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-0-user": str(notary.pk),
            "assignments-0-role": role,
            "assignments-0-sale": str(sale.pk),
            **fields,
        },
    )


def test_a_failure_while_saving_a_row_leaves_the_sales_own_fields_unchanged(client, world, monkeypatch):
    sale = sale_make(world.a, world.anne)
    notary = make_user("notary@example.test", role=Role.NOTARY)

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(sales_admin, "sale_assign", broken)
    client.force_login(world.anne)

    with pytest.raises(RuntimeError):
        client.post(change_url(sale), _with_notary_row(sale, notary, price="1.00"))

    sale.refresh_from_db()
    assert sale.price != Decimal("1.00")
    assert not AuditEntry.objects.filter(action="sale.updated").exists()


def test_a_row_refused_while_saving_keeps_nothing_of_the_page(client, world, monkeypatch):
    sale = sale_make(world.a, world.anne)
    notary = make_user("notary@example.test", role=Role.NOTARY)

    def refused(**kwargs):
        raise SaleError("changed meanwhile")

    monkeypatch.setattr(sales_admin, "sale_assign", refused)
    client.force_login(world.anne)

    response = client.post(change_url(sale), _with_notary_row(sale, notary, price="1.00"), follow=True)

    assert "Nothing was saved: changed meanwhile" in response.text
    sale.refresh_from_db()
    assert sale.price != Decimal("1.00")
    assert not AuditEntry.objects.filter(action="sale.updated").exists()


def test_a_notary_given_as_a_partner_is_refused_next_to_his_row_and_nothing_is_saved(client, world):
    sale = sale_make(world.a, world.anne)
    notary = make_user("notary@example.test", role=Role.NOTARY, first_name="Maître", last_name="Dupont")
    client.force_login(world.anne)

    response = client.post(change_url(sale), _with_notary_row(sale, notary, role="partner", price="1.00"))

    assert response.status_code == 200
    assert "Maître Dupont is not a partner agency account." in response.text
    sale.refresh_from_db()
    assert sale.price != Decimal("1.00")
    assert not SaleAssignment.objects.exists()


def test_the_fields_and_the_row_are_saved_together_each_audited(client, world):
    sale = sale_make(world.a, world.anne)
    notary = make_user("notary@example.test", role=Role.NOTARY)
    client.force_login(world.anne)
    old_price = str(sale.price)

    response = client.post(change_url(sale), _with_notary_row(sale, notary, price="1.00"))

    assert response.status_code == 302
    assert SaleAssignment.objects.get().user == notary
    assert AuditEntry.objects.get(action="sale.updated").data == {"price": [old_price, "1.00"]}
    assert AuditEntry.objects.filter(action="sale.assigned").exists()
