from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from payments import receivers  # noqa: F401 - connects the receivers
        from payments.audit import AUDIT_LABELS
        from portal.audit.labels import audit_labels_register

        audit_labels_register(AUDIT_LABELS)
