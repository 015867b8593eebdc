"""How schedule entries read on a sale's timeline (registered by the app config)."""

from django.utils.translation import gettext_lazy as _

# Lazy, so each timeline reads in its reader's language. Keys are the audit actions the
# schedules services record; each part adds its own.
AUDIT_LABELS: dict[str, object] = {}
AUDIT_LABELS.update(
    {
        "invoice.created": _("Invoice issued"),
        "invoice.shared": _("Invoice shared with the buyer"),
        "invoice.unshared": _("Invoice no longer shared with the buyer"),
    }
)
AUDIT_LABELS.update(
    {
        "call.issued": _("Call for funds issued"),
        "call.opened": _("Call for funds opened by the buyer"),
        "call_batch.started": _("Calls for funds started"),
        "call_batch.restarted": _("Calls for funds started again"),
        "call_batch.done": _("Calls for funds finished"),
        "stage_certificate.uploaded": _("Stage certificate uploaded"),
        "stage_certificate.replaced": _("Stage certificate replaced"),
    }
)
AUDIT_LABELS.update(
    {
        "ledger.recorded": _("Payment recorded in the ledger"),
        "ledger.allocated": _("Unallocated money allocated to the schedule"),
        "ledger.reallocated": _("Payment re-allocated between tranches"),
    }
)
AUDIT_LABELS.update(
    {
        "statement.imported": _("Bank statement imported"),
        "statement.matched": _("Bank statement matched"),
        "statement.restarted": _("Bank statement matching started again"),
        "statement_line.matched": _("Bank transfer matched"),
        "statement_line.ignored": _("Bank transfer set aside"),
    }
)
AUDIT_LABELS.update(
    {
        "schedule_template.created": _("Schedule template created"),
        "schedule_template.changed": _("Schedule template changed"),
        "schedule_template.tranches_changed": _("Schedule template's tranches changed"),
        "schedule.copied": _("Schedule copied from the programme's template"),
        "schedule.changed": _("Schedule changed"),
        "schedule.repriced": _("Schedule re-computed for the new price"),
        "tranche.consigned": _("Balance consigned (conformity disputed)"),
        "tranche.unconsigned": _("Consignment of the balance ended"),
    }
)
