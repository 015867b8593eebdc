"""Who may be a sale's advisor: sales staff and administrators, not accountants or customer service."""

import pytest

from portal.users.roles import Role
from programmes.selectors import advisors_available_to
from sales.services import sale_request_reservation
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, SaleFactory, lots_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory(self_reservation_enabled=True)


@pytest.fixture
def team(programme):
    # The accountant joined the programme first: the oldest staff member is no salesperson.
    accountant = make_user("count@example.test", role=Role.ACCOUNTANT)
    service = make_user("help@example.test", role=Role.CUSTOMER_SERVICE)
    seller = make_user("seller@example.test", role=Role.SALES)
    programme.staff.add(accountant, service, seller)
    return accountant, service, seller


def test_the_advisors_offered_are_the_programmes_sales_staff(programme, team):
    accountant, service, seller = team

    assert list(advisors_available_to(seller)) == [seller]
    assert list(advisors_available_to(accountant)) == [seller]


def test_a_buyers_reservation_request_goes_to_a_salesperson(programme, team):
    _accountant, _service, seller = team
    buyer_user = make_user("anna@example.test", role=Role.BUYER)
    buyer = BuyerFactory(user=buyer_user)
    SaleFactory(programme=programme, buyers=[buyer])

    sale = sale_request_reservation(user=buyer_user, lot=lots_make(programme, 1)[0])

    assert sale.advisor == seller
