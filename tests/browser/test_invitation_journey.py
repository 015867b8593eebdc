import re

import pytest

from portal.users.roles import Role
from sales.invitations import invitation_send
from sales.models import Buyer
from tests.conftest import make_user
from tests.invitations.conftest import invitation_path
from tests.space import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_opens_his_invitation_sets_his_password_and_reads_his_purchase_on_a_phone(
    page, live_server, tmp_path, mailoutbox
):
    screenshots = tmp_path  # kept by pytest for a look after a failure
    advisor = make_user("sam@example.test", role=Role.SALES, first_name="Sam", last_name="Advisor")
    programme = factories.ProgrammeFactory(
        name="Les Jardins du Canal", code="JDC", self_reservation_enabled=True
    )
    buyer = Buyer.objects.create(
        first_name="Emma", last_name="Stone", email="emma@example.test", language="en"
    )
    sale = factories.sale_make(programme, factories.lots_make(programme, 2), [buyer], advisor=advisor)
    (free_lot,) = factories.lots_make(programme, 1)
    invitation_send(actor=advisor, buyer=buyer)
    # Sent at once (the test commits); the outbox row no longer holds the secret link.
    (email,) = [message for message in mailoutbox if message.to == ["emma@example.test"]]
    link = invitation_path(email)
    csp_violations = []  # an inline script or style would be refused, and said so here
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text),
    )

    page.goto(f"{live_server.url}{link}")
    assert page.get_by_role("heading", name="Welcome, Emma").is_visible()
    page.get_by_label("Choose a password").fill("a-long-passphrase")
    page.get_by_label("Type it again").fill("a-long-passphrase")
    page.get_by_role("button", name="Set my password").click()

    page.wait_for_url(f"{live_server.url}/space/")
    assert page.get_by_role("heading", name="My purchases", level=1).is_visible()
    assert page.get_by_text("Your password is set.").is_visible()
    page.get_by_role("link", name=re.compile("Les Jardins du Canal")).click()

    page.wait_for_url(f"{live_server.url}/space/sales/{sale.pk}/")
    assert page.get_by_role("heading", name="My purchase at Les Jardins du Canal").is_visible()
    assert page.get_by_role("heading", name="What happens next").is_visible()
    assert page.get_by_role("rowheader", name="A001").is_visible()
    # Nothing overflows a 360 px wide screen (wide tables scroll inside their own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.screenshot(path=str(screenshots / "purchase-360.png"), full_page=True)
    assert csp_violations == []

    # He asks to hold another lot of his programme, still on his phone.
    page.get_by_role("link", name="Reserve a lot").click()
    page.wait_for_url(f"{live_server.url}/space/reserve/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name=f"Request a reservation – lot {free_lot.number}").click()
    page.wait_for_url(f"{live_server.url}/space/reserve/{free_lot.pk}/")
    assert page.get_by_role("heading", name="Confirm your reservation request").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url(re.compile(r"/space/sales/\d+/$"))
    assert page.get_by_text(f"Your request for lot {free_lot} is sent.").is_visible()
    assert csp_violations == []

    # The link worked once: opening it again shows the refusal page.
    page.goto(f"{live_server.url}{link}")
    assert page.get_by_role("heading", name="This link no longer works").is_visible()
