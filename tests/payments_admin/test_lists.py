"""The payment lists: columns, unread marks per user, filters, search, actions."""

from datetime import date

import pytest

from payments.models import Payment, PaymentRead
from payments.services.money import payment_record_transfer
from tests.factories import request_make
from tests.payments_admin.helpers import paid_by_transfer, url
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db


def action(client, name: str, payments, *, page: str = "payment_changelist"):
    return client.post(
        url(page), {"action": name, "_selected_action": [payment.pk for payment in payments]}, follow=True
    )


def test_the_list_shows_the_columns(client, world):
    client.force_login(world.anne)

    page = client.get(url("payment_changelist")).text

    for text in ["INV-A1", world.sale_a.reference, "Programme AAA", "Payment request", "€1,000.00", "To pay"]:
        assert text in page
    for header in ["Buyer", "Method", "Attempts", "Requested at", "Paid at", "Reconciled"]:
        assert header in page


def test_a_payment_paid_at_the_second_attempt_says_so(client, world):
    Payment.objects.filter(pk=world.payment_a.pk).update(attempts=1)
    paid_by_transfer(world.payment_a, world.ada)
    Payment.objects.filter(pk=world.payment_a.pk).update(attempts=2)
    client.force_login(world.anne)

    assert "Paid at attempt 2" in client.get(url("payment_changelist")).text


def test_unread_rows_are_marked_for_each_user(client, world):
    PaymentRead.objects.create(payment=world.payment_a, user=world.ada)

    client.force_login(world.anne)
    assert 'class="payments-unread"' in client.get(url("payment_changelist")).text

    client.force_login(world.ada)
    assert 'class="payments-unread"' not in client.get(url("payment_changelist")).text
    assert "INV-A1" in client.get(url("payment_changelist") + "?read=yes").text
    assert "INV-A1" not in client.get(url("payment_changelist") + "?read=no").text


def test_mark_read_and_unread_act_for_the_user_only(client, world):
    client.force_login(world.anne)

    action(client, "mark_read", [world.payment_a])
    assert set(PaymentRead.objects.values_list("user", flat=True)) == {world.anne.pk}

    response = action(client, "mark_unread", [world.payment_a])
    assert not PaymentRead.objects.exists()
    assert "1 payment marked as unread." in response.text


def test_the_actions_from_my_payments(client, world):
    client.force_login(world.anne)

    action(client, "mark_read", [world.payment_a], page="mypayment_changelist")

    assert PaymentRead.objects.filter(user=world.anne, payment=world.payment_a).exists()


def test_reconcile_is_offered_to_accountants_only(client, world):
    client.force_login(world.anne)
    assert 'value="reconcile_selected"' not in client.get(url("payment_changelist")).text

    client.force_login(world.ada)
    assert 'value="reconcile_selected"' in client.get(url("payment_changelist")).text


def test_an_accountant_reconciles_from_the_list_and_is_told_what_could_not_be(client, world):
    paid = request_make(world.sale_a, actor=world.anne, reference="INV-A2")
    paid_by_transfer(paid, world.ada)
    client.force_login(world.ada)

    response = action(client, "reconcile_selected", [paid, world.payment_a])

    paid.refresh_from_db()
    assert paid.reconciled_by == world.ada
    assert "INV-A1 has received no money yet: nothing to reconcile." in response.text
    assert "1 payment reconciled." in response.text


def test_sales_staff_posting_the_reconcile_action_reconcile_nothing(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.anne)

    action(client, "reconcile_selected", [world.payment_a])

    world.payment_a.refresh_from_db()
    assert world.payment_a.reconciled_at is None


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status__exact=paid", "INV-A2", "INV-A1"),
        ("method__exact=cheque", "INV-A2", "INV-A1"),
        ("kind__exact=request", "INV-A1", "nothing"),
        ("reconciled=no", "INV-A1", "nothing"),
        ("reconciled=yes", "nothing", "INV-A1"),
        ("q=INV-A2", "INV-A2", "INV-A1"),
        ("q=RF", "INV-A2", "nothing"),
        ("q=zoe@example.test", "INV-A2", "INV-A1"),
        ("q=Zylberstein", "INV-A2", "INV-A1"),
        ("paid_at__isnull=False", "INV-A2", "INV-A1"),
    ],
)
def test_the_filters_and_the_search(client, world, query, shown, hidden):
    sale = sale_make(world.a, world.anne)
    sale.buyers.update(email="zoe@example.test", last_name="Zylberstein")
    second = request_make(sale, actor=world.anne, reference="INV-A2")
    payment_record_transfer(
        actor=world.ada, payment=second, amount=second.amount, received_on=date(2026, 1, 2), method="cheque"
    )
    client.force_login(world.anne)

    page = client.get(f"{url('payment_changelist')}?{query}").text

    if shown != "nothing":
        assert shown in page
    if hidden != "nothing":
        assert f">{hidden}<" not in page


def test_the_sale_reference_finds_its_payments(client, world):
    client.force_login(world.anne)

    page = client.get(f"{url('payment_changelist')}?q={world.sale_a.reference}").text

    assert "INV-A1" in page
