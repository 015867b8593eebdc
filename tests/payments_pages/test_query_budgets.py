"""The payment pages cost the same few queries with N payments and with ten times as many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import request_make
from tests.payments_pages.conftest import paid, pay_path
from tests.space import factories

pytestmark = pytest.mark.django_db

BUDGET = 12


def queries_for(client, url: str) -> int:
    client.get(url)  # the first request fills the caches (company settings, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def assert_flat(small: int, large: int) -> None:
    assert small == large, f"{small} queries on the small data set, {large} on the large one"
    assert large <= BUDGET


def payments_make(sale, count: int, *, paid_every: int = 2) -> None:
    for i in range(count):
        payment = request_make(sale, amount=f"{100 + i}.00", reference=f"R{sale.pk}-{i}")
        if i % paid_every == 0:
            paid(payment)


def strangers(programme, count: int) -> None:
    for buyer in factories.buyers_make(count):
        sale = factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])
        request_make(sale, reference=f"S{sale.pk}")


@pytest.mark.parametrize("viewer", ["anonymous", "buyer"])
def test_the_pay_page_of_an_open_request(client, anna, anna_sale, anna_request, programme, viewer):
    if viewer == "buyer":
        client.force_login(anna.user)
    client.post(pay_path(anna_request), {"method": "card"})
    payments_make(anna_sale, 2)
    strangers(programme, 2)
    small = queries_for(client, pay_path(anna_request))
    payments_make(anna_sale, 20)
    strangers(programme, 20)
    assert_flat(small, queries_for(client, pay_path(anna_request)))


def test_the_pay_page_of_a_paid_request_with_its_receipt(client, anna, anna_sale, anna_request, programme):
    client.force_login(anna.user)
    payment = paid(anna_request)
    payments_make(anna_sale, 2)
    small = queries_for(client, pay_path(payment))
    payments_make(anna_sale, 20)
    strangers(programme, 10)
    assert_flat(small, queries_for(client, pay_path(payment)))


def test_the_buyers_payments_page(client, anna, anna_sale, programme):
    client.force_login(anna.user)
    payments_make(anna_sale, 2)
    strangers(programme, 2)
    small = queries_for(client, "/space/payments/")
    payments_make(anna_sale, 20)
    strangers(programme, 20)
    assert_flat(small, queries_for(client, "/space/payments/"))


def test_the_simulated_checkout_page(client, anna_sale, anna_request, programme):
    from tests.payments_pages.conftest import session_open

    session = session_open(anna_request)
    url = f"/payments/simulated/{session.session_id}/"
    payments_make(anna_sale, 2)
    small = queries_for(client, url)
    payments_make(anna_sale, 20)
    strangers(programme, 10)
    assert_flat(small, queries_for(client, url))
