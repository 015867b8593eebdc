"""SAL-2 and SAL-4: opening a sale (or holding lots) through sale_create, editing its plain fields."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.users.roles import Role
from programmes.models import Lot
from sales.models import Sale, SaleAssignment, SaleLot
from tests.conftest import make_user
from tests.factories import BuyerFactory, lots_make
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db

ADD = reverse("admin:sales_sale_add")


def change_url(sale) -> str:
    return reverse("admin:sales_sale_change", args=[sale.pk])


def add_form(lots, main, co_buyers=(), **overrides) -> dict:
    data = {
        "lots": [lot.pk for lot in lots],
        "main_buyer": main.pk,
        "co_buyers": [buyer.pk for buyer in co_buyers],
        "price": "",
        "hold_until": "",
        "advisor": "",
        "contract_type": Sale.ContractType.VEFA,
        "contract_number": "",
        "partner_agency": "",
    }
    data.update(overrides)
    return data


def change_form(sale, **overrides) -> dict:
    data = {
        "price": str(sale.price),
        "contract_type": sale.contract_type,
        "contract_number": sale.contract_number,
        "advisor": sale.advisor_id or "",
        "partner_agency": sale.partner_agency,
        "hold_until_0": "",
        "hold_until_1": "",
        "reservation_signed_on": "",
        "withdrawal_ends_on": "",
        "deed_planned_on": "",
        "deed_signed_on": "",
        "delivered_on": "",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_staff_open_a_sale_on_available_lots_with_a_main_buyer_and_a_co_buyer(client, world):
    lots = lots_make(world.a, 2, price="150000.00")
    main, co = BuyerFactory(), BuyerFactory()
    client.force_login(world.anne)

    response = client.post(ADD, add_form(lots, main, [co], advisor=world.anne.pk, contract_number="R-12"))

    sale = Sale.objects.get()
    assert response.status_code == 302
    assert response.url == change_url(sale)
    assert sale.price == Decimal("300000.00")  # the lots' sum, since no price was typed
    assert (sale.stage, sale.advisor, sale.contract_number) == ("option", world.anne, "R-12")
    assert [(link.buyer, link.is_main) for link in sale.sale_buyers.order_by("-is_main")] == [
        (main, True),
        (co, False),
    ]
    assert {lot.status for lot in Lot.objects.filter(pk__in=[lot.pk for lot in lots])} == {
        Lot.Status.OPTIONED
    }
    assert AuditEntry.objects.filter(action="sale.created", actor=world.anne).exists()


def test_a_hold_lasts_through_the_chosen_day_in_the_programmes_time_zone(client, world):
    [lot] = lots_make(world.a, 1)
    client.force_login(world.anne)

    client.post(ADD, add_form([lot], BuyerFactory(), hold_until="2099-03-10", price="199000"))

    sale = Sale.objects.get()
    assert sale.price == Decimal("199000.00")
    assert sale.hold_until == datetime(2099, 3, 11, tzinfo=ZoneInfo("Europe/Paris"))


def test_a_main_buyer_also_given_as_co_buyer_is_counted_once(client, world):
    [lot] = lots_make(world.a, 1)
    main = BuyerFactory()
    client.force_login(world.anne)

    client.post(ADD, add_form([lot], main, [main]))

    assert list(Sale.objects.get().buyers.all()) == [main]


def test_a_lot_already_taken_is_refused_in_words(client, world):
    taken = sale_make(world.a, world.anne).lots.get()
    client.force_login(world.anne)

    response = client.post(ADD, add_form([taken], BuyerFactory()))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Sale.objects.count() == 1


def test_a_lot_taken_while_the_form_was_open_is_refused_in_words(client, world):
    [lot] = lots_make(world.a, 1)
    client.force_login(world.anne)
    form = add_form([lot], BuyerFactory())
    # Between the page and the click, another staff member opened a sale on the lot.
    Lot.objects.filter(pk=lot.pk).update(status=Lot.Status.OPTIONED)

    response = client.post(ADD, form)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SaleLot.objects.filter(lot=lot).exists()


def test_the_database_rule_of_one_live_sale_per_lot_shows_as_a_sentence(client, world):
    [lot] = lots_make(world.a, 1)
    other = sale_make(world.a, world.anne)
    # The state another transaction leaves when it commits between our check and our insert:
    # the lot still reads "available" to us, but a live sale already holds it.
    SaleLot.objects.create(sale=other, lot=lot)
    client.force_login(world.anne)

    response = client.post(ADD, add_form([lot], BuyerFactory()))

    assert response.status_code == 200
    assert "One of these lots was just taken by another sale." in response.content.decode()
    assert Sale.objects.count() == 1


def test_lots_of_two_programmes_make_no_sale(client, world, chief):
    lot_a, lot_b = lots_make(world.a, 1)[0], lots_make(world.b, 1)[0]
    client.force_login(chief)

    response = client.post(ADD, add_form([lot_a, lot_b], BuyerFactory()))

    assert "Choose the lots of one programme only." in response.content.decode()
    assert not Sale.objects.exists()


def test_a_hold_cannot_end_in_the_past(client, world):
    [lot] = lots_make(world.a, 1)
    client.force_login(world.anne)

    response = client.post(ADD, add_form([lot], BuyerFactory(), hold_until="2001-01-01"))

    assert "The hold cannot end in the past." in response.content.decode()


def test_staff_who_may_only_read_sales_cannot_open_one(client, world):
    accountant = make_user("accounts@example.test", role=Role.ACCOUNTANT)
    world.a.staff.add(accountant)
    client.force_login(accountant)

    assert client.get(ADD).status_code == 403


def test_the_plain_fields_change_and_the_change_is_audited(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.post(
        change_url(sale),
        change_form(sale, price="180000.50", contract_number="C-7", deed_planned_on="2026-09-01"),
    )

    assert response.status_code == 302
    sale.refresh_from_db()
    assert (sale.price, sale.contract_number, str(sale.deed_planned_on)) == (
        Decimal("180000.50"),
        "C-7",
        "2026-09-01",
    )
    entry = AuditEntry.objects.get(action="sale.updated")
    assert set(entry.data) == {"price", "contract_number", "deed_planned_on"}


def test_the_stage_never_changes_through_the_form(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    client.post(change_url(sale), change_form(sale, stage="delivered", programme=world.b.pk))

    sale.refresh_from_db()
    assert (sale.stage, sale.programme) == ("option", world.a)
    assert sale.lots.get().status == Lot.Status.OPTIONED


def test_a_notary_is_given_access_through_the_inline(client, world):
    sale = sale_make(world.a, world.anne)
    notary = make_user("notary@example.test", role=Role.NOTARY)
    client.force_login(world.anne)

    response = client.post(
        change_url(sale),
        change_form(
            sale,
            **{
                "assignments-TOTAL_FORMS": "1",
                "assignments-0-user": notary.pk,
                "assignments-0-role": SaleAssignment.Role.NOTARY,
            },
        ),
    )

    assert response.status_code == 302
    assert SaleAssignment.objects.get(sale=sale).user == notary
    assert AuditEntry.objects.filter(action="sale.assigned").exists()


def test_a_notarys_access_is_removed_through_the_inline(client, world):
    sale = sale_make(world.a, world.anne)
    notary = make_user("notary@example.test", role=Role.NOTARY)
    assignment = SaleAssignment.objects.create(sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
    client.force_login(world.anne)

    client.post(
        change_url(sale),
        change_form(
            sale,
            **{
                "assignments-TOTAL_FORMS": "1",
                "assignments-INITIAL_FORMS": "1",
                "assignments-0-id": assignment.pk,
                "assignments-0-sale": sale.pk,
                "assignments-0-user": notary.pk,
                "assignments-0-role": SaleAssignment.Role.NOTARY,
                "assignments-0-DELETE": "on",
            },
        ),
    )

    assert not SaleAssignment.objects.filter(sale=sale).exists()
    assert AuditEntry.objects.filter(action="sale.unassigned").exists()


def test_sales_are_never_deleted_from_the_back_office(client, world, chief):
    sale = sale_make(world.a, world.anne)
    client.force_login(chief)

    response = client.post(reverse("admin:sales_sale_delete", args=[sale.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Sale.objects.filter(pk=sale.pk).exists()
