"""Rendering the editable email and SMS texts, and saving the ones staff edit."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from portal.audit.services import audit_record
from portal.branding.selectors import company_settings_get
from portal.texts.emails import BUTTON_SLOT, EmailButton, EmailContent, email_compose
from portal.texts.formatting import fill
from portal.texts.kinds import KINDS, SMS, TextKind
from portal.texts.models import MessageTemplate, message_template_cache_key
from portal.users.models import User

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"

# Saving or deleting a row drops its cached copy; the timeout bounds the damage of a write that
# bypasses the model (a queryset update, a manual SQL fix).
_CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class TextParts:
    """A text as written, placeholders unfilled. For SMS, the message is `text`."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class RenderedText:
    """A text ready to send: subject, text and html for email, sms for SMS (the others are "").

    The html body holds `BUTTON_SLOT` where its `{button}` was; `button` is the kind's button to
    its link, for `email_compose` to draw (None when the kind has none or the link is empty).
    """

    subject: str
    text: str
    html: str
    sms: str
    button: EmailButton | None = None


def texts_language(language: str | None) -> str:
    """The installation's language closest to `language` ("pl-PL" gives "pl"), else the default one."""
    codes = {code for code, _name in settings.LANGUAGES}
    base = (language or "").lower().replace("_", "-").split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


def _kind_checked(kind: str, channel: str) -> TextKind:
    text_kind = KINDS.get(kind)
    if text_kind is None:
        raise ValueError(f"Unknown kind of text: {kind!r}")
    if channel not in text_kind.channels:
        raise ValueError(f"The {kind!r} text is not sent by {channel!r}")
    return text_kind


@functools.cache
def texts_default(*, kind: str, language: str, channel: str) -> TextParts:
    """The default text shipped in `defaults/<language>/` (read from disk once per process)."""
    _kind_checked(kind, channel)
    folder = DEFAULTS_DIR / texts_language(language)
    if channel == SMS:
        return TextParts(subject="", text=(folder / f"{kind}.sms.txt").read_text("utf-8").strip(), html="")
    return TextParts(
        subject=(folder / f"{kind}.subject.txt").read_text("utf-8").strip(),
        text=(folder / f"{kind}.txt").read_text("utf-8"),
        html=(folder / f"{kind}.html").read_text("utf-8"),
    )


def _edited_parts(*, kind: str, language: str, channel: str) -> TextParts | None:
    key = message_template_cache_key(kind=kind, language=language, channel=channel)
    cached = cache.get(key)
    if cached is None:
        row = (
            MessageTemplate.objects.filter(kind=kind, language=language, channel=channel)
            .values_list("subject", "text", "html")
            .first()
        )
        # An empty tuple remembers "no edited text", so the default costs no query either.
        cached = tuple(row) if row else ()
        cache.set(key, cached, _CACHE_SECONDS)
    return TextParts(*cached) if cached else None


def _render(
    parts: TextParts, values: Mapping[str, Any], channel: str, kind: TextKind, language: str
) -> RenderedText:
    if channel == SMS:
        return RenderedText(subject="", text="", html="", sms=fill(parts.text, values).strip())
    link = str(values.get("link") or "")
    button = None
    if kind.button and link:
        with translation.override(language):
            button = EmailButton(url=link, label=str(kind.button))
    return RenderedText(
        # A subject is one header line, whatever the values hold.
        subject=" ".join(fill(parts.subject, values).split()),
        # The plain text has no button: {button} is its link there.
        text=fill(parts.text, {**values, "button": link}),
        html=fill(parts.html, {**values, "button": BUTTON_SLOT if button else ""}, html=True),
        sms="",
        button=button,
    )


def texts_render(
    *, kind: str, language: str, values: Mapping[str, Any], channel: str = "email"
) -> RenderedText:
    """Render the `kind` text for `channel` in `language` with `values` for its placeholders.

    Uses the text staff edited if there is one, else the shipped default. `company_name` comes
    from the company settings unless `values` gives it. A missing value renders as "", values are
    HTML-escaped in the html body only. At most one query (none once cached).
    Raises ValueError for an unknown kind or a channel the kind is not sent by.
    """
    _kind_checked(kind, channel)
    language = texts_language(language)
    parts = _edited_parts(kind=kind, language=language, channel=channel) or texts_default(
        kind=kind, language=language, channel=channel
    )
    text_kind = KINDS[kind]
    return _render(
        parts, {"company_name": company_settings_get().name, **values}, channel, text_kind, language
    )


def texts_render_email(*, kind: str, language: str, values: Mapping[str, Any]) -> EmailContent:
    """The `kind` email in `language`, in the company's layout: subject, plain text and HTML.

    The button leads to `values["link"]`, the page the email is about.
    """
    rendered = texts_render(kind=kind, language=language, values=values, channel="email")
    return email_compose(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=texts_language(language),
        button=rendered.button,
    )


def texts_preview(*, kind: str, channel: str, parts: TextParts, language: str = "") -> RenderedText:
    """`parts` rendered with the sample values of the kind's placeholders, for the back-office."""
    text_kind = _kind_checked(kind, channel)
    samples = {**text_kind.samples(), "company_name": company_settings_get().name}
    return _render(parts, samples, channel, text_kind, texts_language(language or None))


@transaction.atomic
def texts_template_save(
    *, template: MessageTemplate, actor: User | None, changes: dict[str, Any]
) -> MessageTemplate:
    """Save a (validated) edited text; the next render uses it. `changes` is {field: [old, new]}
    (portal.audit.changes.changes_of)."""
    created = template.pk is None
    template.save()
    action = "texts.template_created" if created else "texts.template_changed"
    audit_record(actor=actor, action=action, obj=template, data=changes)
    return template


@transaction.atomic
def texts_template_delete(*, template: MessageTemplate, actor: User | None) -> None:
    """Delete an edited text: the shipped default applies again."""
    audit_record(actor=actor, action="texts.template_deleted", obj=template)
    template.delete()
