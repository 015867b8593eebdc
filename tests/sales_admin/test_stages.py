"""SAL-3, SAL-4, SAL-5: stage buttons, reservation requests, hold expiry, reactivation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.beat import BEAT_SCHEDULE
from portal.users.roles import Role
from programmes.models import Lot
from sales.models import Sale
from sales.services import sale_move_stage
from sales.tasks import sales_expire_holds_task
from tests.conftest import make_user
from tests.factories import BuyerFactory
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db


def change_url(sale) -> str:
    return reverse("admin:sales_sale_change", args=[sale.pk])


def move(client, sale, target, **data):
    return client.post(
        reverse("admin:sales_sale_stage", args=[sale.pk]), {"target": target, **data}, follow=True
    )


def lot_status(sale) -> str:
    return Lot.objects.get(sales=sale).status


def test_the_sale_page_offers_the_allowed_next_stages_only(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.get(change_url(sale))

    assert [stage.value for stage in response.context["stage_moves"]] == ["reservation_signed", "cancelled"]
    content = response.content.decode()
    assert "Move to “Reservation signed”" in content and "Move to “Deed signed”" not in content


def test_a_stage_button_moves_the_sale_dates_it_and_the_lots_follow(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = move(client, sale, "reservation_signed", on_date="2026-02-03")

    sale.refresh_from_db()
    assert (sale.stage, str(sale.reservation_signed_on)) == ("reservation_signed", "2026-02-03")
    assert lot_status(sale) == Lot.Status.RESERVED
    assert "is now at stage “Reservation signed”" in response.content.decode()


def test_the_lots_are_sold_with_the_deed_and_freed_by_a_cancellation(client, world):
    sold, cancelled = sale_make(world.a, world.anne), sale_make(world.a, world.anne)
    client.force_login(world.anne)

    for target in ["reservation_signed", "withdrawal_period", "deposit_paid", "financing", "deed_signed"]:
        move(client, sold, target)
    move(client, cancelled, "cancelled", confirmed="1", reason="The buyer gave up")

    assert lot_status(sold) == Lot.Status.SOLD
    assert lot_status(cancelled) == Lot.Status.AVAILABLE


def test_an_illegal_move_shows_the_sentence_and_changes_nothing(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = move(client, sale, "deed_signed")

    content = response.content.decode()
    assert (
        "A sale at stage “Option” cannot move to “Deed signed”. Allowed next stages: Cancelled, Reservation signed."
        in content
    )
    sale.refresh_from_db()
    assert sale.stage == "option"
    assert lot_status(sale) == Lot.Status.OPTIONED


def test_a_stage_dated_in_the_future_is_refused(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = move(client, sale, "reservation_signed", on_date="2999-01-01")

    assert "A stage cannot be dated in the future." in response.content.decode()
    sale.refresh_from_db()
    assert sale.stage == "option"


def test_a_move_must_be_posted(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    assert client.get(reverse("admin:sales_sale_stage", args=[sale.pk])).status_code == 405


def test_staff_who_may_only_read_sales_see_no_stage_button_and_cannot_move(client, world):
    sale = sale_make(world.a, world.anne)
    accountant = make_user("accounts@example.test", role=Role.ACCOUNTANT)
    world.a.staff.add(accountant)
    client.force_login(accountant)

    page = client.get(change_url(sale))
    response = client.post(reverse("admin:sales_sale_stage", args=[sale.pk]), {"target": "cancelled"})

    assert page.context["stage_moves"] == []
    assert response.status_code == 403
    sale.refresh_from_db()
    assert sale.stage == "option"


def test_the_timeline_says_who_did_what_and_when(client, world):
    sale = sale_make(world.a, world.anne)
    sale_move_stage(actor=world.anne, sale=sale, target="reservation_signed")
    client.force_login(world.anne)

    timeline = client.get(change_url(sale)).context["timeline"]

    assert [(entry.who, entry.what) for entry in timeline] == [
        ("Anne Staff", "Sale opened"),
        ("Anne Staff", "Stage changed"),
    ]
    assert timeline[1].detail.startswith("from Option to Reservation signed")


# Reservations (SAL-4) --------------------------------------------------------------------------


def test_pending_requests_can_be_listed_apart(client, world, request_sale):
    held = sale_make(world.a, world.anne, hold_until=timezone.now() + timedelta(days=3))
    client.force_login(world.anne)

    content = client.get(reverse("admin:sales_sale_changelist"), {"request": "pending"}).content.decode()

    assert request_sale.reference in content
    assert held.reference not in content


def test_staff_confirm_a_buyers_request(client, world, request_sale):
    client.force_login(world.anne)

    page = client.get(change_url(request_sale))
    response = client.post(
        reverse("admin:sales_sale_request", args=[request_sale.pk, "confirm"]), follow=True
    )

    assert page.context["pending_request"] is True
    assert "The reservation request was confirmed." in response.content.decode()
    request_sale.refresh_from_db()
    assert request_sale.request_confirmed_at is not None
    assert response.context["pending_request"] is False


def test_staff_refuse_a_buyers_request_and_the_lot_is_free_again(client, world, request_sale):
    client.force_login(world.anne)

    client.post(
        reverse("admin:sales_sale_request", args=[request_sale.pk, "refuse"]),
        {"confirmed": "1", "reason": "Financing not secured"},
    )

    request_sale.refresh_from_db()
    assert (request_sale.stage, request_sale.cancel_reason) == ("cancelled", "request_refused")
    assert lot_status(request_sale) == Lot.Status.AVAILABLE


def test_a_sale_that_was_not_requested_cannot_be_refused_as_a_request(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.post(reverse("admin:sales_sale_request", args=[sale.pk, "refuse"]), follow=True)

    assert "Only a buyer&#x27;s pending reservation request can be refused." in response.content.decode()
    sale.refresh_from_db()
    assert sale.stage == "option"


def test_the_daily_task_frees_the_lots_of_expired_holds(world, time_machine):
    expired = sale_make(world.a, world.anne, hold_until=timezone.now() + timedelta(days=1))
    running = sale_make(world.a, world.anne, hold_until=timezone.now() + timedelta(days=5))
    time_machine.move_to(timezone.now() + timedelta(days=2))

    assert sales_expire_holds_task.delay().get() == 1

    expired.refresh_from_db()
    running.refresh_from_db()
    assert (expired.stage, expired.cancel_reason) == ("cancelled", "hold_expired")
    assert lot_status(expired) == Lot.Status.AVAILABLE
    assert running.stage == "option" and lot_status(running) == Lot.Status.OPTIONED
    assert sales_expire_holds_task.delay().get() == 0


def test_the_hold_expiry_runs_every_night():
    entry = BEAT_SCHEDULE["sales-expire-holds"]

    assert entry["task"] == sales_expire_holds_task.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {15})


# Reactivation (SAL-5) --------------------------------------------------------------------------


def test_a_cancelled_sale_is_reactivated_as_a_new_linked_sale(client, world):
    old = sale_make(world.a, world.anne, buyers=2)
    sale_move_stage(actor=world.anne, sale=old, target="cancelled")
    client.force_login(world.anne)

    page = client.get(change_url(old))
    response = client.post(reverse("admin:sales_sale_reactivate", args=[old.pk]), {"hold_until": ""})

    new = Sale.objects.get(reactivated_from=old)
    assert page.context["may_reactivate"] is True
    assert response.url == change_url(new)
    assert (new.stage, set(new.buyers.all()), set(new.lots.all())) == (
        "option",
        set(old.buyers.all()),
        set(old.lots.all()),
    )
    assert lot_status(new) == Lot.Status.OPTIONED
    old_page = client.get(change_url(old)).content.decode()
    new_page = client.get(change_url(new)).content.decode()
    assert change_url(new) in old_page and change_url(old) in new_page
    assert client.get(change_url(old)).context["may_reactivate"] is False


def test_a_live_sale_offers_no_reactivation_and_refuses_one_in_words(client, world):
    sale = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    page = client.get(change_url(sale))
    response = client.post(reverse("admin:sales_sale_reactivate", args=[sale.pk]), follow=True)

    assert page.context["may_reactivate"] is False
    assert "Only a cancelled or withdrawn sale can be reactivated." in response.content.decode()
    assert Sale.objects.count() == 1


def test_a_sale_whose_lots_were_sold_since_cannot_be_reactivated(client, world):
    old = sale_make(world.a, world.anne)
    sale_move_stage(actor=world.anne, sale=old, target="cancelled")
    from sales.services import sale_create

    sale_create(actor=world.anne, programme=world.a, lots=list(old.lots.all()), buyers=[BuyerFactory()])
    client.force_login(world.anne)

    response = client.post(reverse("admin:sales_sale_reactivate", args=[old.pk]), follow=True)

    assert "is not available (it is optioned)" in response.content.decode()
    assert not Sale.objects.filter(reactivated_from=old).exists()
