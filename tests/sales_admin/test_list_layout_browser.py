"""In Chromium at 1280x800, in French: the payments and sales lists keep their key columns in view
(amount, status, stage) without the page scrolling sideways, and the back-office wears the
company's name and colours."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.branding.models import CompanySettings
from portal.users.roles import Role
from tests.factories import request_make
from tests.sales_admin.helpers import sale_make, staff_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1280, 800


def french_page(browser, live_server, user):
    user.language = "fr"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        locale="fr-FR",
        extra_http_headers={"Accept-Language": "fr"},
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, context.new_page()


def right_edge(page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["x"] + box["width"]


def in_view(page, selector: str) -> bool:
    """Inside the window and not hidden by the list's own sideways scrolling (`.results`)."""
    return right_edge(page, selector) <= min(WIDTH, right_edge(page, "#changelist-form .results"))


def page_overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


@pytest.fixture
def long_names(world):
    """Long programme and buyer names, amounts in the hundreds of thousands, a long status."""
    world.a.name = "Résidence des Grands Jardins de la Vallée"
    world.a.save(update_fields=["name"])
    accountant = staff_of(world.a, "claire@example.test", role=Role.ACCOUNTANT)
    for number in range(3):
        sale = sale_make(world.a, world.anne, lots=2)
        request_make(sale, actor=world.anne, amount="731000.00", reference=f"LUM-2026-014-OPT-{number}")
    return accountant


def test_the_payments_list_shows_amount_and_status_within_1280_px(browser, live_server, world, long_names):
    context, page = french_page(browser, live_server, long_names)

    page.goto(live_server.url + reverse("admin:payments_payment_changelist"))

    assert page.locator("#result_list tbody tr").count() == 3
    assert in_view(page, "#result_list thead th.column-amount_column")
    assert in_view(page, "#result_list thead th.column-status")
    assert in_view(page, "#result_list tbody tr:first-child td.field-status")
    assert not page_overflows(page)
    # The secondary columns scroll inside the list, whose right edge fades while more is hidden.
    results = page.locator("#changelist-form .results")
    if results.evaluate("box => box.scrollWidth > box.clientWidth"):
        assert results.evaluate("box => getComputedStyle(box).maskImage") != "none"
        results.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('#changelist-form .results')).maskImage === 'none'"
        )
    context.close()


def test_the_sales_list_shows_the_stage_within_1280_px(browser, live_server, world):
    world.a.name = "Résidence des Grands Jardins de la Vallée"
    world.a.save(update_fields=["name"])
    for _number in range(3):
        sale_make(world.a, world.anne, lots=3)
    context, page = french_page(browser, live_server, world.anne)

    page.goto(live_server.url + reverse("admin:sales_sale_changelist"))

    assert page.locator("#result_list tbody tr").count() == 3
    assert in_view(page, "#result_list thead th.column-stage")
    assert in_view(page, "#result_list thead th.column-price_display")
    assert not page_overflows(page)
    context.close()


def test_a_reference_never_breaks_at_its_hyphens(browser, live_server, world, long_names):
    context, page = french_page(browser, live_server, long_names)

    page.goto(live_server.url + reverse("admin:payments_payment_changelist"))

    # The unread badge sits on its own line; the reference itself takes one line.
    lines = page.locator("#result_list tbody tr:first-child .field-reference_column").evaluate(
        """cell => {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            let last = null;
            while (walker.nextNode()) if (walker.currentNode.textContent.includes("LUM-")) last = walker.currentNode;
            const range = document.createRange();
            range.selectNodeContents(last);
            return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
        }"""
    )
    assert lines == 1
    context.close()


def test_the_back_office_wears_the_company_name_and_colours(browser, live_server, world):
    CompanySettings.objects.update_or_create(
        pk=CompanySettings.SINGLETON_PK,
        defaults={"name": "Horizon Habitat", "primary_colour": "#7a1f3d", "on_primary_colour": "#ffffff"},
    )
    context, page = french_page(browser, live_server, world.anne)

    page.goto(live_server.url + reverse("admin:index"))

    assert page.title().endswith("Horizon Habitat · Back-office")
    assert page.locator("#site-name").inner_text().startswith("Horizon Habitat")
    header = page.locator("#header").evaluate("header => getComputedStyle(header).backgroundColor")
    assert header == "rgb(122, 31, 61)"
    link = page.locator("#site-name[data-links='brand']")
    assert link.count() == 1  # #7a1f3d reads on white: links take it too
    context.close()
