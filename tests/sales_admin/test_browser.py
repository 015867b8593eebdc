"""The main back-office journey in Chromium: a sale moves a stage, the dashboard draws its chart."""

import pytest
from django.test import Client

from tests.sales_admin.helpers import sale_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_staff_move_a_sale_and_read_the_dashboard_with_no_script_refused(browser, live_server, world):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    sale = sale_make(world.a, world.anne, buyers=2)
    logged_in(page, live_server, world.anne)

    page.goto(f"{live_server.url}/admin/sales/sale/{sale.pk}/change/")
    page.get_by_role("button", name="Move to “Reservation signed”").click()

    assert page.locator(".messagelist").inner_text().startswith(f"Sale {sale.reference} is now at stage")
    assert page.get_by_role("heading", name="Stage: Reservation signed").is_visible()
    assert page.locator("#sale-timeline tbody tr").count() == 2

    page.goto(f"{live_server.url}/admin/sales/sale/dashboard/")
    bars = page.locator("#dashboard-chart svg rect")
    assert bars.count() == 9
    assert bars.nth(1).bounding_box()["height"] > 10  # the one sale at "Reservation signed"
    assert refused == []
    context.close()
