from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One email or SMS, from the moment the change that causes it commits until it is sent.

    Rows are written by `portal.outbox.services` only. A row is never deleted by the outbox:
    it is the record of what the portal said to whom, and when. Its text is not kept for ever:
    a message carrying a secret link or code loses it once sent, every other one after the
    retention period (`OUTBOX_RETENTION_DAYS`); the key, recipients and subject stay.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class State(models.TextChoices):
        READY = "ready", _("Ready")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        help_text=_("Asking twice for a message with one key sends it once."),
    )
    recipients = models.JSONField(_("recipients"), default=list)
    # 998 characters is the longest line RFC 5322 allows, so no legal subject is refused.
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(
        _("attachments"),
        default=list,
        blank=True,
        help_text=_("Files kept in storage so the message can be sent again identically."),
    )
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.READY)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(
        _("provider's message id"),
        max_length=100,
        blank=True,
        help_text=_("The id the SMS provider gave the message, to trace it on their side."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    secret = models.BooleanField(
        _("carries a secret"),
        default=False,
        help_text=_("A link or code that opens an account: the text is removed once the message is sent."),
    )
    purged_at = models.DateTimeField(
        _("text removed at"),
        null=True,
        blank=True,
        help_text=_("Sent or failed messages lose their text and attachments; they cannot be sent again."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep only looks at unfinished rows; partial indexes stay small while the
            # table grows with every message ever sent.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="ready"),
                name="outbox_ready_due_idx",
            ),
            models.Index(
                fields=["lease_until"],
                condition=models.Q(state="sending"),
                name="outbox_sending_lease_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.key}"
