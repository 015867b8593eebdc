"""Notary and partner-agency accounts (ACC-6): creation, inherited access, assignments."""

import re

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.outbox.models import OutboxMessage
from portal.users.roles import Role
from sales.errors import SaleError
from sales.models import SaleAssignment
from sales.partners import partner_account_create, sale_assign, sale_unassign
from tests.space import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sales(programme, english_buyer):
    return [
        factories.sale_make(programme, factories.lots_make(programme, 1), [english_buyer]) for _ in range(2)
    ]


@pytest.fixture
def senior_notary(two_sales):
    user = factories.partner_login("senior@notaires.test", Role.NOTARY)
    factories.assign(two_sales, user, SaleAssignment.Role.NOTARY)
    return user


def create_clerk(staff, senior_notary=None, role=SaleAssignment.Role.PARTNER):
    return partner_account_create(
        actor=staff,
        email="Clerk@Notaires.test",
        first_name="Claire",
        last_name="Clerc",
        role=role,
        inherit_from=senior_notary,
    )


def test_a_partner_account_inherits_the_assignments_of_another_account(staff, senior_notary, two_sales):
    clerk = create_clerk(staff, senior_notary)

    assert clerk.email == "clerk@notaires.test"
    assert not clerk.has_usable_password()
    assert not clerk.is_staff
    assert list(clerk.groups.values_list("name", flat=True)) == [Role.PARTNER.value]
    copied = SaleAssignment.objects.filter(user=clerk).order_by("sale_id")
    assert [(a.sale_id, a.role) for a in copied] == [(sale.pk, "partner") for sale in two_sales]
    assert SaleAssignment.objects.filter(user=senior_notary).count() == 2
    entry = AuditEntry.objects.get(action="partner.account_created")
    assert entry.actor == staff
    assert entry.data["sales"] == [sale.pk for sale in two_sales]


def test_a_partner_account_without_inheritance_sees_no_sale(staff, two_sales):
    clerk = create_clerk(staff, role=SaleAssignment.Role.NOTARY)
    assert not SaleAssignment.objects.filter(user=clerk).exists()
    assert clerk.groups.filter(name=Role.NOTARY.value).exists()


def test_the_new_account_chooses_its_password_through_the_emailed_link_and_sees_its_sales(
    client, staff, senior_notary, two_sales
):
    create_clerk(staff, senior_notary)
    message = OutboxMessage.objects.get(recipients=["clerk@notaires.test"])
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/password/reset/key/\S+/)", message.text).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert response.status_code == 302
    login = client.post(
        reverse("account_login"), {"login": "clerk@notaires.test", "password": "a-long-passphrase"}
    )
    assert login["Location"] == reverse("home")

    html = client.get(reverse("space:dashboard")).content.decode()
    for sale in two_sales:
        assert reverse("space:sale", args=[sale.pk]) in html


def test_an_email_already_in_use_is_refused(staff, senior_notary):
    with pytest.raises(SaleError, match="already exists"):
        partner_account_create(
            actor=staff, email="SENIOR@notaires.test", first_name="A", last_name="B", role="notary"
        )


def test_assigning_gives_access_and_unassigning_takes_it_away(client, staff, two_sales):
    notary = factories.partner_login("notary@notaires.test", Role.NOTARY)
    sale = two_sales[0]
    url = reverse("space:sale", args=[sale.pk])
    client.force_login(notary)
    assert client.get(url).status_code == 404

    sale_assign(actor=staff, sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
    sale_assign(actor=staff, sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.filter(action="sale.assigned").count() == 1

    assert sale_unassign(actor=staff, sale=sale, user=notary) == 1
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="sale.unassigned").count() == 1


def test_only_a_notary_or_partner_account_can_be_assigned(staff, two_sales, english_buyer):
    partner = factories.partner_login("agency@example.test", Role.PARTNER)
    with pytest.raises(SaleError, match="is not a notary account"):
        sale_assign(actor=staff, sale=two_sales[0], user=partner, role=SaleAssignment.Role.NOTARY)
    with pytest.raises(SaleError, match="is not a partner agency account"):
        sale_assign(actor=staff, sale=two_sales[0], user=staff, role=SaleAssignment.Role.PARTNER)
    assert not SaleAssignment.objects.exists()
