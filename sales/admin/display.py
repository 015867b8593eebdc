"""How the sales back-office words things: access states, the timeline, amounts."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.presenters import audit_details, audit_title
from portal.timezones import in_zone

# The timeline's own words where they differ from the audit trail's (portal.audit.presenters):
# within a sale's page, "Sale" goes without saying.
ACTION_LABELS = {
    "sale.updated": gettext_lazy("Details changed"),
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


def timeline(entries, zone: str) -> list[TimelineEntry]:
    """The audit entries of a sale as the lines of its timeline: when, who, what."""
    return [
        TimelineEntry(
            when=moment(entry.created_at, zone),
            who=str(entry.actor) if entry.actor else _("Automatic"),
            what=str(ACTION_LABELS.get(entry.action) or audit_title(entry)),
            # The same words as the audit trail's (portal.audit.presenters), in the reader's language.
            detail="; ".join(audit_details(entry)),
        )
        for entry in entries
    ]
