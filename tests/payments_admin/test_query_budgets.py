"""Every payments back-office page costs the same few queries with ten times more data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.models import PaymentRead
from payments.services.lists import payment_reconcile
from payments.services.refunds import refund_request
from tests.factories import request_make
from tests.payments_admin.helpers import paid_by_transfer, url
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries, sale_make

pytestmark = pytest.mark.django_db


def grow(world, payment, size: int) -> None:
    """`size` more payments on new sales (half paid, reconciled and read by Anne), and as many
    events and refunds on `payment`."""
    for index in range(size):
        sale = sale_make(world.a, world.anne, buyers=2)
        other = request_make(sale, actor=world.anne, reference=f"GROW-{index}")
        if index % 2:
            paid_by_transfer(other, world.ada)
            payment_reconcile(actor=world.ada, payment=other)
            PaymentRead.objects.create(payment=other, user=world.anne)
        refund_request(actor=world.ada, payment=payment, amount=1)


PAGES = {
    "all payments": lambda payment: url("payment_changelist"),
    "all payments, filtered": lambda payment: (
        url("payment_changelist") + f"?status__exact=paid&programme__id__exact={payment.programme_id}&q=GROW"
    ),
    "my payments": lambda payment: url("mypayment_changelist"),
    "payment page": lambda payment: url("payment_change", payment.pk),
    "my payment page": lambda payment: url("mypayment_change", payment.pk),
    "transfer form": lambda payment: url("payment_transfer", payment.pk),
    "refund form": lambda payment: url("payment_refund", payment.pk),
    "request form": lambda payment: url("payment_request", payment.sale_id),
    "refunds": lambda payment: "/admin/payments/refund/",
    "settings": lambda payment: "/admin/payments/paymentsettings/",
    "sale page": lambda payment: f"/admin/sales/sale/{payment.sale_id}/change/",
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["anne", "chief"])
def test_the_page_costs_the_same_few_queries_whatever_the_data(client, world, chief, page, persona):
    payment = request_make(world.sale_a, actor=world.anne, reference="BIG", amount="5000.00")
    paid_by_transfer(payment, world.ada)
    user = {"anne": world.anne, "chief": chief}[persona]
    if page in {"transfer form", "refund form"}:
        user = chief  # the accountants' forms
    if page == "my payment page":
        user = world.anne  # the advisor of the sale: his own list
    client.force_login(user)
    address = PAGES[page](payment)
    grow(world, payment, 2)
    small = count_get_queries(client, address)

    grow(world, payment, 20)
    large = count_get_queries(client, address)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET


def export_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        assert response.status_code == 200
        # Reading the stream to its end closes the response, as the test client does it.
        b"".join(response.streaming_content)
    return len(queries.captured_queries)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_costs_the_same_few_queries_whatever_the_data(client, world, file_format):
    payment = request_make(world.sale_a, actor=world.anne, reference="BIG")
    paid_by_transfer(payment, world.ada)
    client.force_login(world.anne)
    address = url("payment_export", file_format) + "?o=-10"
    grow(world, payment, 2)
    export_queries(client, address)
    small = export_queries(client, address)

    grow(world, payment, 20)
    large = export_queries(client, address)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET
