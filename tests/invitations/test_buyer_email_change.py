"""Staff change a buyer's email address: his login follows only as far as it safely can."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.outbox.models import OutboxMessage
from portal.users.roles import Role
from sales.admin.display import access_state
from sales.invitations import InvitationInvalid, invitation_accept, invitation_send
from sales.models import Buyer, Invitation
from sales.services import buyer_save
from tests.conftest import make_user
from tests.invitations.conftest import invitation_path
from tests.space import factories

pytestmark = pytest.mark.django_db

NEW = "emma.new@example.test"


def token_of(message: OutboxMessage) -> str:
    return invitation_path(message).rstrip("/").rsplit("/", 1)[-1]


def confirm_path(message: OutboxMessage) -> str:
    return re.search(r"https?://[^/\s]+(/space/email/[^/\s]+/)", message.text).group(1)


@pytest.fixture
def opened(staff, english_buyer):
    """Emma, who set her password through her link."""
    invitation_send(actor=staff, buyer=english_buyer)
    invitation_accept(token=token_of(OutboxMessage.objects.get()), password="emmas-passphrase")
    english_buyer.refresh_from_db()
    return english_buyer


def test_an_unopened_account_follows_the_new_address_and_its_old_link_stops_working(staff, english_buyer):
    invitation_send(actor=staff, buyer=english_buyer)
    old_token = token_of(OutboxMessage.objects.get())

    buyer_save(actor=staff, buyer=english_buyer, values={"email": NEW})

    english_buyer.refresh_from_db()
    assert english_buyer.user.email == NEW
    assert list(EmailAddress.objects.filter(user=english_buyer.user).values_list("email", "verified")) == [
        (NEW, False)
    ]
    with pytest.raises(InvitationInvalid):
        invitation_accept(token=old_token, password="a-long-passphrase")
    invitation = invitation_send(actor=staff, buyer=english_buyer)
    assert OutboxMessage.objects.get(key=f"invitation:{invitation.pk}").recipients == [NEW]
    assert AuditEntry.objects.filter(action="buyer.login_email_changed").exists()


def test_an_opened_account_keeps_its_login_until_its_holder_confirms_the_new_address(client, staff, opened):
    buyer_save(actor=staff, buyer=opened, values={"email": NEW})

    opened.refresh_from_db()
    user = opened.user
    assert (opened.email, user.email) == (NEW, "emma@example.test")
    assert "logs in with emma@example.test until he confirms" in access_state(opened, None, "Europe/Paris")
    message = OutboxMessage.objects.get(recipients=[NEW])
    assert message.secret
    link = confirm_path(message)

    # Not logged in: the login page first.
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    client.force_login(user)
    page = client.get(link)
    assert page.status_code == 200 and NEW in page.content.decode()
    user.refresh_from_db()
    assert user.email == "emma@example.test"  # opening the page changes nothing

    assert client.post(link).status_code == 302
    user.refresh_from_db()
    assert user.email == NEW
    assert user.check_password("emmas-passphrase")
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        (NEW, True, True)
    ]
    assert AuditEntry.objects.filter(action="buyer.login_email_confirmed", actor=user).exists()


def test_a_confirmation_link_for_an_address_staff_replaced_since_no_longer_works(client, staff, opened):
    buyer_save(actor=staff, buyer=opened, values={"email": NEW})
    first = confirm_path(OutboxMessage.objects.get(recipients=[NEW]))
    buyer_save(actor=staff, buyer=opened, values={"email": "emma.third@example.test"})

    client.force_login(opened.user)
    assert client.post(first).status_code == 404
    opened.user.refresh_from_db()
    assert opened.user.email == "emma@example.test"


def test_a_tampered_confirmation_link_is_refused(client, staff, opened):
    buyer_save(actor=staff, buyer=opened, values={"email": NEW})
    link = confirm_path(OutboxMessage.objects.get(recipients=[NEW]))
    client.force_login(opened.user)
    assert client.post(link.replace("/space/email/", "/space/email/x")).status_code == 404


def test_the_buyer_form_refuses_an_address_of_another_login_account(client, staff, opened, settings):
    settings.STAFF_MFA_REQUIRED = False
    administrator = make_user("chief@example.test", role=Role.ADMINISTRATOR, is_superuser=True)
    notary = make_user("notary@example.test", role=Role.NOTARY)
    client.force_login(administrator)
    url = reverse("admin:sales_buyer_change", args=[opened.pk])
    data = {
        "civility": "",
        "first_name": opened.first_name,
        "last_name": opened.last_name,
        "email": notary.email,
        "phone": "",
        "address": "",
        "postcode": "",
        "city": "",
        "country": "FR",
        "language": "en",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert "notary@example.test is the address of another login account." in response.content.decode()
    opened.refresh_from_db()
    assert opened.email == "emma@example.test"


def test_send_access_in_the_back_office_says_why_a_notarys_address_is_refused(
    client, staff, programme, settings
):
    settings.STAFF_MFA_REQUIRED = False
    notary = make_user("notary@example.test", role=Role.NOTARY)
    buyer = Buyer.objects.create(first_name="Fake", last_name="Buyer", email=notary.email)
    sale = factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])
    programme.staff.add(staff)
    client.force_login(staff)

    response = client.post(reverse("admin:sales_sale_access", args=[sale.pk, "send"]), follow=True)

    assert "notary@example.test is the address of a notary" in response.content.decode()
    assert not Invitation.objects.exists()
