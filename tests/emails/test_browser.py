"""Every email's HTML drawn by Chromium at a desktop mail pane's width and a phone's: nothing
overflows sideways and the button is there to press."""

import base64

import pytest

from portal.branding.logo import company_email_logo
from portal.branding.selectors import company_settings_get
from portal.notify import notify_email
from portal.texts.emails import LOGO_CID_SRC
from portal.texts.kinds import KINDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = [600, 360]


def email_html(kind: str, language: str = "en") -> str:
    """The kind's HTML as sent, the inline logo swapped for a data: URI a page can show."""
    values = {**KINDS[kind].samples(), "link": f"https://portal.horizon.test/page-of/{kind}/"}
    del values["company_name"]
    message = notify_email(
        key=f"k:{kind}", kind=kind, to="anna@example.test", language=language, values=values
    )
    logo = company_email_logo(company=company_settings_get())
    data = f"data:image/png;base64,{base64.b64encode(logo.content).decode()}"
    return message.html.replace(LOGO_CID_SRC, data)


@pytest.fixture
def mail_pane(browser):
    def open_at(width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        return context.new_page()

    contexts = []
    yield open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_email_fits_the_width_and_shows_its_button(company, mail_pane, kind, width):
    page = mail_pane(width)

    page.set_content(email_html(kind))

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    button = page.get_by_role("link", name=str(KINDS[kind].button))
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["height"] >= 40  # a finger's worth to press
    logo = page.get_by_role("img", name="Horizon Habitat")
    assert logo.is_visible()
    assert logo.evaluate("image => image.complete && image.naturalWidth > 0")
    assert page.get_by_text("RCS Lyon 812 345 678").is_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_unbroken_value_wraps_instead_of_widening_the_email(company, mail_pane, width):
    page = mail_pane(width)
    values = {
        "buyer_name": "Anna",
        "link": "https://portal.horizon.test/" + "x" * 300,
        "reference": "R" * 120,
    }
    message = notify_email(key="k", kind="payment_failed", to="a@example.test", language="en", values=values)

    page.set_content(message.html)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
