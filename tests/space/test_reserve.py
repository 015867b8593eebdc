"""A buyer asks from his client space to hold an available lot (SAL-4)."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from programmes.models import Lot
from sales.models import Sale, SaleLot, Stage
from tests.space import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def free_lot(programme, anna_sale):
    return factories.lots_make(programme, 1)[0]


def request_lot(client, lot):
    return client.post(reverse("space:reserve_lot", args=[lot.pk]))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_reserve_page_lists_the_available_lots_of_programmes_open_to_the_buyer(
    client, anna, programme, free_lot
):
    closed = factories.ProgrammeFactory(name="Closed programme")
    factories.sale_make(closed, factories.lots_make(closed, 1), [anna])
    closed_lot = factories.lots_make(closed, 1)[0]
    elsewhere = factories.ProgrammeFactory(name="Not his programme", self_reservation_enabled=True)
    foreign_lot = factories.lots_make(elsewhere, 1)[0]
    client.force_login(anna.user)

    html = client.get(reverse("space:reserve")).content.decode()

    assert reverse("space:reserve_lot", args=[free_lot.pk]) in html
    assert "€210,000.00" in html
    taken = list(SaleLot.objects.filter(lot__programme=programme).values_list("lot_id", flat=True))
    assert len(taken) == 2
    assert all(reverse("space:reserve_lot", args=[lot_id]) not in html for lot_id in taken)
    assert reverse("space:reserve_lot", args=[closed_lot.pk]) not in html
    assert reverse("space:reserve_lot", args=[foreign_lot.pk]) not in html


def test_a_buyer_requests_a_lot_and_lands_on_his_new_sale(client, anna, free_lot, advisor):
    client.force_login(anna.user)
    response = request_lot(client, free_lot)

    sale = Sale.objects.get(sale_lots__lot=free_lot)
    assert response.status_code == 302
    assert response["Location"] == reverse("space:sale", args=[sale.pk])
    assert sale.requested_by_buyer
    assert sale.stage == Stage.OPTION
    assert sale.hold_until is not None
    assert sale.advisor == advisor
    assert list(sale.buyers.all()) == [anna]
    free_lot.refresh_from_db()
    assert free_lot.status == Lot.Status.OPTIONED
    assert f"Your request for lot {free_lot} is sent." in messages_of(response)[0]


def test_a_lot_just_taken_is_refused_in_words(client, anna, boris, boris_sale, free_lot):
    factories.sale_make(free_lot.programme, [free_lot], [boris])
    client.force_login(anna.user)

    response = request_lot(client, free_lot)

    assert response.status_code == 302
    assert response["Location"] == reverse("space:reserve")
    assert messages_of(response) == [f"Sorry, lot {free_lot} has just been taken."]
    assert not Sale.objects.filter(sale_lots__lot=free_lot, buyers=anna).exists()


def test_a_programme_closed_to_requests_answers_404(client, anna, programme, free_lot):
    programme.self_reservation_enabled = False
    programme.save()
    client.force_login(anna.user)

    assert request_lot(client, free_lot).status_code == 404
    assert not Sale.objects.filter(sale_lots__lot=free_lot).exists()


def test_a_lot_of_a_programme_where_the_buyer_has_no_sale_answers_404(client, anna, anna_sale):
    elsewhere = factories.ProgrammeFactory(self_reservation_enabled=True)
    lot = factories.lots_make(elsewhere, 1)[0]
    client.force_login(anna.user)
    assert request_lot(client, lot).status_code == 404


def test_opening_a_lot_asks_for_confirmation_and_holds_nothing_yet(client, anna, free_lot):
    client.force_login(anna.user)

    response = client.get(reverse("space:reserve_lot", args=[free_lot.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirm your reservation request" in html
    assert "€210,000.00" in html
    assert f'action="{reverse("space:reserve_lot", args=[free_lot.pk])}"' in html
    assert not Sale.objects.filter(sale_lots__lot=free_lot).exists()
    free_lot.refresh_from_db()
    assert free_lot.status == Lot.Status.AVAILABLE


def test_a_second_pending_request_is_refused_while_the_first_waits(client, anna, programme, free_lot):
    second_lot = factories.lots_make(programme, 1)[0]
    client.force_login(anna.user)
    request_lot(client, free_lot)

    response = request_lot(client, second_lot)

    assert response["Location"] == reverse("space:reserve")
    assert messages_of(response)[-1:] == [
        "You already have 1 reservation request waiting for your advisor: withdraw it or wait for "
        "the answer before asking for another lot."
    ]
    assert not Sale.objects.filter(sale_lots__lot=second_lot).exists()


def test_the_limit_of_pending_requests_comes_from_the_settings(client, anna, programme, free_lot, settings):
    settings.SELF_SERVICE_OPTIONS_MAX = 2
    second_lot, third_lot = factories.lots_make(programme, 2)
    client.force_login(anna.user)
    request_lot(client, free_lot)
    request_lot(client, second_lot)

    request_lot(client, third_lot)

    assert Sale.objects.filter(requested_by_buyer=True, buyers=anna).count() == 2
    assert not Sale.objects.filter(sale_lots__lot=third_lot).exists()


def test_a_buyer_withdraws_his_request_after_confirming_and_the_lot_is_free_again(
    client, anna, programme, free_lot
):
    client.force_login(anna.user)
    request_lot(client, free_lot)
    sale = Sale.objects.get(sale_lots__lot=free_lot)
    page = client.get(reverse("space:sale", args=[sale.pk])).content.decode()
    assert reverse("space:withdraw_request", args=[sale.pk]) in page

    confirm = client.get(reverse("space:withdraw_request", args=[sale.pk]))
    assert confirm.status_code == 200
    assert f"Lot {free_lot.number} will no longer be held for you" in confirm.content.decode()
    sale.refresh_from_db()
    assert sale.stage == Stage.OPTION  # the confirmation page changes nothing

    response = client.post(reverse("space:withdraw_request", args=[sale.pk]))

    assert response["Location"] == reverse("space:dashboard")
    sale.refresh_from_db()
    free_lot.refresh_from_db()
    assert sale.stage == Stage.CANCELLED
    assert sale.cancel_reason == Sale.CancelReason.REQUEST_WITHDRAWN
    assert free_lot.status == Lot.Status.AVAILABLE
    assert request_lot(client, factories.lots_make(programme, 1)[0])["Location"] != reverse("space:reserve")


def test_nobody_withdraws_a_sale_that_is_not_his_own_pending_request(
    client, anna, boris, boris_sale, free_lot
):
    client.force_login(boris.user)
    request_lot(client, free_lot)
    borises_request = Sale.objects.get(sale_lots__lot=free_lot)
    client.force_login(anna.user)

    assert client.post(reverse("space:withdraw_request", args=[borises_request.pk])).status_code == 404
    # His own sale, opened by staff, is no request he may withdraw either.
    client.force_login(boris.user)
    assert client.post(reverse("space:withdraw_request", args=[boris_sale.pk])).status_code == 404
    borises_request.refresh_from_db()
    boris_sale.refresh_from_db()
    assert borises_request.stage == Stage.OPTION
    assert boris_sale.stage != Stage.CANCELLED


def test_client_space_pages_are_never_kept_by_a_cache(client, anna, anna_sale, free_lot):
    client.force_login(anna.user)
    for url in [
        reverse("space:dashboard"),
        reverse("space:sale", args=[anna_sale.pk]),
        reverse("space:reserve"),
        reverse("space:reserve_lot", args=[free_lot.pk]),
        reverse("space:payments"),
    ]:
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_buyers_asking_for_one_lot_at_the_same_moment_get_it_once(
    anna, boris, anna_sale, boris_sale, free_lot
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    barrier = threading.Barrier(2, timeout=10)
    locations = {}

    def ask(buyer):
        client = Client()
        client.force_login(buyer.user)
        try:
            barrier.wait()
            locations[buyer.email] = request_lot(client, free_lot)["Location"]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(buyer,)) for buyer in (anna, boris)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    sale = Sale.objects.get(sale_lots__lot=free_lot)
    winner = sale.buyers.get()
    loser = boris if winner == anna else anna
    assert locations[winner.email] == reverse("space:sale", args=[sale.pk])
    assert locations[loser.email] == reverse("space:reserve")
    assert SaleLot.objects.filter(lot=free_lot, live=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_buyer_asking_for_two_lots_at_the_same_moment_gets_one(anna, anna_sale, programme, free_lot):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    second_lot = factories.lots_make(programme, 1)[0]
    barrier = threading.Barrier(2, timeout=10)

    def ask(lot):
        client = Client()
        client.force_login(anna.user)
        try:
            barrier.wait()
            request_lot(client, lot)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(lot,)) for lot in (free_lot, second_lot)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert Sale.objects.filter(requested_by_buyer=True, buyers=anna, stage=Stage.OPTION).count() == 1
