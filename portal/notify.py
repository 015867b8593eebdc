"""Telling someone something: render the editable text in his language, put it in the outbox.

Domain apps call these instead of the outbox and texts modules, so every message of the product
follows the same path (editable text, recipient's language, outbox row with a unique key).
Staff also get a line in their back-office inbox (`notify_in_app`).
"""

from collections.abc import Mapping
from typing import Any

from portal.alerts.models import Alert
from portal.alerts.services import alert_create
from portal.outbox.attachments import OutboxAttachment
from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_enqueue_email, outbox_enqueue_sms
from portal.texts.services import texts_render, texts_render_email
from portal.users.models import User

# Texts whose link or code opens an account: the outbox forgets them once they are sent.
SECRET_KINDS = frozenset({"access_invitation", "password_reset", "email_confirmation", "login_code"})


def notify_email(
    *,
    key: str,
    kind: str,
    to: str,
    language: str,
    values: Mapping[str, Any],
    attachments: list[OutboxAttachment] | None = None,
    reply_to: str = "",
) -> OutboxMessage:
    """The `kind` email in the company's layout, with a button to `values["link"]` (the page it is
    about). `reply_to`: who answers, the sale's advisor when the email concerns a sale."""
    email = texts_render_email(kind=kind, language=language, values=values)
    return outbox_enqueue_email(
        key=key,
        to=to,
        subject=email.subject,
        text=email.text,
        html=email.html,
        attachments=attachments,
        reply_to=reply_to,
        secret=kind in SECRET_KINDS,
    )


def notify_sms(*, key: str, kind: str, to: str, language: str, values: Mapping[str, Any]) -> OutboxMessage:
    rendered = texts_render(kind=kind, language=language, values=values, channel="sms")
    return outbox_enqueue_sms(key=key, to=to, text=rendered.sms, secret=kind in SECRET_KINDS)


def notify_in_app(*, key: str, user: User, text: str, link: str = "") -> Alert:
    """Put an alert in `user`'s back-office inbox, once per `key` (asking again changes nothing).

    `text` is the sentence already in the user's language; `link` a page of the portal
    ("/admin/…"). Call it inside the transaction of the change it tells about.
    """
    return alert_create(key=key, user=user, text=text, link=link)
