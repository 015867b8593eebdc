"""A buyer's access to the client space ("send access", ACC-5): a single-use, expiring link.

Only the SHA-256 of the link's token is stored, so a database dump gives nobody a working link.
Sending again revokes the links sent before; accepting a link sets the password, verifies the
email address and opens the account.
"""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.notify import notify_email
from portal.timezones import in_zone
from portal.users.models import User
from portal.users.roles import Role
from portal.users.services import user_role_grant
from programmes.models import Programme
from sales.errors import SaleError
from sales.models import Buyer, Invitation


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired; the page says so without telling which."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pending(buyer: Buyer):
    return Invitation.objects.pending().filter(buyer=buyer)


def _buyer_account(buyer: Buyer) -> User:
    """The buyer's login account: his own, the one already holding his email, or a new closed one."""
    user = buyer.user or User.objects.filter(email__iexact=buyer.email).first()
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
    elif Buyer.objects.filter(user=user).exclude(pk=buyer.pk).exists():
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


def _email_values(*, buyer: Buyer, link: str, expires_at) -> dict:
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


@transaction.atomic
def invitation_send(*, actor, buyer: Buyer) -> Invitation:
    """Email the buyer a new link to set his password; the links sent before stop working.

    Creates (or links) his login account on the first call. Also serves as "resend".
    """
    given = buyer
    buyer = Buyer.objects.select_for_update().get(pk=buyer.pk)
    given.user = _buyer_account(buyer)
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
        to=buyer.email,
        language=buyer.language,
        values=_email_values(buyer=buyer, link=link, expires_at=invitation.expires_at),
    )
    audit_record(
        actor=actor,
        action="buyer.access_sent",
        obj=buyer,
        data={
            "invitation": invitation.pk,
            "expires_at": invitation.expires_at.isoformat(),
            "revoked": revoked,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, buyer: Buyer) -> int:
    """Stop the buyer's pending links from working; returns how many there were."""
    revoked = _pending(buyer).update(revoked_at=timezone.now())
    if revoked:
        audit_record(actor=actor, action="buyer.access_revoked", obj=buyer, data={"revoked": revoked})
    return revoked


def invitation_get_valid(token: str) -> Invitation | None:
    """The pending invitation behind `token`, with its buyer and his login; None when unusable."""
    return _pending_by_token(Invitation.objects.select_related("buyer__user"), token).first()


def _pending_by_token(invitations, token: str):
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
    user = invitation.buyer.user
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
