"""The personas of the client-space tests.

Anna buys two lots of "Les Jardins" with Piotr (co-buyer); Boris, a stranger, buys another lot.
Maître Notaire is assigned to Anna's sale, Maître Autre to none; Agence Partner to Anna's sale.
"""

import pytest

from portal.users.roles import Role
from sales.models import SaleAssignment
from tests.conftest import make_user
from tests.space import factories


@pytest.fixture
def advisor(db):
    return make_user(
        "sam@example.test", role=Role.SALES, first_name="Sam", last_name="Advisor", phone="+33612345678"
    )


@pytest.fixture
def programme(db, advisor):
    programme = factories.ProgrammeFactory(
        name="Les Jardins du Canal", code="JDC", self_reservation_enabled=True
    )
    programme.staff.add(advisor)
    return programme


@pytest.fixture
def anna(db):
    return factories.buyer_with_login("anna@example.test", phone="+33611111111")


@pytest.fixture
def piotr(db):
    return factories.buyer_with_login("piotr@example.test")


@pytest.fixture
def boris(db):
    return factories.buyer_with_login("boris@example.test")


@pytest.fixture
def anna_sale(programme, anna, piotr, advisor):
    lots = factories.lots_make(programme, 2)
    return factories.sale_make(
        programme, lots, [anna, piotr], advisor=advisor, contract_number="RES-2025-0142"
    )


@pytest.fixture
def boris_sale(programme, boris, advisor):
    return factories.sale_make(programme, factories.lots_make(programme, 1), [boris], advisor=advisor)


@pytest.fixture
def notary(anna_sale):
    user = factories.partner_login("notaire@example.test", Role.NOTARY)
    factories.assign([anna_sale], user, SaleAssignment.Role.NOTARY)
    return user


@pytest.fixture
def other_notary(db):
    return factories.partner_login("autre@example.test", Role.NOTARY)


@pytest.fixture
def partner(anna_sale):
    user = factories.partner_login("agence@example.test", Role.PARTNER, first_name="Agence")
    factories.assign([anna_sale], user, SaleAssignment.Role.PARTNER)
    return user
