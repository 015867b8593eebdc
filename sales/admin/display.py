"""How the sales back-office words things: access states, the timeline, amounts."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.labels import audit_action_label
from portal.money import money_format
from portal.timezones import in_zone
from sales.models import Sale, Stage

ACTION_LABELS = {
    "sale.created": gettext_lazy("Sale opened"),
    "sale.stage_changed": gettext_lazy("Stage changed"),
    "sale.updated": gettext_lazy("Details changed"),
    "sale.request_confirmed": gettext_lazy("Reservation request confirmed"),
    "sale.reactivated": gettext_lazy("Reactivated as a new sale"),
    "sale.assigned": gettext_lazy("Notary or partner given access"),
    "sale.unassigned": gettext_lazy("Notary or partner access removed"),
}


def moment(value: datetime, zone: str) -> str:
    return formats.date_format(in_zone(value, zone), "SHORT_DATETIME_FORMAT")


def access_state(buyer, invited_until: datetime | None, zone: str) -> str:
    """A buyer's access to the client space, in words (ACC-5)."""
    if invited_until is not None:
        return _("Invited until %(moment)s") % {"moment": moment(invited_until, zone)}
    if buyer.user is None:
        return _("No account")
    if buyer.user.is_active:
        if buyer.user.email != buyer.email:
            # Staff typed a new address; the login moves there once the buyer confirms it.
            return _("Active; logs in with %(login)s until he confirms his new address") % {
                "login": buyer.user.email
            }
        return _("Active")
    return _("Invitation expired or revoked")


@dataclass
class TimelineEntry:
    when: str
    who: str
    what: str
    detail: str


def _stage_label(value) -> str:
    return str(Stage(value).label) if value in Stage.values else str(value or "")


def _detail(entry) -> str:
    data = entry.data or {}
    if entry.action == "sale.stage_changed":
        detail = f"{_stage_label(data.get('from'))} → {_stage_label(data.get('to'))}"
        if data.get("on"):
            detail += f" ({data['on']})"
        if data.get("reason"):
            reason = data["reason"]
            label = Sale.CancelReason(reason).label if reason in Sale.CancelReason.values else reason
            detail += f" · {label}"
        return detail
    if entry.action == "sale.created":
        return ", ".join([_stage_label(data.get("stage")), *data.get("lots", [])])
    if entry.action == "sale.updated":
        names = {field.name: str(field.verbose_name) for field in Sale._meta.fields}
        return ", ".join(names.get(name, name) for name in data)
    if entry.action == "sale.reactivated":
        return str(data.get("new_sale", ""))
    if entry.action in {"sale.assigned", "sale.unassigned"}:
        return str(data.get("role", ""))
    if "reference" in data and "amount" in data:
        # Entries other apps write about the sale's money: which request, how much.
        return f"{data['reference']} · {money_format(Decimal(data['amount']), data.get('currency', 'EUR'))}"
    return ""


def timeline(entries, zone: str) -> list[TimelineEntry]:
    """The audit entries of a sale as the lines of its timeline: when, who, what."""
    return [
        TimelineEntry(
            when=moment(entry.created_at, zone),
            who=str(entry.actor) if entry.actor else _("Automatic"),
            what=str(ACTION_LABELS.get(entry.action) or audit_action_label(entry.action)),
            detail=_detail(entry),
        )
        for entry in entries
    ]
