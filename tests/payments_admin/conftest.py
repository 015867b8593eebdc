from types import SimpleNamespace

import pytest
from django.utils import translation

from portal.users.roles import Role
from tests.conftest import make_user
from tests.factories import request_make
from tests.sales_admin.helpers import programme_with_staff, sale_make, staff_of


@pytest.fixture(autouse=True)
def _backoffice(settings, db, tmp_path):
    # These tests are about the back-office pages, not the second factor that guards them.
    settings.STAFF_MFA_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path / "private"
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    """Programme A: Anne (sales, advisor of sale A) and Ada (accountant); programme B: Bob
    (sales, advisor of sale B). One payment request on each sale."""
    a, anne = programme_with_staff("aaa", "anne@example.test")
    b, bob = programme_with_staff("bbb", "bob@example.test")
    ada = staff_of(a, "ada@example.test", role=Role.ACCOUNTANT)
    sale_a = sale_make(a, anne)
    sale_b = sale_make(b, bob)
    return SimpleNamespace(
        a=a,
        b=b,
        anne=anne,
        bob=bob,
        ada=ada,
        sale_a=sale_a,
        sale_b=sale_b,
        payment_a=request_make(sale_a, actor=anne, reference="INV-A1"),
        payment_b=request_make(sale_b, actor=bob, reference="INV-B1"),
    )


@pytest.fixture
def chief():
    """An administrator by role (not a superuser): sees every programme."""
    return make_user("chief@example.test", role=Role.ADMINISTRATOR, language="en", first_name="Chief")
