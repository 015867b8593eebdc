"""Turning an outbox row into an email or an SMS and handing it over. No database writes here."""

from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import SafeMIMEMultipart

from portal.branding.logo import company_email_logo
from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get
from portal.outbox.attachments import outbox_attachment_read
from portal.outbox.models import OutboxMessage
from portal.sms import SmsBackend, get_sms_backend
from portal.texts.emails import LOGO_CID_SRC, LOGO_CONTENT_ID


class RelatedEmail(EmailMultiAlternatives):
    """An email whose HTML shows images sent inside it (`cid:` links), such as the logo.

    The text and HTML alternatives and those images go in one multipart/related part, so that
    files attached for the reader (a receipt) stay attachments.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related: list[MIMEBase] = []

    def _create_alternatives(self, msg: Any) -> Any:
        # Django 5.2 builds the body here (a private hook the type stubs do not declare).
        msg = super()._create_alternatives(msg)  # type: ignore[misc]
        if not self.related:
            return msg
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(msg)
        for part in self.related:
            related.attach(part)
        return related


def outbox_from_email(*, company: CompanySettings) -> str:
    """The company's sender name (company settings) with the address of DEFAULT_FROM_EMAIL."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # One header line, quoted or encoded as the name needs.
    name = " ".join(company.sender_name.split())
    return formataddr((name, address or settings.DEFAULT_FROM_EMAIL))


def outbox_email_build(
    *, message: OutboxMessage, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    """The email for an outbox row, ready to send, with its HTML part, the logo its HTML shows
    and its attachments."""
    company = company_settings_get()
    email = RelatedEmail(
        subject=message.subject,
        body=message.text,
        from_email=outbox_from_email(company=company),
        to=list(message.recipients),
        reply_to=[message.reply_to] if message.reply_to else None,
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
        logo = company_email_logo(company=company) if LOGO_CID_SRC in message.html else None
        if logo is not None:
            image = MIMEImage(logo.content, "png")
            image.add_header("Content-ID", f"<{LOGO_CONTENT_ID}>")
            image.add_header("Content-Disposition", "inline", filename="logo.png")
            email.related.append(image)
    for attachment in message.attachments:
        content = outbox_attachment_read(path=attachment["path"])
        email.attach(attachment["filename"], content, attachment["mimetype"])
    return email


def outbox_message_deliver(
    *,
    message: OutboxMessage,
    connection: BaseEmailBackend | None = None,
    sms_backend: SmsBackend | None = None,
) -> str:
    """Send one message through its channel; return the provider's id ("" for an email).

    Raises whatever the mail server or the SMS provider raised; the caller records it.
    """
    if message.channel == OutboxMessage.Channel.EMAIL:
        outbox_email_build(message=message, connection=connection).send()
        return ""
    backend = sms_backend or get_sms_backend()
    return backend.send(message.recipients[0], message.text)
