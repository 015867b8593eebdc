"""How payment entries read on a sale's timeline."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from payments.models import PaymentEvent

# Lazy, so each timeline reads in its reader's language.
AUDIT_LABELS = {
    f"payment.{kind}": format_lazy(_("Payment: {event}"), event=label)
    for kind, label in PaymentEvent.Kind.choices
}
