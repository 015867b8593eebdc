"""Roles and permissions are read from the cache between changes, and every change shows on the
very next request (portal/users/access_cache.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.access import user_roles
from portal.users.access_cache import access_cache_clear, access_cache_version
from portal.users.models import User
from portal.users.roles import Role
from portal.users.services import user_role_grant
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/sales/sale/"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False


def access_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, [
        q["sql"]
        for q in queries.captured_queries
        if "auth_group" in q["sql"] or "auth_permission" in q["sql"]
    ]


def test_a_second_page_reads_no_role_or_permission_from_the_database(client):
    client.force_login(make_user("anne@example.test", role=Role.SALES))

    first_status, first = access_queries(client, LIST)
    second_status, second = access_queries(client, LIST)

    assert first_status == second_status == 200
    assert len(first) >= 2  # roles, the user's and his groups' permissions
    assert second == []


def test_removing_a_role_closes_the_back_office_on_the_next_request(client):
    anne = make_user("anne@example.test", role=Role.SALES)
    client.force_login(anne)
    assert client.get(LIST).status_code == 200

    anne.groups.clear()

    assert client.get(LIST).status_code == 403


def test_granting_a_role_opens_it_on_the_next_request(client):
    sam = make_user("sam@example.test")
    User.objects.filter(pk=sam.pk).update(is_staff=True)
    client.force_login(sam)
    assert client.get(LIST).status_code == 403

    user_role_grant(user=sam, role=Role.SALES)

    assert client.get(LIST).status_code == 200
    assert Role.SALES.value in user_roles(User.objects.get(pk=sam.pk))


def test_a_group_losing_a_permission_loses_it_at_once(client):
    client.force_login(make_user("anne@example.test", role=Role.SALES))
    assert client.get(LIST).status_code == 200

    group = Group.objects.get(name=Role.SALES.value)
    group.permissions.remove(
        *Permission.objects.filter(content_type__app_label="sales", codename__endswith="_sale")
    )

    assert client.get(LIST).status_code == 403


def test_a_change_moves_the_version_again_once_committed(django_capture_on_commit_callbacks):
    before = access_cache_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        access_cache_clear()
        during = access_cache_version()

    # A set read before the commit is kept under `during`; the commit leaves it behind.
    for callback in callbacks:
        callback()
    assert len({before, during, access_cache_version()}) == 3
