"""What the back-office shows staff by role: only administrators see its technical sections,
and staff assigned to no programme are told why their lists are empty."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from portal.users.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TECHNICAL = [
    "admin:mfa_authenticator_changelist",
    "admin:usersessions_usersession_changelist",
    "admin:auth_group_changelist",
    "admin:payments_webhookevent_changelist",
    "admin:outbox_outboxmessage_changelist",
    "admin:audit_auditentry_changelist",
]
SCOPED_LISTS = [
    "admin:sales_sale_changelist",
    "admin:sales_buyer_changelist",
    "admin:payments_payment_changelist",
    "admin:payments_mypayment_changelist",
]
NOT_ASSIGNED = "You are not assigned to any programme yet"


def infos(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("role", [Role.SALES, Role.ACCOUNTANT, Role.CUSTOMER_SERVICE])
def test_staff_other_than_administrators_neither_see_nor_open_the_technical_sections(client, world, role):
    member = make_user(f"{role.value.replace(' ', '')}@example.test", role=role)
    world.a.staff.add(member)
    client.force_login(member)

    index = client.get(reverse("admin:index")).content.decode()

    for name in TECHNICAL:
        url = reverse(name)
        assert url not in index
        assert client.get(url).status_code == 403


def test_an_administrator_sees_the_technical_sections(client, chief):
    client.force_login(chief)

    index = client.get(reverse("admin:index")).content.decode()

    for name in TECHNICAL:
        assert reverse(name) in index


@pytest.mark.parametrize("name", SCOPED_LISTS)
def test_staff_assigned_to_no_programme_are_told_why_the_list_is_empty(client, name):
    accountant = make_user("lonely@example.test", role=Role.ACCOUNTANT)
    client.force_login(accountant)

    response = client.get(reverse(name), follow=True)

    assert response.status_code == 200
    assert any(text.startswith(NOT_ASSIGNED) for text in infos(response))
    assert NOT_ASSIGNED in response.content.decode()


@pytest.mark.parametrize("name", SCOPED_LISTS)
def test_staff_of_a_programme_and_administrators_get_no_such_notice(client, world, chief, name):
    for user in (world.anne, chief):
        client.force_login(user)
        response = client.get(reverse(name), follow=True)
        assert not any(text.startswith(NOT_ASSIGNED) for text in infos(response))
