from types import SimpleNamespace

import pytest
from django.utils import translation

from portal.users.roles import Role
from sales.services import sale_request_reservation
from tests.conftest import make_user
from tests.factories import BuyerFactory, lots_make
from tests.sales_admin.helpers import programme_with_staff


@pytest.fixture(autouse=True)
def _backoffice(settings, db):
    # These tests are about the back-office pages, not the second factor that guards them.
    settings.STAFF_MFA_REQUIRED = False
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    """Two programmes, each with its own sales staff member: Anne works on A, Bob on B."""
    a, anne = programme_with_staff("aaa", "anne@example.test")
    b, bob = programme_with_staff("bbb", "bob@example.test")
    return SimpleNamespace(a=a, b=b, anne=anne, bob=bob)


@pytest.fixture
def chief():
    """An administrator by role (not a superuser): sees every programme."""
    return make_user("chief@example.test", role=Role.ADMINISTRATOR, language="en", first_name="Chief")


@pytest.fixture
def request_sale(world):
    """A buyer's own request, from his client space, for a lot of programme A."""
    world.a.self_reservation_enabled = True
    world.a.save()
    account = make_user("buyer@example.test", role=Role.BUYER)
    BuyerFactory(user=account)
    [lot] = lots_make(world.a, 1)
    return sale_request_reservation(user=account, lot=lot)
