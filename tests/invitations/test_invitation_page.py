"""The page behind a buyer's invitation link: set a password once, land on the dashboard."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.outbox.models import OutboxMessage
from sales.invitations import invitation_revoke, invitation_send
from tests.invitations.conftest import invitation_path

pytestmark = pytest.mark.django_db

PASSWORDS = {"password1": "a-long-passphrase", "password2": "a-long-passphrase"}


@pytest.fixture
def link(staff, english_buyer):
    invitation_send(actor=staff, buyer=english_buyer)
    return invitation_path(OutboxMessage.objects.get())


def main_of(response) -> str:
    """The page's <main>: the footer's language form differs on every page (its token, its path)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def refused_page(client, db):
    """What an unknown link shows: every unusable link must look exactly like it."""
    response = client.get(reverse("space:invitation", args=["x" * 43]))
    assert response.status_code == 404
    return main_of(response)


def test_the_link_opens_a_form_with_two_password_fields(client, link):
    response = client.get(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Welcome, Emma" in html
    assert html.count('type="password"') == 2
    assert 'autocomplete="new-password"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_setting_the_password_logs_the_buyer_in_and_opens_his_dashboard(client, link, english_buyer):
    response = client.post(link, PASSWORDS)

    assert response.status_code == 302
    assert response["Location"] == reverse("space:dashboard")
    dashboard = client.get(reverse("space:dashboard"))
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user.email == "emma@example.test"
    assert "Your password is set." in dashboard.content.decode()


def test_the_new_password_works_on_the_login_page(client, link):
    client.post(link, PASSWORDS)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "emma@example.test", "password": "a-long-passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_link_works_only_once(client, link, refused_page):
    client.post(link, PASSWORDS)
    client.logout()
    for response in (client.get(link), client.post(link, {**PASSWORDS, "password1": "x"})):
        assert response.status_code == 404
        assert main_of(response) == refused_page


def test_an_expired_link_shows_the_same_page_as_an_unknown_one(client, link, refused_page):
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        response = client.get(link)
    assert response.status_code == 404
    assert main_of(response) == refused_page
    assert "This link no longer works" in refused_page


def test_a_revoked_link_shows_the_same_page_as_an_unknown_one(
    client, link, staff, english_buyer, refused_page
):
    invitation_revoke(actor=staff, buyer=english_buyer)
    response = client.get(link)
    assert response.status_code == 404
    assert main_of(response) == refused_page


def test_different_passwords_are_refused_in_words(client, link):
    response = client.post(link, {"password1": "a-long-passphrase", "password2": "another-passphrase"})
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_weak_password_is_refused_in_words_and_the_link_keeps_working(client, link):
    response = client.post(link, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert client.post(link, PASSWORDS).status_code == 302


def test_the_page_speaks_the_buyers_language(client, staff, ewa):
    invitation_send(actor=staff, buyer=ewa)
    response = client.get(invitation_path(OutboxMessage.objects.get()))
    assert '<html lang="pl">' in response.content.decode()
