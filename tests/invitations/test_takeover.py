"""The account-takeover chain through buyer invitations, tried against every kind of account.

The attack: a staff member of one programme creates a buyer whose email is someone else's
account, sends access, changes the buyer's email to an address he owns, sends access again and
uses the link. An access link must never set the password of a staff, notary or partner account,
nor of any account that already has one, and a buyer's login only moves to an address its holder
confirmed.
"""

import hashlib
import re
import secrets

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from portal.outbox.models import OutboxMessage
from portal.users.roles import Role
from sales.errors import SaleError
from sales.invitations import InvitationInvalid, invitation_accept, invitation_send
from sales.models import Buyer, Invitation
from sales.services import buyer_save
from tests.conftest import make_user
from tests.invitations.conftest import invitation_path
from tests.space import factories

pytestmark = pytest.mark.django_db

VICTIM_PASSWORD = "victims-own-passphrase"
ATTACKER = "mallory@attacker.test"
ATTACKER_PASSWORD = "attackers-new-passphrase"

VICTIMS = {
    "notary": {"role": Role.NOTARY},
    "partner": {"role": Role.PARTNER},
    "staff sales": {"role": Role.SALES},
    "administrator": {"role": Role.ADMINISTRATOR, "is_superuser": True},
    "buyer with a password": {"role": Role.BUYER},
}


@pytest.fixture(params=list(VICTIMS))
def victim(request, db):
    # "buyer with a password": an account opened by signing up, or a buyer of another company
    # whose record was removed; any account with a password is someone's already.
    email = f"victim.{secrets.token_hex(3)}@example.test"
    return make_user(email, password=VICTIM_PASSWORD, **VICTIMS[request.param])


def fake_buyer(*, actor, programme, email: str) -> Buyer:
    buyer = buyer_save(
        actor=actor, buyer=Buyer(first_name="Fake", last_name="Buyer", email=email, language="en"), values={}
    )
    factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])
    return buyer


def assert_untouched(victim, email: str) -> None:
    victim.refresh_from_db()
    assert victim.email == email
    assert victim.check_password(VICTIM_PASSWORD)
    assert list(EmailAddress.objects.filter(user=victim).values_list("email", "verified", "primary")) == [
        (email, True, True)
    ]


def test_the_whole_chain_never_reaches_the_victims_account(staff, programme, victim):
    email = victim.email
    buyer = fake_buyer(actor=staff, programme=programme, email=email)

    # Send access: refused in words, nothing linked, nothing emailed.
    with pytest.raises(SaleError, match=re.escape(email)):
        invitation_send(actor=staff, buyer=buyer)
    buyer.refresh_from_db()
    assert buyer.user is None
    assert not OutboxMessage.objects.filter(key__startswith="invitation:").exists()

    # The attacker's address on the buyer, access again: a new account of his own, not the victim's.
    buyer = buyer_save(actor=staff, buyer=buyer, values={"email": ATTACKER})
    invitation = invitation_send(actor=staff, buyer=buyer)
    message = OutboxMessage.objects.get(key=f"invitation:{invitation.pk}")
    assert message.recipients == [ATTACKER]
    token = invitation_path(message).rstrip("/").rsplit("/", 1)[-1]
    opened = invitation_accept(token=token, password=ATTACKER_PASSWORD)

    assert opened.pk != victim.pk
    assert opened.email == ATTACKER
    assert_untouched(victim, email)


def test_a_link_made_before_the_fix_to_the_victims_account_is_refused_at_every_step(
    client, staff, programme, victim
):
    """The data an attacker could have prepared earlier: a buyer already linked, a link pending."""
    email = victim.email
    buyer = Buyer.objects.create(first_name="Vic", last_name="Tim", email=email, user=victim)
    factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        buyer=buyer,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    link = reverse("space:invitation", args=[token])

    with pytest.raises(SaleError, match=re.escape(email)):
        invitation_send(actor=staff, buyer=buyer)

    buyer = buyer_save(actor=staff, buyer=buyer, values={"email": ATTACKER})
    victim.refresh_from_db()
    assert victim.email == email  # the login does not follow an address staff typed

    with pytest.raises(SaleError, match=re.escape(email)):
        invitation_send(actor=staff, buyer=buyer)
    assert not OutboxMessage.objects.filter(key__startswith="invitation:").exists()

    with pytest.raises(InvitationInvalid):
        invitation_accept(token=token, password=ATTACKER_PASSWORD)
    page = client.get(link)
    assert page.status_code == 409
    assert 'type="password"' not in page.content.decode()
    posted = client.post(link, {"password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD})
    assert posted.status_code == 409
    assert "_auth_user_id" not in client.session

    # Whatever reached the attacker's inbox cannot move the victim's login either: only a plain
    # buyer account is offered the change, by a link its holder must open logged in.
    reached = OutboxMessage.objects.filter(recipients=[ATTACKER])
    assert reached.count() == (0 if victim.groups.exclude(name=Role.BUYER.value).exists() else 1)
    for message in reached:
        confirm = re.search(r"https?://[^/\s]+(/space/email/[^/\s]+/)", message.text).group(1)
        assert client.post(confirm).status_code == 302  # to the login page
        attacker = make_user("mallory.own@attacker.test", role=Role.BUYER)
        client.force_login(attacker)
        assert client.post(confirm).status_code == 404
    assert_untouched(victim, email)
    assert not client.login(email=email, password=ATTACKER_PASSWORD)
