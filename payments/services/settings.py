"""How each programme takes payments, and the sales' own deposits: saved here, audited.

The escrow holder's Stripe account is where online deposits go: whoever changes it, every
administrator hears of it in his back-office inbox, so money is never redirected unseen.
"""

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from payments.models import DepositOverride, PaymentSettings
from portal.audit.changes import values_apply, values_of
from portal.audit.services import audit_record
from portal.notify import notify_in_app
from portal.users.models import User
from portal.users.roles import Role

SETTINGS_FIELDS = [
    field.name
    for field in PaymentSettings._meta.concrete_fields
    if field.editable and field.name != "programme"
]
OVERRIDE_FIELDS = ["amount", "reason"]


def _administrators() -> QuerySet[User]:
    return User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR.value), is_active=True
    ).distinct()


def _alert_escrow_changed(
    *, actor: User | None, rules: PaymentSettings, old: str, new: str, entry_id: int
) -> None:
    link = reverse("admin:payments_paymentsettings_change", args=[rules.pk])
    for admin in _administrators():
        with translation.override(admin.language or "fr"):
            text = _(
                "The escrow Stripe account of %(programme)s was changed from “%(old)s” to “%(new)s” by "
                "%(who)s. Online deposits now go to the new account."
            ) % {
                "programme": rules.programme,
                "old": old or _("none"),
                "new": new or _("none"),
                "who": actor or _("someone"),
            }
        # One alert per change (the audit entry's id) and per administrator.
        notify_in_app(key=f"escrow-account:{entry_id}:{admin.pk}", user=admin, text=text, link=link)


@transaction.atomic
def payment_settings_save(
    *, actor: User | None, rules: PaymentSettings, values: dict[str, Any]
) -> PaymentSettings:
    """Create a programme's payment settings (`rules` not saved yet, holding its values) or change
    the fields in `values`; a new or changed escrow Stripe account alerts every administrator."""
    refused = set(values) - set(SETTINGS_FIELDS) - ({"programme"} if rules._state.adding else set())
    if refused:
        raise ValueError(f"payment_settings_save cannot change {sorted(refused)}.")
    if rules._state.adding:
        rules.save()
        changes = {name: [None, value] for name, value in values_of(rules, SETTINGS_FIELDS).items()}
        entry = audit_record(actor=actor, action="payment_settings.created", obj=rules, data=changes)
    else:
        rules = PaymentSettings.objects.select_for_update().select_related("programme").get(pk=rules.pk)
        changes = values_apply(rules, values)
        if not changes:
            return rules
        rules.save(update_fields=list(changes))
        entry = audit_record(actor=actor, action="payment_settings.changed", obj=rules, data=changes)
    old, new = changes.get("escrow_stripe_account", ["", ""])
    if (old or "") != (new or ""):
        _alert_escrow_changed(actor=actor, rules=rules, old=old or "", new=new or "", entry_id=entry.pk)
    return rules


@transaction.atomic
def payment_settings_delete(*, actor: User | None, rules: PaymentSettings) -> None:
    """The programme takes payments by the defaults again (and without an escrow Stripe account,
    which alerts the administrators like any change of it)."""
    data = {name: [value, None] for name, value in values_of(rules, SETTINGS_FIELDS).items()}
    entry = audit_record(actor=actor, action="payment_settings.deleted", obj=rules, data=data)
    if rules.escrow_stripe_account:
        _alert_escrow_changed(
            actor=actor, rules=rules, old=rules.escrow_stripe_account, new="", entry_id=entry.pk
        )
    rules.delete()


@transaction.atomic
def deposit_override_save(
    *, actor: User | None, override: DepositOverride, values: dict[str, Any]
) -> DepositOverride:
    """Give a sale its own deposit (`override` not saved yet) or change it; the form has checked
    the legal cap."""
    if override._state.adding:
        override.save()
        data = {name: [None, value] for name, value in values_of(override, OVERRIDE_FIELDS).items()}
        audit_record(actor=actor, action="deposit_override.created", obj=override, data=data)
        return override
    current = DepositOverride.objects.select_for_update().select_related("sale").get(pk=override.pk)
    changes = values_apply(current, {name: value for name, value in values.items() if name != "sale"})
    if changes:
        current.save(update_fields=list(changes))
        audit_record(actor=actor, action="deposit_override.changed", obj=current, data=changes)
    return current


@transaction.atomic
def deposit_override_delete(*, actor: User | None, override: DepositOverride) -> None:
    """The sale's deposit follows its programme's rule again."""
    data = {name: [value, None] for name, value in values_of(override, OVERRIDE_FIELDS).items()}
    audit_record(actor=actor, action="deposit_override.deleted", obj=override, data=data)
    override.delete()
