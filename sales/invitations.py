"""A buyer's access to the client space ("send access", ACC-5): a single-use, expiring link.

Only the SHA-256 of the link's token is stored, so a database dump gives nobody a working link.
Sending again revokes the links sent before; accepting a link sets the password, verifies the
email address and opens the account.

An access link sets a password without asking for the old one, so it may only ever open an
account that has nothing to lose (ARCHITECTURE, "Accounts"): never a staff, notary or partner
account, never one that already has a password, and only through the account's own address. A
buyer's address typed by staff after his account exists is not trusted with his login: a closed
account (never opened) follows it, an opened one switches only when its holder, logged in,
confirms the new address from a link sent there.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.notify import notify_email
from portal.timezones import in_zone
from portal.users.models import User
from portal.users.roles import STAFF_ROLES, Role
from portal.users.services import user_role_grant
from programmes.models import Programme
from sales.errors import SaleError
from sales.models import Buyer, Invitation, InvitationQuerySet, Sale


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired; the page says so without telling which."""


class InvitationForExistingAccount(InvitationInvalid):
    """The link leads to an account that already has a password: it logs in, or resets it."""


class EmailChangeInvalid(Exception):
    """A link confirming a buyer's new address that cannot be used (by this account, or now)."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pending(buyer: Buyer) -> QuerySet[Invitation]:
    return Invitation.objects.pending().filter(buyer=buyer)


def _protected_kind(user: User) -> str | None:
    """Why an access link may not set this account's password; None when it may.

    Staff, notaries and partners reach other people's files, and an account with a password is
    someone's already: a link emailed on staff's word must open none of them.
    """
    roles = set(user.groups.values_list("name", flat=True))
    if user.is_staff or user.is_superuser or roles & {role.value for role in STAFF_ROLES}:
        return "staff"
    if roles & {Role.NOTARY.value, Role.PARTNER.value}:
        return "partner"
    if user.has_usable_password():
        return "password"
    return None


def _refusal(kind: str, *, email: str) -> SaleError:
    if kind == "staff":
        text = _(
            "%(email)s is the address of a staff account: an access link never opens it. "
            "Give the buyer his own email address."
        )
    elif kind == "partner":
        text = _(
            "%(email)s is the address of a notary's or partner agency's account: an access link "
            "never opens it. Give the buyer his own email address."
        )
    else:
        text = _(
            "The account %(email)s already has a password: no access link is sent to it. The buyer "
            "logs in with it, or chooses a new one with “Forgotten your password?” on the login page."
        )
    return SaleError(text % {"email": email})


def _account_holding(email: str, *, exclude: User | None = None) -> User | None:
    """The account whose login or any of whose known addresses is `email`."""
    accounts = User.objects.filter(pk__in=EmailAddress.objects.filter(email__iexact=email).values("user"))
    accounts = User.objects.filter(email__iexact=email) | accounts
    if exclude is not None:
        accounts = accounts.exclude(pk=exclude.pk)
    return accounts.order_by("pk").first()


def _buyer_account(buyer: Buyer) -> User:
    """The buyer's login account: his own, a closed one already holding his email, or a new one.

    Refuses (SaleError, in words for staff) an account an access link may not open.
    """
    user = buyer.user or _account_holding(buyer.email)
    if user is None:
        # Closed until the buyer sets his password through the link: nobody can log in before.
        user = User.objects.create_user(
            email=buyer.email,
            password=None,
            first_name=buyer.first_name,
            last_name=buyer.last_name,
            phone=buyer.phone,
            language=buyer.language,
            is_active=False,
        )
    else:
        kind = _protected_kind(user)
        if kind:
            raise _refusal(kind, email=user.email)
        if Buyer.objects.filter(user=user).exclude(pk=buyer.pk).exists():
            raise SaleError(
                _("The login account %(email)s already belongs to another buyer.") % {"email": user.email}
            )
    if buyer.user_id != user.pk:
        buyer.user = user
        buyer.save(update_fields=["user"])
    user_role_grant(user=user, role=Role.BUYER)
    EmailAddress.objects.get_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": False, "primary": True},
    )
    return user


def _email_values(*, buyer: Buyer, link: str, expires_at: datetime) -> dict[str, str]:
    programmes = list(
        Programme.objects.filter(sales__sale_buyers__buyer=buyer)
        .distinct()
        .order_by("name")
        .values_list("name", "time_zone")
    )
    zone = programmes[0][1] if programmes else settings.TIME_ZONE
    with translation.override(buyer.language):
        expires_on = formats.date_format(in_zone(expires_at, zone), "SHORT_DATETIME_FORMAT")
    return {
        "buyer_name": str(buyer),
        "link": link,
        "programme_name": ", ".join(name for name, _zone in programmes),
        "expires_on": expires_on,
    }


def _advisor_email(buyer: Buyer) -> str:
    """Where the buyer's answer to his invitation goes: the advisor of his latest sale, if active."""
    email = (
        Sale.objects.filter(sale_buyers__buyer=buyer, advisor__is_active=True)
        .order_by("-pk")
        .values_list("advisor__email", flat=True)
        .first()
    )
    return email or ""


@transaction.atomic
def invitation_send(*, actor: User | None, buyer: Buyer) -> Invitation:
    """Email the buyer a new link to set his password; the links sent before stop working.

    Creates (or links) his login account on the first call. Also serves as "resend".
    """
    given = buyer
    buyer = Buyer.objects.select_for_update().get(pk=buyer.pk)
    user = given.user = _buyer_account(buyer)
    now = timezone.now()
    revoked = _pending(buyer).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        buyer=buyer,
        token_hash=_token_hash(token),
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    link = settings.SITE_URL + reverse("space:invitation", args=[token])
    notify_email(
        kind="access_invitation",
        key=f"invitation:{invitation.pk}",
        # The account's own address, never one typed on the buyer since (see the module's notes).
        to=user.email,
        language=buyer.language,
        values=_email_values(buyer=buyer, link=link, expires_at=invitation.expires_at),
        reply_to=_advisor_email(buyer),
    )
    audit_record(
        actor=actor,
        action="buyer.access_sent",
        obj=buyer,
        data={
            "invitation": invitation.pk,
            "to": user.email,
            "expires_at": invitation.expires_at.isoformat(),
            "revoked": revoked,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User | None, buyer: Buyer) -> int:
    """Stop the buyer's pending links from working; returns how many there were."""
    revoked = _pending(buyer).update(revoked_at=timezone.now())
    if revoked:
        audit_record(actor=actor, action="buyer.access_revoked", obj=buyer, data={"revoked": revoked})
    return revoked


def invitation_get_valid(token: str) -> Invitation | None:
    """The pending invitation behind `token`, with its buyer and his login; None when unusable."""
    return _pending_by_token(Invitation.objects.select_related("buyer__user"), token).first()


def invitation_for_existing_account(invitation: Invitation) -> bool:
    """Whether the link leads to an account it may not open (one with a password, staff, partner)."""
    return invitation.buyer.user is not None and _protected_kind(invitation.buyer.user) is not None


def _pending_by_token(invitations: InvitationQuerySet, token: str) -> QuerySet[Invitation]:
    return invitations.pending().filter(token_hash=_token_hash(token))


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the buyer's password through his link, once. Opens and verifies his account.

    Raises InvitationInvalid for a link that cannot be used, ValidationError (in words) for a
    password the validators refuse; the link stays usable after a refused password.
    """
    invitation = (
        _pending_by_token(Invitation.objects.select_for_update(of=("self",)), token)
        .select_related("buyer__user")
        .first()
    )
    if invitation is None or invitation.buyer.user is None:
        raise InvitationInvalid(_("This link can no longer be used."))
    # Locked: staff moving the buyer's address at this moment wait for the acceptance, or win.
    user = User.objects.select_for_update().get(pk=invitation.buyer.user.pk)
    if _protected_kind(user):
        # Someone's account already: a link sent on staff's word never replaces its password.
        raise InvitationForExistingAccount(
            _(
                "Your account already has a password: log in with it, or choose a new one with "
                "“Forgotten your password?” on the login page."
            )
        )
    validate_password(password, user=user)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    audit_record(
        actor=user, action="buyer.access_accepted", obj=invitation.buyer, data={"invitation": invitation.pk}
    )
    return user


# A buyer's new address, typed by staff ------------------------------------------------------

_EMAIL_CHANGE_SALT = "sales.buyer-email-change"


def buyer_email_refusal(*, buyer: Buyer, email: str) -> str | None:
    """Why `buyer` may not take `email` as his address (in words for staff), or None.

    Only a buyer with a login account is checked: his login may follow the address, and an
    address that opens another account must never become his.
    """
    if buyer.pk is None or buyer.user_id is None:
        return None
    if _account_holding(email, exclude=buyer.user) is not None:
        return _("%(email)s is the address of another login account.") % {"email": email}
    return None


def buyer_login_email_follow(*, actor: User | None, buyer: Buyer, old_email: str) -> str:
    """After staff changed a linked buyer's address: bring his login along, safely.

    Call inside the transaction of the change, with `buyer` holding the new address. Returns what
    was done: "rekeyed" (a closed account follows at once and its pending links are revoked: the
    next link goes to the new address, whose inbox the acceptance proves), "confirmation_sent"
    (an opened account keeps its login until its holder, logged in, confirms from the link sent
    to the new address) or "kept" (a staff, notary or partner account is never moved from here).
    """
    if buyer.user_id is None:  # no login account: nothing follows the address
        return "unchanged"
    user = User.objects.select_for_update().get(pk=buyer.user_id)
    email = buyer.email
    if user.email.lower() == email.lower():
        return "unchanged"
    refusal = buyer_email_refusal(buyer=buyer, email=email)
    if refusal:
        raise SaleError(refusal)
    kind = _protected_kind(user)
    if kind is None:
        revoked = _pending(buyer).update(revoked_at=timezone.now())
        old_login = user.email
        user.email = email
        user.save(update_fields=["email"])
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
        audit_record(
            actor=actor,
            action="buyer.login_email_changed",
            obj=buyer,
            data={"email": [old_login, email], "revoked": revoked},
        )
        return "rekeyed"
    if kind != "password":
        audit_record(
            actor=actor,
            action="buyer.login_email_kept",
            obj=buyer,
            data={"login": user.email, "email": email},
        )
        return "kept"
    token = signing.dumps({"buyer": buyer.pk, "user": user.pk, "email": email}, salt=_EMAIL_CHANGE_SALT)
    notify_email(
        kind="email_confirmation",
        key=f"buyer_email:{buyer.pk}:{hashlib.sha256(token.encode()).hexdigest()[:32]}",
        to=email,
        language=buyer.language,
        values={
            "user_name": str(buyer),
            "link": settings.SITE_URL + reverse("space:email_confirm", args=[token]),
        },
    )
    audit_record(
        actor=actor,
        action="buyer.login_email_confirmation_sent",
        obj=buyer,
        data={"login": user.email, "email": email, "old_email": old_email},
    )
    return "confirmation_sent"


def _email_change_read(token: str) -> dict[str, Any]:
    try:
        data = signing.loads(
            token, salt=_EMAIL_CHANGE_SALT, max_age=timedelta(days=settings.INVITATION_VALID_DAYS)
        )
    except signing.BadSignature as error:  # also an expired one
        raise EmailChangeInvalid(_("This link can no longer be used.")) from error
    return data


def buyer_email_change_pending(*, user: User, token: str) -> str:
    """The new address a confirmation link offers `user`; EmailChangeInvalid when it cannot be used."""
    data = _email_change_read(token)
    buyer = Buyer.objects.filter(pk=data["buyer"], user=user).first()
    if data["user"] != user.pk or buyer is None or buyer.email != data["email"]:
        raise EmailChangeInvalid(_("This link can no longer be used."))
    return data["email"]


@transaction.atomic
def buyer_email_confirm(*, user: User, token: str) -> User:
    """Switch `user`'s login to the address his link was sent to, once he opens it logged in.

    Both proofs are needed: the link shows the new inbox is his, the session that he is the
    account's holder. A link for an address staff have since replaced no longer works.
    """
    data = _email_change_read(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    buyer = Buyer.objects.select_for_update().filter(pk=data["buyer"], user=user).first()
    if data["user"] != user.pk or buyer is None or buyer.email != data["email"]:
        raise EmailChangeInvalid(_("This link can no longer be used."))
    if _protected_kind(user) not in {None, "password"} or _account_holding(buyer.email, exclude=user):
        raise EmailChangeInvalid(_("This link can no longer be used."))
    old_login = user.email
    if old_login == buyer.email:
        return user
    user.email = buyer.email
    user.save(update_fields=["email"])
    # The old address stops opening the account (password reset, login code) once it is replaced.
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=buyer.email, verified=True, primary=True)
    audit_record(
        actor=user, action="buyer.login_email_confirmed", obj=buyer, data={"email": [old_login, user.email]}
    )
    return user
