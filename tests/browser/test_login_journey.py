import pytest

from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_logs_in_through_the_login_page_on_a_phone(page, live_server):
    make_user("marie@example.test", password="a-long-passphrase", first_name="Marie", language="fr")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Adresse e-mail").fill("marie@example.test")
    page.get_by_label("Mot de passe").fill("a-long-passphrase")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/account/")
    assert page.get_by_role("heading", name="Mon compte").is_visible()
    # Nothing overflows a 360 px wide screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_wrong_password_is_explained_next_to_the_form(page, live_server):
    make_user("marie@example.test", password="a-long-passphrase")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill("marie@example.test")
    page.get_by_label("Mot de passe").fill("not-this-one")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_text("L’adresse e-mail et/ou le mot de passe que vous avez spécifiés sont incorrects.").is_visible() or page.locator(".errorlist").count() > 0
    assert "/accounts/login/" in page.url
