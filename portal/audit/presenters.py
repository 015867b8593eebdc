"""Audit entries as sentences in the reader's language, instead of codes and JSON.

One function per need: `audit_title` (what happened: "Stage changed"), `audit_details` (the
facts: "from Option to Reservation signed", "Price: 200,000.00 → 210,000.00", "Staff added:
anne@…") and `audit_sentence`, both together. Known actions have their own words; any other reads
in a generic form built from its code and data, with field names through the model's
verbose_name and choice values through the field's choices. No query: the model is found in the
app registry by the entry's `object_type`, the values are those the entry keeps.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.labels import audit_action_label
from portal.audit.models import AuditEntry
from portal.money import money_format

# What happened, by action code. Other apps' actions are registered in portal.audit.labels.
ACTION_TITLES = {
    "sale.created": gettext_lazy("Sale opened"),
    "sale.stage_changed": gettext_lazy("Stage changed"),
    "sale.updated": gettext_lazy("Sale details changed"),
    "sale.request_confirmed": gettext_lazy("Reservation request confirmed"),
    "sale.reactivated": gettext_lazy("Reactivated as a new sale"),
    "sale.assigned": gettext_lazy("Notary or partner given access"),
    "sale.unassigned": gettext_lazy("Notary or partner access removed"),
    "buyer.access_sent": gettext_lazy("Access to the client space sent"),
    "buyer.access_revoked": gettext_lazy("Access links revoked"),
    "buyer.access_accepted": gettext_lazy("Access to the client space accepted"),
    "buyer.login_email_changed": gettext_lazy("Login address changed"),
    "buyer.login_email_confirmation_sent": gettext_lazy("Confirmation of the new login address sent"),
    "buyer.login_email_confirmed": gettext_lazy("New login address confirmed"),
    "buyer.login_email_kept": gettext_lazy("Former login address kept"),
    "partner.access_sent": gettext_lazy("Access sent to the notary or partner"),
    "partner.account_created": gettext_lazy("Notary or partner account created"),
    "user.password_changed": gettext_lazy("Password changed"),
    "account.changed": gettext_lazy("Account settings changed"),
    "branding.settings_changed": gettext_lazy("Company settings changed"),
    "outbox.resent": gettext_lazy("Messages sent again"),
    "payment.receipt_downloaded": gettext_lazy("Receipt downloaded"),
    "texts.template_deleted": gettext_lazy("Message template deleted"),
}
_VERBS = {
    "created": gettext_lazy("%(object)s created"),
    "changed": gettext_lazy("%(object)s changed"),
    "updated": gettext_lazy("%(object)s changed"),
    "deleted": gettext_lazy("%(object)s deleted"),
}
_MONEY_KEYS = {"amount", "price", "paid", "refunded"}
_SKIPPED_KEYS = {"currency", "payment"}


def _model_of(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a name that is no field ("on", "reason")
        return None


def _humanise(code: str) -> str:
    return capfirst(code.replace("_", " ").replace(".", " "))


def _field_label(model: type[models.Model] | None, name: str) -> str:
    field = _field(model, name)
    label = getattr(field, "verbose_name", None)
    return capfirst(str(label)) if label else _KEY_LABELS.get(name, _humanise(name))


def _value(value: Any, *, field: Any = None, currency: str | None = None, key: str = "") -> str:
    """One value as a reader reads it: a choice by its label, money with its currency, dates
    in the reader's format, yes or no, a list joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item, field=field, currency=currency) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, str):
        if (moment := parse_datetime(value)) is not None and "T" in value:
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        if len(value) == 10 and (day := parse_date(value)) is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if key in _MONEY_KEYS or isinstance(field, models.DecimalField):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return (
            money_format(amount, currency)
            if currency
            else formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
        )
    return str(value)


def _is_change(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2) or (
        isinstance(value, dict) and set(value) <= {"added", "removed"} and bool(value)
    )


def _changes(model: type[models.Model] | None, data: dict, currency: str | None) -> list[str]:
    """{field: [old, new]} and {field: {"added", "removed"}} as "Field: old → new" sentences."""
    lines = []
    for name, change in data.items():
        field = _field(model, name)
        label = _field_label(model, name)
        if isinstance(change, dict):
            parts = []
            if change.get("added"):
                parts.append(
                    _("%(field)s added: %(members)s")
                    % {"field": label, "members": ", ".join(change["added"])}
                )
            if change.get("removed"):
                parts.append(
                    _("%(field)s removed: %(members)s")
                    % {"field": label, "members": ", ".join(change["removed"])}
                )
            lines.extend(parts)
            continue
        old, new = change
        lines.append(
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": label,
                "old": _value(old, field=field, currency=currency, key=name),
                "new": _value(new, field=field, currency=currency, key=name),
            }
        )
    return lines


def _facts(model: type[models.Model] | None, data: dict, currency: str | None) -> list[str]:
    """Any other data as "Field: value"."""
    return [
        _("%(field)s: %(value)s")
        % {
            "field": _field_label(model, name),
            "value": _value(value, field=_field(model, name), currency=currency, key=name),
        }
        for name, value in data.items()
        if name not in _SKIPPED_KEYS
    ]


def _stage_details(model: type[models.Model] | None, data: dict) -> list[str]:
    stage = _field(model, "stage")
    lines = [
        _("from %(old)s to %(new)s")
        % {"old": _value(data.get("from"), field=stage), "new": _value(data.get("to"), field=stage)}
    ]
    if data.get("on"):
        lines.append(_("dated %(day)s") % {"day": _value(data["on"])})
    if data.get("reason"):
        lines.append(
            _("cause: %(cause)s") % {"cause": _value(data["reason"], field=_field(model, "cancel_reason"))}
        )
    if data.get("note"):
        lines.append(_("reason given: “%(reason)s”") % {"reason": data["note"]})
    return lines


def _payment_details(data: dict) -> list[str]:
    # Entries about a payment are kept on its sale's timeline: their values are the payment's.
    payment = _model_of("payments.payment")
    currency = data.get("currency")
    lines = []
    if data.get("reference"):
        lines.append(
            _("request %(reference)s of %(amount)s")
            % {
                "reference": data["reference"],
                "amount": _value(data.get("amount"), currency=currency, key="amount"),
            }
        )
    status = _field(payment, "status")
    if "from" in data and "to" in data:
        lines.append(
            _("status from %(old)s to %(new)s")
            % {"old": _value(data["from"], field=status), "new": _value(data["to"], field=status)}
        )
    elif data.get("status"):
        lines.append(_("now %(status)s") % {"status": _value(data["status"], field=status)})
    if data.get("reason"):
        lines.append(_("reason given: “%(reason)s”") % {"reason": data["reason"]})
    if data.get("receipt"):
        lines.append(_("receipt %(number)s") % {"number": data["receipt"]})
    return lines


_KEY_LABELS = {
    "on": gettext_lazy("Date"),
    "reason": gettext_lazy("Reason"),
    "note": gettext_lazy("Reason given"),
    "lots": gettext_lazy("Lots"),
    "new_sale": gettext_lazy("New sale"),
    "role": gettext_lazy("Role"),
    "to": gettext_lazy("To"),
    "from": gettext_lazy("From"),
    "count": gettext_lazy("Count"),
}


def object_type_name(label: str) -> str:
    """ "sales.sale" as its model's plural name, in the reader's language."""
    model = _model_of(label)
    return capfirst(str(model._meta.verbose_name_plural)) if model is not None else label


def audit_title(entry: AuditEntry) -> str:
    """What happened, in a few words: a known action's own, another app's registered label, or
    a generic "<Object> changed" read from the code."""
    if entry.action in ACTION_TITLES:
        return str(ACTION_TITLES[entry.action])
    registered = audit_action_label(entry.action)
    if registered != entry.action:
        return registered
    noun, _dot, verb = entry.action.partition(".")
    model = _model_of(entry.object_type)
    if verb in _VERBS:
        obj = capfirst(str(model._meta.verbose_name)) if model is not None else _humanise(noun)
        return str(_VERBS[verb]) % {"object": obj}
    return _humanise(entry.action)


def audit_details(entry: AuditEntry) -> list[str]:
    """The facts of the entry, one short phrase each."""
    data = entry.data if isinstance(entry.data, dict) else {}
    model = _model_of(entry.object_type)
    if entry.action == "sale.stage_changed":
        return _stage_details(model, data)
    if entry.action.startswith("payment."):
        return _payment_details(data)
    currency = data.get("currency") if isinstance(data.get("currency"), str) else None
    if entry.action.endswith((".created", ".deleted")):
        # The row's values as it was made or removed, not changes (a list of two is a list).
        return _facts(model, data, currency)
    changes = {
        key: value for key, value in data.items() if _is_change(value) and _field(model, key) is not None
    }
    others = {key: value for key, value in data.items() if key not in changes}
    return _changes(model, changes, currency) + _facts(model, others, currency)


def audit_sentence(entry: AuditEntry) -> str:
    """The whole entry in one sentence: "Stage changed: from Option to Reservation signed"."""
    details = audit_details(entry)
    title = audit_title(entry)
    return f"{title}: {'; '.join(details)}" if details else title
