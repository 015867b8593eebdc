import re

import pytest

from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL_LABEL = re.compile("courriel|e-mail", re.IGNORECASE)
PASSWORD_LABEL = re.compile("mot de passe", re.IGNORECASE)
LOG_IN = re.compile("se connecter", re.IGNORECASE)


def test_a_buyer_logs_in_through_the_login_page_on_a_phone(page, live_server):
    make_user("marie@example.test", password="a-long-passphrase", first_name="Marie", language="fr")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label(EMAIL_LABEL).fill("marie@example.test")
    page.get_by_label(PASSWORD_LABEL).fill("a-long-passphrase")
    page.get_by_role("button", name=LOG_IN).click()
    # A buyer lands on his client space, with his account one link away.
    page.wait_for_url(f"{live_server.url}/space/")
    assert page.get_by_role("navigation").get_by_role("link", name="Mon compte").is_visible()
    # Nothing overflows a 360 px wide screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_wrong_password_is_explained_on_the_login_page(page, live_server):
    make_user("marie@example.test", password="a-long-passphrase")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(EMAIL_LABEL).fill("marie@example.test")
    page.get_by_label(PASSWORD_LABEL).fill("not-this-one")
    page.get_by_role("button", name=LOG_IN).click()
    error = page.locator(".errorlist")
    assert error.first.is_visible()
    assert "incorrect" in error.first.inner_text()
    assert "/accounts/login/" in page.url
