"""Every sales back-office page costs the same few queries with ten times more data."""

import pytest
from django.urls import reverse

from portal.users.roles import Role
from sales.models import SaleAssignment, SavedView
from sales.services import sale_move_stage
from tests.conftest import make_user
from tests.factories import BuyerFactory
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries, sale_make, sales_make

pytestmark = pytest.mark.django_db


def grow(world, sale, size: int, notaries: list) -> None:
    """`size` more sales (two lots, two buyers, a notary each), and as much around `sale`:
    buyers, notaries, timeline entries and saved views."""
    sales_make(world.a, world.anne, size, notary=notaries[0])
    from sales.models import SaleBuyer

    for n in range(size):
        SaleBuyer.objects.create(sale=sale, buyer=BuyerFactory())
        notary = make_user(f"notary{len(notaries)}@example.test", role=Role.NOTARY)
        notaries.append(notary)
        SaleAssignment.objects.create(sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
        SavedView.objects.create(
            owner=world.anne, name=f"View {len(notaries)}", query=f"stage__exact=option&n={n}"
        )
    other = sale_make(world.a, world.anne)
    sale_move_stage(actor=world.anne, sale=other, target="cancelled")


PAGES = {
    "sales list": lambda sale, buyer: reverse("admin:sales_sale_changelist"),
    "sales list, filtered": lambda sale, buyer: (
        reverse("admin:sales_sale_changelist")
        + f"?stage__exact=option&programme__id__exact={sale.programme_id}"
    ),
    "sale page": lambda sale, buyer: reverse("admin:sales_sale_change", args=[sale.pk]),
    "new sale": lambda sale, buyer: reverse("admin:sales_sale_add"),
    "dashboard": lambda sale, buyer: reverse("admin:sales_sale_dashboard"),
    "buyers list": lambda sale, buyer: reverse("admin:sales_buyer_changelist"),
    "buyer page": lambda sale, buyer: reverse("admin:sales_buyer_change", args=[buyer.pk]),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["anne", "chief"])
def test_the_page_costs_the_same_few_queries_whatever_the_data(client, world, chief, page, persona):
    notaries = [make_user("notary@example.test", role=Role.NOTARY)]
    sale = sale_make(world.a, world.anne, buyers=2)
    buyer = sale.buyers.first()
    user = world.anne if persona == "anne" else chief
    client.force_login(user)
    url = PAGES[page](sale, buyer)
    grow(world, sale, 2, notaries)
    small = count_get_queries(client, url)

    grow(world, sale, 18, notaries)
    large = count_get_queries(client, url)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET
