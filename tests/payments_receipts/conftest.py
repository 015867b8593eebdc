import pytest
from django.test import override_settings

from portal.users.roles import Role
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _private_files(tmp_path):
    # Receipts land in a private folder of their own for each test.
    with override_settings(MEDIA_ROOT=tmp_path / "private"):
        yield


@pytest.fixture
def advisor(db):
    return make_user("advisor@example.test", role=Role.SALES, first_name="Sam", last_name="Advisor")


@pytest.fixture
def accountant(db):
    return make_user("accountant@example.test", role=Role.ACCOUNTANT, first_name="Alex", last_name="Count")
