"""An administrator by role (not a superuser) runs accounts but never reaches superuser powers."""

import pytest
from django.urls import reverse

from portal.users.models import User
from portal.users.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture
def chief(db):
    return make_user("chief@example.test", role=Role.ADMINISTRATOR, first_name="Chief")


@pytest.fixture
def root(db):
    return make_user("root@example.test", role=Role.ADMINISTRATOR, is_superuser=True)


def _change_form_data(client, user) -> dict:
    response = client.get(reverse("admin:users_user_change", args=[user.pk]))
    form = response.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data["groups"] = [group.pk for group in user.groups.all()]
    data.pop("password", None)
    return data


def test_an_administrator_cannot_make_himself_superuser(client, chief):
    client.force_login(chief)
    data = _change_form_data(client, chief) | {"is_superuser": "on", "is_active": "on", "is_staff": "on"}

    response = client.post(reverse("admin:users_user_change", args=[chief.pk]), data)

    assert response.status_code == 302  # saved, without the one field he may not set
    chief.refresh_from_db()
    assert not chief.is_superuser
    assert chief.is_active and chief.is_staff  # the rest of the form saved as usual


def test_an_administrator_cannot_change_delete_or_set_the_password_of_a_superuser(client, chief, root):
    client.force_login(chief)
    old_hash = User.objects.get(pk=root.pk).password

    change = client.post(reverse("admin:users_user_change", args=[root.pk]), {"email": "mine@example.test"})
    password = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Taken-over-42!", "password2": "Taken-over-42!"},
    )
    delete = client.post(reverse("admin:users_user_delete", args=[root.pk]), {"post": "yes"})

    assert change.status_code == 403
    assert password.status_code == 403
    assert delete.status_code == 403
    root.refresh_from_db()
    assert root.email == "root@example.test"
    assert root.password == old_hash


def test_a_superuser_still_grants_superuser(client, root, chief):
    client.force_login(root)
    data = _change_form_data(client, chief) | {"is_superuser": "on", "is_active": "on", "is_staff": "on"}

    response = client.post(reverse("admin:users_user_change", args=[chief.pk]), data)

    assert response.status_code == 302
    chief.refresh_from_db()
    assert chief.is_superuser
