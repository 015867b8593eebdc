"""Ending a sale and refusing a buyer's request are confirmed on a page that says what will
happen and asks for a reason; the first click changes nothing, and the reason is in the trail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.users.roles import Role
from programmes.models import Lot
from tests.conftest import make_user
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db


def stage_url(sale) -> str:
    return reverse("admin:sales_sale_stage", args=[sale.pk])


def refuse_url(sale) -> str:
    return reverse("admin:sales_sale_request", args=[sale.pk, "refuse"])


def stage_entries(sale):
    return AuditEntry.objects.filter(action="sale.stage_changed", object_id=str(sale.pk))


@pytest.mark.parametrize("target", ["cancelled", "withdrawn"])
def test_the_first_click_to_end_a_sale_shows_what_will_happen_and_changes_nothing(client, world, target):
    sale = sale_make(world.a, world.anne, hold_until=timezone.now() + timedelta(days=3))
    if target == "withdrawn":
        from sales.services import sale_move_stage

        sale_move_stage(actor=world.anne, sale=sale, target="reservation_signed")
        sale_move_stage(actor=world.anne, sale=sale, target="withdrawal_period")
    client.force_login(world.anne)
    before = stage_entries(sale).count()

    response = client.post(stage_url(sale), {"target": target, "on_date": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert "What will happen" in page
    assert sale.reference in page and "€" in page  # the sale and its price, in words
    assert "Its lots become available for sale again." in page
    assert 'name="reason"' in page
    sale.refresh_from_db()
    assert sale.stage != target
    assert stage_entries(sale).count() == before


def test_a_get_shows_the_same_confirmation(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.get(stage_url(sale), {"target": "cancelled"})

    assert response.status_code == 200
    assert "Move sale" in response.content.decode()
    sale.refresh_from_db()
    assert sale.stage == "option"


def test_a_get_to_move_forward_is_still_refused(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    assert client.get(stage_url(sale), {"target": "reservation_signed"}).status_code == 405


def test_confirming_without_a_reason_is_refused_with_a_sentence(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.post(stage_url(sale), {"target": "cancelled", "confirmed": "1", "reason": "  "})

    assert response.status_code == 200
    assert "Say why: the reason is kept in the audit trail." in response.content.decode()
    sale.refresh_from_db()
    assert sale.stage == "option"


def test_confirming_with_a_reason_cancels_the_sale_and_the_trail_keeps_the_reason(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.post(
        stage_url(sale), {"target": "cancelled", "confirmed": "1", "reason": "The buyer changed his mind"}
    )

    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.stage == "cancelled"
    entry = stage_entries(sale).latest("pk")
    assert entry.actor == world.anne
    assert entry.data["note"] == "The buyer changed his mind"


def test_moving_forward_needs_no_confirmation(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.post(stage_url(sale), {"target": "reservation_signed", "on_date": ""})

    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.stage == "reservation_signed"


def test_staff_who_only_read_sales_get_no_confirmation_page(client, world):
    sale = sale_make(world.a, world.anne)
    accountant = make_user("accounts@example.test", role=Role.ACCOUNTANT)
    world.a.staff.add(accountant)
    client.force_login(accountant)

    assert client.get(stage_url(sale), {"target": "cancelled"}).status_code == 403


def test_refusing_a_request_is_confirmed_first(client, world, request_sale):
    client.force_login(world.anne)

    first = client.post(refuse_url(request_sale))
    shown = client.get(refuse_url(request_sale))

    assert first.status_code == shown.status_code == 200
    assert "Yes, refuse the request" in first.content.decode()
    request_sale.refresh_from_db()
    assert request_sale.stage == "option"


def test_refusing_a_request_without_a_reason_is_refused(client, world, request_sale):
    client.force_login(world.anne)

    response = client.post(refuse_url(request_sale), {"confirmed": "1", "reason": ""})

    assert "Say why: the reason is kept in the audit trail." in response.content.decode()
    request_sale.refresh_from_db()
    assert request_sale.stage == "option"


def test_refusing_a_request_with_a_reason_frees_the_lot_and_keeps_the_reason(client, world, request_sale):
    client.force_login(world.anne)

    client.post(refuse_url(request_sale), {"confirmed": "1", "reason": "Lot promised to another buyer"})

    request_sale.refresh_from_db()
    assert (request_sale.stage, request_sale.cancel_reason) == ("cancelled", "request_refused")
    assert Lot.objects.get(sales=request_sale).status == Lot.Status.AVAILABLE
    assert stage_entries(request_sale).latest("pk").data["note"] == "Lot promised to another buyer"
