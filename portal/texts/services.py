"""Rendering the editable email and SMS texts, and saving the ones staff edit."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal.audit.services import audit_record
from portal.branding.selectors import company_settings_get
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
    """A text ready to send: subject, text and html for email, sms for SMS (the others are "")."""

    subject: str
    text: str
    html: str
    sms: str


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


def _render(parts: TextParts, values: Mapping[str, Any], channel: str) -> RenderedText:
    if channel == SMS:
        return RenderedText(subject="", text="", html="", sms=fill(parts.text, values).strip())
    return RenderedText(
        # A subject is one header line, whatever the values hold.
        subject=" ".join(fill(parts.subject, values).split()),
        text=fill(parts.text, values),
        html=fill(parts.html, values, html=True),
        sms="",
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
    return _render(parts, {"company_name": company_settings_get().name, **values}, channel)


def texts_preview(*, kind: str, channel: str, parts: TextParts) -> RenderedText:
    """`parts` rendered with the sample values of the kind's placeholders, for the back-office."""
    samples = {**_kind_checked(kind, channel).samples(), "company_name": company_settings_get().name}
    return _render(parts, samples, channel)


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
