"""ACC-5 and ACC-6 from the back-office: buyers' access links, notary and partner accounts."""

import pytest
from django.urls import reverse

from portal.outbox.models import OutboxMessage
from portal.users.models import User
from portal.users.roles import Role
from sales.models import Invitation, SaleAssignment
from tests.conftest import make_user
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db

LIST = reverse("admin:sales_sale_changelist")
PARTNER = reverse("admin:sales_sale_partner_account")


def change_url(sale) -> str:
    return reverse("admin:sales_sale_change", args=[sale.pk])


def access_url(sale, operation: str) -> str:
    return reverse("admin:sales_sale_access", args=[sale.pk, operation])


def states(client, sale) -> list[str]:
    return [row["state"] for row in client.get(change_url(sale)).context["buyer_access"]]


def test_the_sale_page_says_each_buyer_has_no_account_yet(client, world):
    sale = sale_make(world.a, world.anne, buyers=2)
    client.force_login(world.anne)

    assert states(client, sale) == ["No account", "No account"]


def test_send_access_emails_one_buyer_a_link_and_shows_until_when(client, world):
    sale = sale_make(world.a, world.anne, buyers=2)
    main, co = [link.buyer for link in sale.sale_buyers.order_by("-is_main")]
    client.force_login(world.anne)

    response = client.post(access_url(sale, "send"), {"buyer": main.pk}, follow=True)

    assert "An access link was emailed to 1 buyer." in response.content.decode()
    assert Invitation.objects.get().buyer == main
    assert OutboxMessage.objects.filter(recipients=[main.email]).exists()
    main_state, co_state = [row["state"] for row in response.context["buyer_access"]]
    assert main_state.startswith("Invited until ") and co_state == "No account"


def test_revoke_stops_the_pending_link(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)
    client.post(access_url(sale, "send"))

    response = client.post(access_url(sale, "revoke"), follow=True)

    assert "The pending access link of 1 buyer was revoked." in response.content.decode()
    assert Invitation.objects.get().revoked_at is not None
    assert states(client, sale) == ["Invitation expired or revoked"]


def test_a_buyer_who_set_his_password_shows_as_active(client, world):
    sale = sale_make(world.a, world.anne)
    buyer = sale.buyers.get()
    buyer.user = make_user(buyer.email, role=Role.BUYER)
    buyer.save()
    client.force_login(world.anne)

    assert states(client, sale) == ["Active"]


def test_the_list_action_sends_access_to_every_buyer_of_the_chosen_sales(client, world):
    first = sale_make(world.a, world.anne, buyers=2)
    second = sale_make(world.a, world.anne)
    untouched = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.post(
        LIST, {"action": "send_access", "_selected_action": [first.pk, second.pk], "index": 0}, follow=True
    )

    assert "An access link was emailed to 3 buyers." in response.content.decode()
    assert set(Invitation.objects.values_list("buyer", flat=True)) == set(
        first.buyers.values_list("pk", flat=True)
    ) | set(second.buyers.values_list("pk", flat=True))
    assert not Invitation.objects.filter(buyer__in=untouched.buyers.all()).exists()


def test_the_list_action_cannot_reach_another_programmes_sale(client, world):
    foreign = sale_make(world.b, world.bob)
    client.force_login(world.anne)

    client.post(LIST, {"action": "send_access", "_selected_action": [foreign.pk], "index": 0})

    assert not Invitation.objects.exists()


def test_a_buyer_of_another_sale_cannot_be_sent_access_through_this_one(client, world):
    sale = sale_make(world.a, world.anne)
    other = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.post(access_url(sale, "send"), {"buyer": other.buyers.get().pk})

    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_accountants_cannot_send_access(client, world):
    sale = sale_make(world.a, world.anne)
    accountant = make_user("accounts@example.test", role=Role.ACCOUNTANT)
    world.a.staff.add(accountant)
    client.force_login(accountant)

    page = client.get(change_url(sale))
    response = client.post(access_url(sale, "send"))

    assert page.context["may_send_access"] is False
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def partner_form(**overrides) -> dict:
    data = {
        "email": "Maitre.Dupont@Notaires.test",
        "first_name": "Claire",
        "last_name": "Dupont",
        "role": SaleAssignment.Role.NOTARY,
        "inherit_from": "",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_a_notary_account_from_a_sale_and_it_gets_the_sale(client, world, chief):
    sale = sale_make(world.a, world.anne)
    client.force_login(chief)

    page = client.get(change_url(sale)).content.decode()
    response = client.post(f"{PARTNER}?sale={sale.pk}", partner_form())

    assert f"{PARTNER}?sale={sale.pk}" in page
    assert response.url == change_url(sale)
    notary = User.objects.get(email="maitre.dupont@notaires.test")
    assert notary.groups.get().name == Role.NOTARY.value
    assert SaleAssignment.objects.get(user=notary).sale == sale
    assert OutboxMessage.objects.filter(recipients=[notary.email]).exists()


def test_a_partner_account_inherits_the_sales_of_another_account(client, world, chief):
    first, second = sale_make(world.a, world.anne), sale_make(world.b, world.bob)
    agent = make_user("agent@example.test", role=Role.PARTNER)
    for sale in (first, second):
        SaleAssignment.objects.create(sale=sale, user=agent, role=SaleAssignment.Role.PARTNER)
    client.force_login(chief)

    client.post(PARTNER, partner_form(email="colleague@agency.test", role="partner", inherit_from=agent.pk))

    colleague = User.objects.get(email="colleague@agency.test")
    assert set(SaleAssignment.objects.filter(user=colleague).values_list("sale", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_staff_may_only_pass_on_the_sales_of_an_account_working_in_their_programmes(world):
    from sales.forms import PartnerAccountForm

    mine = make_user("mine@agency.test", role=Role.PARTNER)
    SaleAssignment.objects.create(sale=sale_make(world.a, world.anne), user=mine, role="partner")
    everywhere = make_user("everywhere@agency.test", role=Role.PARTNER)
    SaleAssignment.objects.create(sale=sale_make(world.a, world.anne), user=everywhere, role="partner")
    SaleAssignment.objects.create(sale=sale_make(world.b, world.bob), user=everywhere, role="partner")

    offered = set(PartnerAccountForm(user=world.anne).fields["inherit_from"].queryset)

    assert mine in offered
    assert everywhere not in offered


def test_an_existing_email_is_refused_in_words(client, world, chief):
    client.force_login(chief)

    response = client.post(PARTNER, partner_form(email="bob@example.test"))

    assert "An account with the email address bob@example.test already exists." in response.content.decode()


@pytest.mark.parametrize("role", [Role.SALES, Role.ACCOUNTANT])
def test_only_administrators_open_partner_accounts(client, world, role):
    colleague = make_user("colleague@example.test", role=role)
    world.a.staff.add(colleague)
    sale = sale_make(world.a, world.anne)
    client.force_login(colleague)

    page = client.get(change_url(sale))
    response = client.post(f"{PARTNER}?sale={sale.pk}", partner_form())

    assert page.context["may_create_partner"] is False
    assert response.status_code == 403
    assert not User.objects.filter(email="maitre.dupont@notaires.test").exists()
