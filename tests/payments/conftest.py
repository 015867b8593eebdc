import pytest
from django.test import override_settings

from portal.users.roles import Role
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _private_files(tmp_path):
    # Receipts and outbox attachments land in a folder of their own for each test. (Not through
    # the `settings` fixture: a test of the Stripe provider has a parameter of that name.)
    with override_settings(MEDIA_ROOT=tmp_path / "private"):
        yield


@pytest.fixture
def advisor(db):
    """The sales advisor of the sales: asks for money, hears when it arrives."""
    return make_user("advisor@example.test", role=Role.SALES, first_name="Sam", last_name="Advisor")


@pytest.fixture
def accountant(db):
    return make_user("accountant@example.test", role=Role.ACCOUNTANT, first_name="Alex", last_name="Count")


@pytest.fixture
def service(db):
    return make_user("service@example.test", role=Role.CUSTOMER_SERVICE)
