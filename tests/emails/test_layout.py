"""Every email as the outbox sends it: the company's layout (logo, colours, legal footer with the
account link), a button to the page it is about, a plain-text part, the company's sender name,
and Reply-To the sale's advisor where it concerns a sale."""

import re
from decimal import Decimal
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr
from types import SimpleNamespace

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from payments.alerts import alert_buyer_refunded
from payments.links import payment_admin_url, payment_link_url
from portal.branding.models import CompanySettings
from portal.notify import notify_email
from portal.outbox.delivery import outbox_email_build
from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_send
from portal.texts.emails import LOGO_CID_SRC, LOGO_CONTENT_ID
from portal.texts.kinds import KINDS
from portal.users.roles import Role
from sales.invitations import invitation_send
from tests.conftest import make_user
from tests.emails.conftest import LEGAL
from tests.factories import request_make
from tests.payments.factories import sale_with_buyer_make, session_object, session_open
from tests.payments.test_webhooks import event_send

pytestmark = pytest.mark.django_db

ACCOUNT_URL = "https://portal.horizon.test/account/"
BUYER_KINDS = [name for name in KINDS if not name.startswith("staff_")]


def built(message: OutboxMessage) -> tuple[EmailMultiAlternatives, Message]:
    """The email of the row as it goes out, and its MIME form."""
    email = outbox_email_build(message=message)
    return email, message_from_bytes(email.message().as_bytes())


def sender(mime: Message) -> tuple[str, str]:
    return parseaddr(str(make_header(decode_header(mime["From"]))))


def html_of(email: EmailMultiAlternatives) -> str:
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def button_href(html: str) -> str:
    return re.search(r'<a href="([^"]+)"[^>]*class="email-button"', html).group(1)


def assert_company_layout(email: EmailMultiAlternatives, mime: Message) -> str:
    html = html_of(email)
    assert sender(mime) == ("Horizon Habitat – Service clients", "no-reply@horizon.test")
    # The logo travels inside the email, next to the HTML that shows it.
    assert f'src="{LOGO_CID_SRC}"' in html
    [logo] = [part for part in mime.walk() if part.get("Content-ID") == f"<{LOGO_CONTENT_ID}>"]
    assert logo.get_content_type() == "image/png"
    assert 'alt="Horizon Habitat"' in html and 'width="200" height="50"' in html
    # Colours, legal footer and the way to change how we notify, in both parts.
    assert "background-color:#1f6f5c" in html
    assert "RCS Lyon 812 345 678" in html and "SAS Horizon Habitat" in html
    assert f'href="{ACCOUNT_URL}"' in html
    assert LEGAL in email.body and ACCOUNT_URL in email.body
    assert "<" not in email.body.replace("<no-reply", "")  # the text part is plain text
    # Styles are inline: nothing depends on a <style> block mail clients drop.
    assert "<style" not in html
    return html


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_goes_out_in_the_company_layout_with_a_button_to_its_link(company, kind):
    link = f"https://portal.horizon.test/page-of/{kind}/"
    values = {**KINDS[kind].samples(), "link": link}
    del values["company_name"]  # the company settings' one
    message = notify_email(key=f"k:{kind}", kind=kind, to="anna@example.test", language="en", values=values)

    email, mime = built(message)

    html = assert_company_layout(email, mime)
    assert button_href(html) == link
    assert f">{KINDS[kind].button}</a>" in html
    assert html.count('class="email-button"') == 1
    # The text part carries what the email exists for: the link the button opens, or the code.
    assert (values.get("code") or link) in email.body
    assert email.subject == message.subject and email.subject


@pytest.mark.parametrize("language", ["fr", "pl"])
def test_the_layout_speaks_the_recipients_language(company, language):
    values = {**KINDS["payment_request"].samples()}
    message = notify_email(
        key="k", kind="payment_request", to="anna@example.test", language=language, values=values
    )

    html = html_of(built(message)[0])

    assert f'<html lang="{language}"' in html
    assert {"fr": "Bonjour", "pl": "Dzień dobry"}[language] in html


def test_a_payment_request_has_the_pay_button_and_replies_go_to_the_advisor(company, mailoutbox):
    advisor = make_user("sam@horizon.test", role=Role.SALES, first_name="Sam", last_name="Advisor")
    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer", language="en")
    payment = request_make(sale, amount="2500.00", reference="INV-9")
    message = OutboxMessage.objects.get(
        key__startswith=f"payment-request:{payment.pk}:", key__endswith=":email"
    )

    email, mime = built(message)

    html = assert_company_layout(email, mime)
    assert button_href(html) == payment_link_url(payment)
    assert email.reply_to == ["sam@horizon.test"]


def test_the_confirmation_has_its_receipt_attached_the_logo_inline_and_a_button_to_the_payments_page(
    company, django_capture_on_commit_callbacks
):
    advisor = make_user("sam@horizon.test", role=Role.SALES)
    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer", language="en")
    payment = request_make(sale, reference="INV-7")
    with django_capture_on_commit_callbacks(execute=True):
        event_send("checkout.session.completed", session_object(session_open(payment)))
    message = OutboxMessage.objects.get(key=f"payment-confirmation:{payment.pk}")

    email, mime = built(message)

    html = assert_company_layout(email, mime)
    assert button_href(html) == "https://portal.horizon.test" + reverse("space:payments")
    assert email.reply_to == ["sam@horizon.test"]
    # The receipt stays an attachment; the logo is a part of the HTML, not a file to open.
    assert mime.get_content_type() == "multipart/mixed"
    related, receipt = mime.get_payload()
    assert related.get_content_type() == "multipart/related"
    assert receipt.get_content_type() == "application/pdf"
    assert receipt.get_content_disposition() == "attachment"
    alternative, logo = related.get_payload()
    assert [part.get_content_type() for part in alternative.get_payload()] == ["text/plain", "text/html"]
    assert logo.get_content_disposition() == "inline"


def test_a_refund_links_to_the_payments_page_and_replies_go_to_the_advisor(company):
    advisor = make_user("sam@horizon.test", role=Role.SALES)
    sale = sale_with_buyer_make(advisor=advisor, language="en")
    payment = request_make(sale)
    alert_buyer_refunded(payment, refund=SimpleNamespace(pk=1, amount=Decimal("100.00")))

    email, mime = built(OutboxMessage.objects.get(key="payment-refunded:1"))

    html = assert_company_layout(email, mime)
    assert button_href(html) == "https://portal.horizon.test/space/payments/"
    assert email.reply_to == ["sam@horizon.test"]


def test_a_payment_email_of_a_sale_without_an_active_advisor_has_no_reply_to(company):
    advisor = make_user("sam@horizon.test", role=Role.SALES)
    sale = sale_with_buyer_make(advisor=advisor, language="en")
    advisor.is_active = False
    advisor.save()
    payment = request_make(sale, actor=make_user("boss@horizon.test", role=Role.ADMINISTRATOR))
    message = OutboxMessage.objects.get(
        key__startswith=f"payment-request:{payment.pk}:", key__endswith=":email"
    )

    assert built(message)[0].reply_to == []


def test_the_advisors_alert_links_to_the_payment_in_the_back_office_with_no_reply_to(
    company, django_capture_on_commit_callbacks
):
    advisor = make_user("sam@horizon.test", role=Role.SALES)
    sale = sale_with_buyer_make(advisor=advisor, language="en")
    payment = request_make(sale)
    with django_capture_on_commit_callbacks(execute=True):
        event_send("checkout.session.completed", session_object(session_open(payment)))

    email, mime = built(OutboxMessage.objects.get(key=f"staff-payment-received:{payment.pk}:email"))

    html = assert_company_layout(email, mime)
    assert button_href(html) == payment_admin_url(payment)
    assert email.reply_to == []


def test_an_invitation_has_the_set_password_button_and_replies_go_to_the_advisor(company):
    advisor = make_user("sam@horizon.test", role=Role.SALES)
    sale = sale_with_buyer_make(advisor=advisor, language="en", email="ewa@example.test")
    invitation = invitation_send(actor=advisor, buyer=sale.buyers.get())

    email, mime = built(OutboxMessage.objects.get(key=f"invitation:{invitation.pk}"))

    html = assert_company_layout(email, mime)
    assert re.fullmatch(r"https://portal\.horizon\.test/space/invitation/[\w-]+/", button_href(html))
    assert ">Set my password</a>" in html
    assert email.reply_to == ["sam@horizon.test"]


def test_the_invitations_link_is_removed_from_the_row_once_sent_layout_and_all(company, mailoutbox):
    advisor = make_user("sam@horizon.test", role=Role.SALES)
    sale = sale_with_buyer_make(advisor=advisor, language="en", email="ewa@example.test")
    invitation = invitation_send(actor=advisor, buyer=sale.buyers.get())
    message = OutboxMessage.objects.get(key=f"invitation:{invitation.pk}")
    link = button_href(message.html)

    assert outbox_send(message_id=message.pk)

    assert link in html_of(mailoutbox[0]) and link in mailoutbox[0].body
    message.refresh_from_db()
    assert message.html == "" and link not in message.text


def test_allauths_password_reset_comes_in_the_layout_with_its_button(company, client, buyer):
    client.post(reverse("account_reset_password"), {"email": buyer.email})

    message = OutboxMessage.objects.get(recipients=[buyer.email])
    email, mime = built(message)

    html = assert_company_layout(email, mime)
    assert "/accounts/password/reset/key/" in button_href(html)
    assert button_href(html) in email.body


def test_an_account_email_with_no_editable_text_comes_in_the_layout_too(company, client):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})

    message = OutboxMessage.objects.get(recipients=["nobody@example.test"])
    email, mime = built(message)

    html = assert_company_layout(email, mime)
    assert button_href(html) == "https://portal.horizon.test/"


def test_the_sender_name_is_the_company_name_unless_one_is_set_for_emails(db, settings):
    settings.DEFAULT_FROM_EMAIL = "no-reply@horizon.test"
    CompanySettings(name="Horizon Habitat").save()
    message = notify_email(
        key="k",
        kind="payment_failed",
        to="anna@example.test",
        language="en",
        values={"link": "https://x.test/"},
    )

    assert sender(built(message)[1]) == ("Horizon Habitat", "no-reply@horizon.test")


def test_without_a_logo_the_email_shows_the_company_name_and_carries_no_image(db):
    CompanySettings(name="Horizon Habitat", legal_details=LEGAL).save()
    message = notify_email(
        key="k",
        kind="payment_failed",
        to="anna@example.test",
        language="en",
        values={"link": "https://x.test/"},
    )

    email, mime = built(message)

    html = html_of(email)
    assert "cid:" not in html and ">Horizon Habitat</span>" in html
    assert mime.get_content_type() == "multipart/alternative"


def test_a_text_staff_wrote_without_the_button_gets_it_after_its_body(company):
    from portal.texts.models import MessageTemplate

    MessageTemplate.objects.create(
        kind="payment_failed", language="en", subject="Failed", text="Retry: {link}", html="<p>It failed.</p>"
    )
    message = notify_email(
        key="k",
        kind="payment_failed",
        to="anna@example.test",
        language="en",
        values={"link": "https://x.test/p"},
    )

    html = html_of(built(message)[0])

    assert html.index("It failed.") < html.index('class="email-button"')
    assert button_href(html) == "https://x.test/p"
