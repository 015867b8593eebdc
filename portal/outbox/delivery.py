"""Turning an outbox row into an email or an SMS and handing it over. No database writes here."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from portal.outbox.attachments import outbox_attachment_read
from portal.outbox.models import OutboxMessage
from portal.sms import SmsBackend, get_sms_backend


def outbox_email_build(
    *, message: OutboxMessage, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    """The email for an outbox row, ready to send, with its HTML part and its attachments."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(message.recipients),
        reply_to=[message.reply_to] if message.reply_to else None,
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
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
