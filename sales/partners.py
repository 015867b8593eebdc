"""Notary and partner-agency accounts (ACC-6, SAL-7) and the sales they are given access to.

A partner account starts without a password: it receives allauth's password-reset link, through
the editable "password_reset" text, and chooses its password there.
"""

import uuid

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.access import has_role
from portal.audit.services import audit_record
from portal.notify import notify_email
from portal.outbox.models import OutboxMessage
from portal.users.models import User
from portal.users.roles import Role
from portal.users.services import user_role_grant
from sales.errors import SaleError
from sales.models import Sale, SaleAssignment

ROLE_GROUP: dict[str, Role] = {
    SaleAssignment.Role.NOTARY: Role.NOTARY,
    SaleAssignment.Role.PARTNER: Role.PARTNER,
}


def _role_checked(role: str) -> Role:
    if role not in ROLE_GROUP:
        raise SaleError(_("A partner account is either a notary or a partner agency."))
    return ROLE_GROUP[role]


@transaction.atomic
def partner_account_create(
    *,
    actor: User | None,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    inherit_from: User | None = None,
) -> User:
    """Open a notary's or partner agency's account and email it the link to choose a password.

    With `inherit_from`, the new account is given the sales that account is assigned to.
    """
    group_role = _role_checked(role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise SaleError(_("An account with the email address %(email)s already exists.") % {"email": email})
    user = User.objects.create_user(email=email, password=None, first_name=first_name, last_name=last_name)
    user_role_grant(user=user, role=group_role)
    # Every way in (the password link, a login code) goes through this inbox, so it is verified.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    inherited = []
    if inherit_from is not None:
        sale_ids = list(
            SaleAssignment.objects.filter(user=inherit_from)
            .order_by("sale_id")
            .values_list("sale_id", flat=True)
        )
        SaleAssignment.objects.bulk_create(
            [SaleAssignment(sale_id=sale_id, user=user, role=role) for sale_id in sale_ids]
        )
        inherited = sale_ids
    audit_record(
        actor=actor,
        action="partner.account_created",
        obj=user,
        data={"role": role, "inherit_from": getattr(inherit_from, "pk", None), "sales": inherited},
    )
    partner_access_send(actor=actor, user=user)
    return user


def partner_access_link(user: User) -> str:
    """allauth's password-reset link for `user`, absolute, built without a request."""
    token = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": token}
    )
    return settings.SITE_URL + path


@transaction.atomic
def partner_access_send(*, actor: User | None, user: User) -> OutboxMessage:
    """Email a notary or partner the link to choose (again) his password, in his language."""
    link = partner_access_link(user)
    message = notify_email(
        kind="password_reset",
        # Each request for a link is a message of its own.
        key=f"partner_access:{user.pk}:{uuid.uuid4()}",
        to=user.email,
        language=user.language,
        values={"user_name": user.get_full_name() or user.email, "link": link},
    )
    audit_record(actor=actor, action="partner.access_sent", obj=user)
    return message


@transaction.atomic
def sale_assign(*, actor: User | None, sale: Sale, user: User, role: str) -> SaleAssignment:
    """Give a notary or partner access to one sale (again: changes his role on it)."""
    group_role = _role_checked(role)
    if user.is_staff or not has_role(user, group_role):
        raise SaleError(
            _("%(user)s is not a %(role)s account.")
            % {"user": user, "role": SaleAssignment.Role(role).label.lower()}
        )
    assignment, created = SaleAssignment.objects.get_or_create(sale=sale, user=user, defaults={"role": role})
    if not created and assignment.role == role:
        return assignment
    if not created:
        assignment.role = role
        assignment.save(update_fields=["role"])
    audit_record(actor=actor, action="sale.assigned", obj=sale, data={"user": user.pk, "role": role})
    return assignment


@transaction.atomic
def sale_unassign(*, actor: User | None, sale: Sale, user: User) -> int:
    """Take a notary's or partner's access to one sale away; returns 1, or 0 if he had none."""
    deleted, _details = SaleAssignment.objects.filter(sale=sale, user=user).delete()
    if deleted:
        audit_record(actor=actor, action="sale.unassigned", obj=sale, data={"user": user.pk})
    return deleted
