"""Sending, resending and revoking a buyer's access (ACC-5), seen from the services."""

import hashlib

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.outbox.models import OutboxMessage
from portal.users.models import User
from portal.users.roles import Role
from sales.errors import SaleError
from sales.invitations import InvitationInvalid, invitation_accept, invitation_revoke, invitation_send
from sales.models import Buyer, Invitation
from tests.conftest import make_user
from tests.invitations.conftest import invitation_path

pytestmark = pytest.mark.django_db


def token_of(message: OutboxMessage) -> str:
    return invitation_path(message).rstrip("/").rsplit("/", 1)[-1]


def test_sending_access_creates_a_closed_login_and_emails_the_buyer_in_his_language(staff, ewa):
    invitation = invitation_send(actor=staff, buyer=ewa)

    user = User.objects.get(email="ewa@example.test")
    assert (user.first_name, user.last_name, user.language) == ("Ewa", "Nowak", "pl")
    assert not user.is_active
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [Role.BUYER.value]
    ewa.refresh_from_db()
    assert ewa.user == user
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("ewa@example.test", False, True)

    message = OutboxMessage.objects.get(key=f"invitation:{invitation.pk}")
    assert message.recipients == ["ewa@example.test"]
    assert message.subject.startswith("Dostęp do panelu klienta inwestycji Osiedle Zielone")
    assert "Ewa Nowak" in message.text
    assert f"http://127.0.0.1:8000/space/invitation/{token_of(message)}/" in message.text
    expires = timezone.localtime(invitation.expires_at).date()
    assert expires == (timezone.localtime() + timezone.timedelta(days=7)).date()
    entry = AuditEntry.objects.get(action="buyer.access_sent")
    assert (entry.actor, entry.object_id) == (staff, str(ewa.pk))


def test_only_the_hash_of_the_token_is_stored(staff, ewa):
    invitation = invitation_send(actor=staff, buyer=ewa)
    token = token_of(OutboxMessage.objects.get())
    assert len(token) >= 43
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_an_existing_closed_account_with_the_buyers_email_is_linked_not_duplicated(staff, ewa):
    existing = make_user("ewa@example.test", language="pl", password=None, is_active=False)
    invitation_send(actor=staff, buyer=ewa)
    ewa.refresh_from_db()
    assert ewa.user == existing
    assert User.objects.filter(email__iexact="ewa@example.test").count() == 1
    assert existing.groups.filter(name=Role.BUYER.value).exists()
    assert EmailAddress.objects.filter(user=existing).count() == 1


def test_an_existing_account_with_a_password_is_neither_linked_nor_emailed(staff, ewa):
    existing = make_user("ewa@example.test", language="pl")
    with pytest.raises(SaleError, match="already has a password"):
        invitation_send(actor=staff, buyer=ewa)
    ewa.refresh_from_db()
    assert ewa.user is None
    assert not OutboxMessage.objects.exists()
    assert not existing.groups.filter(name=Role.BUYER.value).exists()


def test_an_account_of_another_buyer_is_not_taken_over(staff, ewa):
    other = Buyer.objects.create(first_name="O", last_name="Ther", email="other@example.test")
    other.user = make_user("ewa@example.test", password=None, is_active=False)
    other.save()
    with pytest.raises(SaleError, match="already belongs to another buyer"):
        invitation_send(actor=staff, buyer=ewa)


def test_resending_to_a_buyer_who_set_his_password_is_refused_in_words(staff, ewa):
    invitation_send(actor=staff, buyer=ewa)
    invitation_accept(token=token_of(OutboxMessage.objects.get()), password="a-long-passphrase")
    with pytest.raises(SaleError, match="Forgotten your password"):
        invitation_send(actor=staff, buyer=ewa)
    assert OutboxMessage.objects.count() == 1


def test_resending_revokes_the_previous_link(staff, ewa):
    first = invitation_send(actor=staff, buyer=ewa)
    second = invitation_send(actor=staff, buyer=ewa)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    old, new = (OutboxMessage.objects.get(key=f"invitation:{i.pk}") for i in (first, second))
    with pytest.raises(InvitationInvalid):
        invitation_accept(token=token_of(old), password="a-long-passphrase")
    assert invitation_accept(token=token_of(new), password="a-long-passphrase") == ewa.user


def test_accepting_sets_the_password_verifies_the_email_and_opens_the_account_once(staff, ewa):
    invitation_send(actor=staff, buyer=ewa)
    token = token_of(OutboxMessage.objects.get())

    user = invitation_accept(token=token, password="a-long-passphrase")

    assert user.is_active
    assert user.check_password("a-long-passphrase")
    assert EmailAddress.objects.get(user=user).verified
    assert Invitation.objects.get().used_at is not None
    assert AuditEntry.objects.filter(action="buyer.access_accepted", actor=user).exists()
    with pytest.raises(InvitationInvalid):
        invitation_accept(token=token, password="another-long-passphrase")
    user.refresh_from_db()
    assert user.check_password("a-long-passphrase")


def test_a_weak_password_is_refused_in_words_and_the_link_still_works(staff, ewa):
    from django.core.exceptions import ValidationError

    invitation_send(actor=staff, buyer=ewa)
    token = token_of(OutboxMessage.objects.get())
    with pytest.raises(ValidationError) as error:
        invitation_accept(token=token, password="12345")
    assert "too short" in " ".join(error.value.messages)
    assert Invitation.objects.get().used_at is None
    assert invitation_accept(token=token, password="a-long-passphrase").is_active


def test_an_expired_link_is_refused(staff, ewa):
    invitation_send(actor=staff, buyer=ewa)
    token = token_of(OutboxMessage.objects.get())
    later = timezone.now() + timezone.timedelta(days=7, minutes=1)
    with time_machine.travel(later), pytest.raises(InvitationInvalid):
        invitation_accept(token=token, password="a-long-passphrase")


def test_revoking_stops_the_pending_link_and_is_audited(staff, ewa):
    invitation_send(actor=staff, buyer=ewa)
    token = token_of(OutboxMessage.objects.get())

    assert invitation_revoke(actor=staff, buyer=ewa) == 1
    assert invitation_revoke(actor=staff, buyer=ewa) == 0

    with pytest.raises(InvitationInvalid):
        invitation_accept(token=token, password="a-long-passphrase")
    assert AuditEntry.objects.filter(action="buyer.access_revoked").count() == 1


def test_an_unknown_token_is_refused(ewa):
    with pytest.raises(InvitationInvalid):
        invitation_accept(token="not-a-token", password="a-long-passphrase")
