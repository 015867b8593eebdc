from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Alert(models.Model):
    """One line in a staff member's personal inbox of the back-office ("payment received").

    Written through `portal.notify.notify_in_app` in the transaction of the change it tells
    about; the text is already in its reader's language.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("user")
    )
    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        help_text=_("Asking twice for an alert with one key creates it once."),
    )
    text = models.TextField(_("text"))
    link = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("Page of the portal the alert is about.")
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="alerts_user_read_idx")]

    def __str__(self):
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
