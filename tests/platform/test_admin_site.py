"""The back-office's admin site: Django's context, with the app list built only when shown, and
the navigation sidebar written once per session, language and page."""

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.test import RequestFactory

from portal.admin_site import PortalAdminSite
from portal.users.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/sales/sale/"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False


def test_the_admin_site_is_the_portals():
    assert isinstance(admin.site, PortalAdminSite)


def test_its_context_is_djangos_with_the_same_app_list():
    user = make_user("chief@example.test", role=Role.ADMINISTRATOR)
    request = RequestFactory().get(LIST)
    request.user = user

    ours, djangos = admin.site.each_context(request), AdminSite.each_context(admin.site, request)

    assert ours.keys() == djangos.keys()
    assert list(ours["available_apps"]) == djangos["available_apps"]
    lists = {"available_apps", "log_entries"}
    assert {key: value for key, value in ours.items() if key not in lists} == {
        key: value for key, value in djangos.items() if key not in lists
    }
    assert list(ours["log_entries"]) == list(djangos["log_entries"])


def sidebar_models(content: str) -> set[str]:
    sidebar = content.split('id="nav-sidebar"', 1)[1].split("</nav>", 1)[0]
    return {part.split('"', 1)[0].split()[0] for part in sidebar.split('class="model-')[1:]}


def test_the_sidebar_is_built_once_per_session_and_page(client, monkeypatch):
    client.force_login(make_user("chief@example.test", role=Role.ADMINISTRATOR))
    built = []
    original = PortalAdminSite.get_app_list
    monkeypatch.setattr(
        PortalAdminSite,
        "get_app_list",
        lambda site, request, *a: built.append(1) or original(site, request, *a),
    )

    first = client.get(LIST).content.decode()
    again = client.get(LIST).content.decode()

    assert len(built) == 1
    assert "sale" in sidebar_models(first) and sidebar_models(again) == sidebar_models(first)


def test_each_user_sees_his_own_sidebar(client):
    accountant = make_user("accountant@example.test", role=Role.ACCOUNTANT)
    chief = make_user("chief@example.test", role=Role.ADMINISTRATOR)

    client.force_login(chief)
    chiefs = sidebar_models(client.get(LIST).content.decode())
    client.force_login(accountant)
    accountants = sidebar_models(client.get(LIST).content.decode())

    # Technical sections are the administrator's only, even right after he has opened the page.
    assert "group" in chiefs and "group" not in accountants
    assert "sale" in accountants
