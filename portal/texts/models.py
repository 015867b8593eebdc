from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from portal.texts.formatting import validate_placeholders
from portal.texts.kinds import EMAIL, KINDS, SMS, kind_choices


class Channel(models.TextChoices):
    EMAIL = EMAIL, _("Email")
    SMS = SMS, _("SMS")


def message_template_cache_key(*, kind: str, language: str, channel: str) -> str:
    return f"texts:template:v1:{kind}:{language}:{channel}"


class MessageTemplate(models.Model):
    """A text staff edited for one kind, language and channel; it replaces the shipped default.

    For SMS, the message is the `text` field; subject and HTML stay empty.
    """

    kind = models.CharField(_("kind"), max_length=50, choices=kind_choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True, help_text=_("The plain-text email, or the SMS."))
    html = models.TextField(
        _("HTML"), blank=True, help_text=_("The HTML email; placeholder values are escaped.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("email or SMS text")
        verbose_name_plural = _("email and SMS texts")
        ordering = ["kind", "language", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "channel"], name="texts_one_text_per_kind_language"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language}, {self.get_channel_display()})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._forget_cached()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._forget_cached()
        return result

    def clean(self):
        kind = KINDS.get(self.kind)
        if kind is None:
            return  # the choices validation reports it
        if self.channel not in kind.channels:
            message = _("This kind of text is not sent by %(channel)s.")
            params = {"channel": self.get_channel_display()}
            raise ValidationError(
                {"channel": ValidationError(message, code="unsupported_channel", params=params)}
            )
        errors = {}
        required = ["subject", "text"] if self.channel == Channel.EMAIL else ["text"]
        for field in required:
            if not getattr(self, field).strip():
                errors[field] = ValidationError(_("This field is required."), code="required")
        if self.channel == Channel.SMS:
            # An SMS has one body: leftovers from an email would be silently ignored.
            self.subject, self.html = "", ""
        for field in ("subject", "text", "html"):
            if field in errors:
                continue
            try:
                validate_placeholders(getattr(self, field), kind.placeholder_names())
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember where the row was cached, in case kind, language or channel change.
        if {"kind", "language", "channel"} <= set(field_names):
            instance._loaded_key = instance._cache_key()
        return instance

    def _cache_key(self) -> str:
        return message_template_cache_key(kind=self.kind, language=self.language, channel=self.channel)

    def _forget_cached(self) -> None:
        keys = {self._cache_key(), getattr(self, "_loaded_key", None)} - {None}
        cache.delete_many(keys)
        # Drop them again after commit: a render during the open transaction may have cached the old text.
        transaction.on_commit(lambda: cache.delete_many(keys))
        self._loaded_key = self._cache_key()
