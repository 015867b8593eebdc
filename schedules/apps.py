from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "schedules"
    verbose_name = _("Schedules and accounting")

    def ready(self):
        from portal.audit.labels import audit_labels_register
        from schedules import (
            receivers,  # noqa: F401 - connects the receivers
            receivers_calls,  # noqa: F401 - connects the receivers
            receivers_ledger,  # noqa: F401 - connects the receivers
        )
        from schedules.audit import AUDIT_LABELS

        audit_labels_register(AUDIT_LABELS)
