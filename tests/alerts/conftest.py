import pytest

from portal.users.roles import Role
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _backoffice(settings, db):
    # These tests are about the inbox, not the second factor that guards the back-office.
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture
def accountant(db):
    return make_user("accountant@example.test", role=Role.ACCOUNTANT, first_name="Alex", last_name="Count")


@pytest.fixture
def service(db):
    return make_user("service@example.test", role=Role.CUSTOMER_SERVICE)
