"""The company's layout around every email: logo, colours, a button to the page the email is
about, and a footer with the legal details and where to change how we notify.

The editable texts (`portal.texts`) are the body; `email_compose` wraps them in
`templates/email/base.html` (HTML) and `base.txt` (plain text). Styles are written inline in the
templates: mail clients drop `<style>` blocks, so there is nothing left to inline at send time
except the few tags of the body, styled here.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from portal.branding.contrast import HEX_COLOUR_RE
from portal.branding.logo import EmailLogo, company_email_logo
from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get

# What `{button}` becomes in the HTML body until the layout puts the button there. A character of
# Unicode's private use area: it survives HTML escaping and no text typed by staff contains it.
BUTTON_SLOT = "\ue000button\ue000"
# The logo travels inside the email (an inline part), so clients that block remote images show it.
LOGO_CONTENT_ID = "company-logo@portal"
LOGO_CID_SRC = f"cid:{LOGO_CONTENT_ID}"

_BARE_PARAGRAPH = re.compile(r"<p>", re.IGNORECASE)
_UNSTYLED_LINK = re.compile(r"<a\s(?![^>]*\bstyle=)", re.IGNORECASE)


@dataclass(frozen=True)
class EmailButton:
    url: str
    label: str


@dataclass(frozen=True)
class EmailContent:
    """An email ready for the outbox: its subject, plain-text part and HTML part."""

    subject: str
    text: str
    html: str


def _colour(value: str, fallback: str) -> str:
    # Saving validates the colours; this guards the email against a row edited around validation.
    return value if HEX_COLOUR_RE.match(value or "") else fallback


def email_colours(company: CompanySettings) -> dict[str, str]:
    return {
        "primary": _colour(company.primary_colour, "#1f4e79"),
        "on_primary": _colour(company.on_primary_colour, "#ffffff"),
        "background": _colour(company.page_background_colour, "#ffffff"),
        "text": _colour(company.page_text_colour, "#1a1a1a"),
    }


def _styled_body(html: str, colours: dict[str, str]) -> str:
    """The few tags texts are written with, given the inline style a stylesheet would have given."""
    html = _BARE_PARAGRAPH.sub('<p style="margin:0 0 16px 0;">', html)
    return _UNSTYLED_LINK.sub(f'<a style="color:{colours["primary"]};text-decoration:underline;" ', html)


def email_account_url() -> str:
    """Where the footer sends people to change their language and phone number."""
    return settings.SITE_URL + reverse("account")


def email_compose(
    *,
    subject: str,
    text: str,
    html: str,
    language: str,
    button: EmailButton | None = None,
    logo_src: str = LOGO_CID_SRC,
) -> EmailContent:
    """Wrap a body (`html`, `text`) in the company's layout, in `language`.

    The button goes where the HTML body holds `BUTTON_SLOT`, else after the body. `logo_src` is
    where the HTML loads the logo from: the inline part by default (`outbox_email_build` attaches
    it), a URL or a data: URI to show the email in a browser.
    """
    company = company_settings_get()
    colours = email_colours(company)
    logo: EmailLogo | None = company_email_logo(company=company)
    with translation.override(language):
        context = {
            "company": company,
            "colours": colours,
            "language": language,
            "subject": subject,
            "account_url": email_account_url(),
            "logo": {"src": logo_src, "width": logo.width, "height": logo.height} if logo else None,
        }
        body = _styled_body(html, colours)
        if button and BUTTON_SLOT in body:
            button_html = render_to_string("email/button.html", {**context, "button": button})
            body, button = body.replace(BUTTON_SLOT, button_html, 1), None
        body = body.replace(BUTTON_SLOT, "")
        # The body is the company's own HTML with escaped values (portal.texts.formatting.fill).
        full_html = render_to_string(
            "email/base.html", {**context, "body": mark_safe(body), "button": button}
        )
        full_text = render_to_string("email/base.txt", {**context, "text": text.rstrip()})
    return EmailContent(subject=subject, text=full_text, html=full_html)
