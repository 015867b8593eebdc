"""Who is a party to a sale: its buyers (through their login accounts) and the notaries and
partner agencies assigned to it. One rule in sales.selectors; every selector builds on it."""

import re
from pathlib import Path

import pytest

from payments.selectors import payments_of_buyer
from portal.users.roles import Role
from sales.models import Sale, SaleAssignment
from sales.selectors import (
    client_sale_page,
    programmes_open_for_requests,
    sale_ids_bought_by,
    sales_party_to,
    sales_visible_to,
)
from tests.conftest import make_user
from tests.factories import BuyerFactory, request_make
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def parties(world):
    buyer_user = make_user("buyer1@example.test", role=Role.BUYER)
    co_buyer_user = make_user("buyer2@example.test", role=Role.BUYER)
    notary = make_user("notary@example.test", role=Role.NOTARY)
    stranger = make_user("stranger@example.test", role=Role.BUYER)
    BuyerFactory(user=stranger)
    sale = sale_make(world.a, world.anne)
    sale.sale_buyers.all().delete()
    sale.sale_buyers.create(buyer=BuyerFactory(user=buyer_user), is_main=True)
    sale.sale_buyers.create(buyer=BuyerFactory(user=co_buyer_user))
    SaleAssignment.objects.create(sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
    other = sale_make(world.a, world.anne)
    world.a.self_reservation_enabled = True
    world.a.save()
    return sale, other, buyer_user, co_buyer_user, notary, stranger


def _sale_ids(queryset) -> set:
    return set(Sale.objects.filter(pk__in=queryset).values_list("pk", flat=True))


def test_the_buyers_and_the_assigned_notary_are_parties_and_nobody_else(parties):
    sale, other, buyer, co_buyer, notary, stranger = parties

    for person in (buyer, co_buyer, notary):
        assert _sale_ids(sales_party_to(person)) == {sale.pk}
        assert list(sales_visible_to(person)) == [sale]
        assert client_sale_page(person, sale.pk).sale == sale
    assert _sale_ids(sales_party_to(stranger)) == set()
    with pytest.raises(Sale.DoesNotExist):
        client_sale_page(stranger, sale.pk)


def test_payments_and_requests_follow_the_buyers_side_of_the_rule(parties, world):
    sale, other, buyer, co_buyer, notary, stranger = parties
    payment = request_make(sale, actor=world.anne)
    request_make(other, actor=world.anne, reference="INV-2")

    assert _sale_ids(sale_ids_bought_by(co_buyer)) == {sale.pk}
    assert list(payments_of_buyer(co_buyer)) == [payment]
    assert list(payments_of_buyer(notary)) == []  # a notary reads the file, not the buyers' money
    assert list(programmes_open_for_requests(buyer)) == [world.a]
    assert list(programmes_open_for_requests(notary)) == []
    assert list(programmes_open_for_requests(stranger)) == []


def test_no_selector_writes_the_rule_again():
    """The lookups that make someone a party appear only where the rule is written."""
    rule = re.compile(r"buyer__user\s*=|SaleAssignment\.objects\.filter\(\s*user\s*=")
    files = [
        ROOT / "sales" / "selectors.py",
        ROOT / "payments" / "selectors.py",
        ROOT / "programmes" / "selectors.py",
        *sorted((ROOT / "space").glob("*.py")),
    ]
    found = {
        str(path.relative_to(ROOT)): len(rule.findall(path.read_text())) for path in files if path.exists()
    }
    assert found.pop("sales/selectors.py") == 2  # sale_ids_bought_by and sales_party_to
    assert not any(found.values()), found
