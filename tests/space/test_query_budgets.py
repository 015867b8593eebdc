"""Every client-space page costs the same few queries on a data set and on one ten times larger."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments.services.money import payment_record_transfer
from payments.services.requests import payment_request_create
from portal.outbox.models import OutboxMessage
from portal.users.roles import Role
from programmes.models import Building
from sales.invitations import invitation_send
from sales.models import Buyer, SaleAssignment
from tests.invitations.conftest import invitation_path
from tests.space import factories

pytestmark = pytest.mark.django_db

BUDGET = 12


def queries_for(client, url: str) -> int:
    client.get(url)  # the first request fills the caches (company settings, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def assert_flat(small: int, large: int) -> None:
    assert small == large, f"{small} queries on the small data set, {large} on the large one"
    assert large <= BUDGET


def sales_for(buyer, programme, *, count: int, lots: int = 2, co_buyers: int = 1, notary=None, partners=0):
    """`count` sales of `buyer`, each with `lots` lots, `co_buyers` co-buyers, a notary and partners."""
    sales = []
    for _ in range(count):
        others = factories.buyers_make(co_buyers)
        building, _created = Building.objects.get_or_create(programme=programme, name="A")
        lots_of_sale = factories.lots_make(programme, lots, building=building)
        sale = factories.sale_make(programme, lots_of_sale, [buyer, *others])
        if notary:
            factories.assign([sale], notary, SaleAssignment.Role.NOTARY)
        for _partner in range(partners):
            agency = factories.partner_login(
                f"agency{Buyer.objects.count()}x{_partner}@example.test", Role.PARTNER
            )
            factories.assign([sale], agency, SaleAssignment.Role.PARTNER)
        sales.append(sale)
    return sales


def payments_for(sales, *, count: int) -> None:
    """`count` payment requests on each sale, the first of them paid: what the next step reads."""
    for sale in sales:
        for number in range(count):
            payment = payment_request_create(
                actor=None,
                sale=sale,
                amount=Decimal("100.00"),
                reference=f"R-{number}",
                due_on=date(2030, 1, 1),
            )
            if number == 0:
                payment_record_transfer(
                    actor=None, payment=payment, amount=payment.amount, received_on=date(2026, 1, 1)
                )


def strangers(programme, count: int) -> None:
    for buyer in factories.buyers_make(count):
        factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])


def test_the_buyers_dashboard(client, anna, programme, other_notary):
    client.force_login(anna.user)
    url = reverse("space:dashboard")
    payments_for(sales_for(anna, programme, count=2, notary=other_notary), count=1)
    strangers(programme, 2)
    small = queries_for(client, url)
    payments_for(sales_for(anna, programme, count=18, notary=other_notary), count=3)
    strangers(programme, 18)
    assert_flat(small, queries_for(client, url))


def test_the_notarys_dashboard(client, anna, programme, other_notary):
    client.force_login(other_notary)
    url = reverse("space:dashboard")
    sales_for(anna, programme, count=2, notary=other_notary)
    small = queries_for(client, url)
    sales_for(anna, programme, count=18, notary=other_notary, co_buyers=3)
    assert_flat(small, queries_for(client, url))


@pytest.mark.parametrize("viewer", ["buyer", "notary"])
def test_the_sale_page(client, anna, programme, other_notary, viewer):
    client.force_login(anna.user if viewer == "buyer" else other_notary)
    (small_sale,) = sales_for(anna, programme, count=1, lots=2, co_buyers=1, notary=other_notary, partners=1)
    payments_for([small_sale], count=1)
    strangers(programme, 2)
    small = queries_for(client, reverse("space:sale", args=[small_sale.pk]))
    (large_sale,) = sales_for(
        anna, programme, count=1, lots=20, co_buyers=10, notary=other_notary, partners=10
    )
    payments_for([large_sale], count=10)
    strangers(programme, 20)
    assert_flat(small, queries_for(client, reverse("space:sale", args=[large_sale.pk])))


def test_the_calendar_page(client, anna, programme, anna_sale):
    client.force_login(anna.user)
    url = reverse("space:calendar", args=[anna_sale.pk])
    factories.milestones_make(programme, reached=1)
    small = queries_for(client, url)
    for _ in range(10):
        factories.milestones_make(factories.ProgrammeFactory(), reached=3)
    strangers(programme, 10)
    assert_flat(small, queries_for(client, url))


def test_the_reservation_page(client, anna, programme, anna_sale):
    client.force_login(anna.user)
    url = reverse("space:reserve")
    building = Building.objects.create(programme=programme, name="B")
    factories.lots_make(programme, 2, building=building)
    small = queries_for(client, url)
    factories.lots_make(programme, 20, building=building)
    strangers(programme, 10)
    assert_flat(small, queries_for(client, url))


def test_the_invitation_page(client, advisor, programme):
    buyers = factories.buyers_make(10)
    for buyer in buyers:
        factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])
    invitation_send(actor=advisor, buyer=buyers[0])
    url = invitation_path(OutboxMessage.objects.get())
    small = queries_for(client, url)
    for buyer in buyers[1:]:
        invitation_send(actor=advisor, buyer=buyer)
        invitation_send(actor=advisor, buyer=buyer)
    assert_flat(small, queries_for(client, url))
