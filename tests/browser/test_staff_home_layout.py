"""The back-office's home page at 390 px and 1280 px: the panels fit, amounts stay whole."""

import re
from datetime import date
from decimal import Decimal

import pytest

from payments.services.money import payment_record_transfer
from payments.services.requests import payment_request_create
from portal.users.roles import Role
from sales.models import Sale
from tests.browser.test_client_space_layout import SPLIT_WORDS
from tests.sales_admin.helpers import programme_with_staff, sale_make, staff_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]
PANELS = ".staff-home-panel li, .staff-home-panel h2, .staff-home-panel p"


@pytest.fixture
def accountant(settings):
    settings.STAFF_MFA_REQUIRED = False
    programme, seller = programme_with_staff("lum", "seller@example.test")
    accountant = staff_of(programme, "claire@example.test", role=Role.ACCOUNTANT)
    payment = payment_request_create(
        actor=seller,
        sale=sale_make(programme, seller),
        amount=Decimal("12887.50"),
        reference="LUM-2026-014-OPT",
    )
    payment_record_transfer(
        actor=accountant, payment=payment, amount=payment.amount, received_on=date.today()
    )
    Sale.objects.filter(pk=sale_make(programme, seller).pk).update(requested_by_buyer=True)
    return accountant


def _log_in(browser, live_server, width: int, email: str):
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 500 else 800}, locale="en"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("e-mail|email", re.IGNORECASE)).fill(email)
    page.get_by_label(re.compile("password", re.IGNORECASE)).fill("secret-pass-42")
    page.get_by_role("button", name=re.compile("log in|sign in", re.IGNORECASE)).click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/admin/")
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_staff_home_panels_fit_the_screen_and_keep_amounts_whole(browser, live_server, accountant, width):
    context, page = _log_in(browser, live_server, width, accountant.email)

    assert page.locator("#home-reconcile").is_visible()
    assert page.locator("#home-alerts").get_by_text("No unread alert").is_visible()
    assert page.get_by_text("€12,887.50").is_visible()
    assert page.evaluate(SPLIT_WORDS, PANELS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Reconcile the payment").click()
    page.wait_for_url(re.compile(r"/admin/payments/payment/\?reconciled=no"))
    assert page.get_by_text("LUM-2026-014-OPT").first.is_visible()
    context.close()
