"""The client space as a buyer sees it on a phone (390 px) and on a desktop (1280 px).

Marie buys an apartment and a parking space; her deposit is asked, an earlier request is paid.
Each page must fit the screen, never break a value inside a word or an amount, and a table that
scrolls sideways must say so and be reachable by keyboard.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Payment
from payments.services.money import payment_record_transfer
from payments.services.requests import deposit_request, payment_request_create
from portal.users.models import User
from portal.users.roles import Role
from programmes.models import Building
from sales.models import Sale
from tests.conftest import make_user
from tests.space import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]
EMAIL = "marie@example.test"

# Every value of a page: each run of characters between breakable spaces ("word") must sit on
# one line, and no element may be wider than its box. Non-breaking spaces belong to the word,
# so "12 887,50 €" counts as one.
SPLIT_WORDS = """
(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    if (element.scrollWidth > element.clientWidth + 1 && !element.closest('.table-wrap--scroll')) {
      broken.push('overflows: ' + element.textContent.trim());
    }
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.visually-hidden')) continue;
      for (const match of node.textContent.matchAll(/[^ \\t\\n]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(
          [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))
        );
        if (lines.size > 1) broken.push('split: ' + match[0]);
      }
    }
  }
  return broken;
}
"""
VALUES = (
    "main dd, main td, main th, main h1, main h2, main h3, main .lead, main .next-step, "
    "main .milestone__date, main .timeline__state"
)
SCROLLERS = """
() => [...document.querySelectorAll('main *')]
  .filter((element) => {
    const style = getComputedStyle(element);
    return ['auto', 'scroll'].includes(style.overflowX) && element.scrollWidth > element.clientWidth;
  })
  .map((element) => ({
    tabindex: element.getAttribute('tabindex'),
    role: element.getAttribute('role'),
    name: element.getAttribute('aria-label') ||
      (element.getAttribute('aria-labelledby') || '').split(' ')
        .map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim(),
    hint: (document.getElementById(element.getAttribute('aria-describedby')) || {}).offsetHeight || 0,
  }))
"""


@pytest.fixture
def marie_space(tmp_path, settings):
    """Marie's purchase as the demo has it: long French words, amounts with thousands."""
    settings.MEDIA_ROOT = tmp_path / "private"
    advisor = make_user("sam@example.test", role=Role.SALES, first_name="Samuel", last_name="Vendeur")
    programme = factories.ProgrammeFactory(name="Les Jardins de Lumière", code="LUM")
    building = Building.objects.create(programme=programme, name="A")
    lots = factories.lots_make(programme, 2, building=building, floor=0, price=Decimal("257750.00"))
    marie = factories.buyer_with_login(EMAIL)
    paul = factories.buyers_make(1)[0]
    sale = factories.sale_make(
        programme, lots, [marie, paul], advisor=advisor, contract_number="LUM-2026-014"
    )
    Sale.objects.filter(pk=sale.pk).update(deed_planned_on=timezone.localdate() + timedelta(days=300))
    paid = payment_request_create(
        actor=advisor, sale=sale, amount=Decimal("4800.00"), reference="LUM-2026-014-OPT"
    )
    payment_record_transfer(
        actor=advisor, payment=paid, amount=Decimal("4800.00"), received_on=timezone.localdate()
    )
    deposit = deposit_request(actor=advisor, sale=Sale.objects.get(pk=sale.pk))
    Payment.objects.filter(pk=deposit.pk).update(amount=Decimal("12887.50"))
    factories.milestones_make(programme, reached=2)
    return sale


def _log_in(browser, live_server, width: int):
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 500 else 800}, locale="en"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("e-mail|email", re.IGNORECASE)).fill(EMAIL)
    page.get_by_label(re.compile("password", re.IGNORECASE)).fill("secret-pass-42")
    page.get_by_role("button", name=re.compile("log in|sign in", re.IGNORECASE)).click()
    page.wait_for_url(f"{live_server.url}/space/")
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_no_value_of_the_buyers_pages_wraps_inside_a_word_or_an_amount(
    browser, live_server, marie_space, width
):
    context, page = _log_in(browser, live_server, width)
    sale = marie_space
    for path in [
        "/space/",
        f"/space/sales/{sale.pk}/",
        "/space/payments/",
        f"/space/sales/{sale.pk}/calendar/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(SPLIT_WORDS, VALUES) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    page.goto(f"{live_server.url}/space/payments/")
    assert page.get_by_text("€12,887.50").first.is_visible()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_table_that_scrolls_sideways_says_so_and_can_be_reached_by_keyboard(
    browser, live_server, marie_space, width
):
    context, page = _log_in(browser, live_server, width)
    page.goto(f"{live_server.url}/space/sales/{marie_space.pk}/")
    scrollers = page.evaluate(SCROLLERS)
    if width == 390:
        # The lots table is wider than a phone: it scrolls inside its box, with words saying so.
        assert scrollers, "the lots table should scroll sideways on a phone"
    for scroller in scrollers:
        assert scroller["tabindex"] == "0"
        assert scroller["role"] == "region"
        assert scroller["name"]
        assert scroller["hint"] > 0, "a visible hint says the table scrolls"
    wrap = page.locator(".table-wrap--scroll").first
    assert wrap.get_attribute("tabindex") == "0"
    assert wrap.get_attribute("role") == "region"
    assert page.get_by_role("region", name="Table of the lots").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_logged_in_buyer_switches_to_polish_from_the_footer_and_it_sticks(
    browser, live_server, marie_space, width
):
    context, page = _log_in(browser, live_server, width)
    page.get_by_label("Language").select_option("pl")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(f"{live_server.url}/space/")
    assert page.locator("html").get_attribute("lang") == "pl"
    page.goto(f"{live_server.url}/space/payments/")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert User.objects.get(email=EMAIL).language == "pl"
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_account_page_keeps_the_client_space_menu(browser, live_server, marie_space, width):
    context, page = _log_in(browser, live_server, width)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My account").click()
    page.wait_for_url(f"{live_server.url}/account/")
    menu = page.get_by_role("navigation", name="Main menu")
    for name in ["My purchases", "Reserve a lot", "Payments"]:
        assert menu.get_by_role("link", name=name).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_buyer_opening_the_back_office_gets_a_page_in_his_language_that_leads_back(
    browser, live_server, marie_space, width
):
    User.objects.filter(email=EMAIL).update(language="fr")
    context, page = _log_in(browser, live_server, width)
    response = page.goto(f"{live_server.url}/admin/")
    assert response.status == 403
    assert page.locator("html").get_attribute("lang") == "fr"
    assert (
        page.get_by_role("navigation", name=re.compile("menu", re.IGNORECASE))
        .get_by_role("link", name="Mes acquisitions")
        .is_visible()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("main .button--primary").click()
    page.wait_for_url(f"{live_server.url}/space/")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_purchase_page_asks_for_the_deposit_until_it_is_paid_then_moves_on(
    browser, live_server, marie_space, width
):
    context, page = _log_in(browser, live_server, width)
    sale = marie_space
    deposit = Payment.objects.get(sale=sale, kind=Payment.Kind.DEPOSIT)
    Payment.objects.filter(pk=deposit.pk).update(due_on=date(2027, 1, 15))
    page.goto(f"{live_server.url}/space/sales/{sale.pk}/")
    next_step = page.get_by_role("region", name="What happens next")
    assert "Pay your deposit of €12,887.50 by Jan. 15, 2027." in next_step.inner_text()
    next_step.get_by_role("link", name="See my payments").click()
    page.wait_for_url(f"{live_server.url}/space/payments/")

    payment_record_transfer(
        actor=None, payment=deposit, amount=Decimal("12887.50"), received_on=timezone.localdate()
    )
    page.goto(f"{live_server.url}/space/sales/{sale.pk}/")
    text = page.get_by_role("region", name="What happens next").inner_text()
    assert "Your deposit is received." in text
    assert "pay the deposit" not in text.lower()
    context.close()
