"""In Chromium: cancelling a sale takes a confirmation with a reason, at desktop and phone widths."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from portal.audit.models import AuditEntry
from sales.models import Sale
from tests.sales_admin.helpers import sale_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_cancelling_a_sale_asks_for_a_reason_before_anything_changes(
    browser, live_server, world, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    sale = sale_make(world.a, world.anne)
    logged_in(page, live_server, world.anne)

    page.goto(f"{live_server.url}/admin/sales/sale/{sale.pk}/change/")
    page.get_by_role("button", name="Move to “Cancelled”").click()

    expect(page.get_by_role("heading", name="What will happen")).to_be_visible()
    assert Sale.objects.get(pk=sale.pk).stage == "option"
    submit = page.get_by_role("button", name="Yes, move it to “Cancelled”")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    submit.click()
    expect(page.locator(".errorlist")).to_have_text("Say why: the reason is kept in the audit trail.")
    assert Sale.objects.get(pk=sale.pk).stage == "option"

    page.get_by_label("Reason").fill("The buyer's loan was refused")
    page.get_by_role("button", name="Yes, move it to “Cancelled”").click()

    expect(page.get_by_role("heading", name="Stage: Cancelled")).to_be_visible()
    entry = AuditEntry.objects.filter(action="sale.stage_changed", object_id=str(sale.pk)).latest("pk")
    assert entry.data["note"] == "The buyer's loan was refused"
    context.close()
