"""A payment's page: details, log, refunds, receipt, and the buttons its status and the user allow."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from payments.models import PaymentEvent, PaymentRead, Receipt, Refund
from tests.payments_admin.helpers import paid_by_transfer, paid_online, url

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_page_shows_the_details_and_the_log(client, world):
    client.force_login(world.anne)

    page = client.get(url("payment_change", world.payment_a.pk)).text

    assert "INV-A1" in page
    assert world.payment_a.creditor_reference in page
    assert "€1,000.00" in page
    assert "Requested" in page and "Sent to the buyer" in page  # the log
    assert "No refund." in page


def test_opening_a_payment_writes_nothing_not_even_a_read_mark(client, world):
    client.force_login(world.anne)

    page = client.get(url("payment_change", world.payment_a.pk)).text

    assert not PaymentRead.objects.exists()
    assert url("payment_operation", world.payment_a.pk, "read") in page


def test_the_mark_read_button_marks_the_payment_read_for_that_user_only(client, world):
    client.force_login(world.anne)

    response = client.post(url("payment_operation", world.payment_a.pk, "read"))

    assert response.status_code == 302
    assert PaymentRead.objects.filter(payment=world.payment_a, user=world.anne).exists()
    assert not PaymentRead.objects.filter(payment=world.payment_a, user=world.ada).exists()
    page = client.get(url("payment_change", world.payment_a.pk)).text
    assert url("payment_operation", world.payment_a.pk, "unread") in page

    client.post(url("payment_operation", world.payment_a.pk, "unread"))
    assert not PaymentRead.objects.filter(payment=world.payment_a, user=world.anne).exists()


def test_the_read_mark_is_never_written_by_a_get(client, world):
    client.force_login(world.anne)

    assert client.get(url("payment_operation", world.payment_a.pk, "read")).status_code == 405
    assert not PaymentRead.objects.exists()


def test_sales_staff_may_cancel_and_resend_but_not_record_refund_or_reconcile(client, world):
    client.force_login(world.anne)

    page = client.get(url("payment_change", world.payment_a.pk)).text

    assert url("payment_operation", world.payment_a.pk, "cancel") in page
    assert url("payment_operation", world.payment_a.pk, "renew") in page
    assert url("payment_transfer", world.payment_a.pk) not in page
    assert client.get(url("payment_transfer", world.payment_a.pk)).status_code == 403
    assert client.get(url("payment_refund", world.payment_a.pk)).status_code == 403


def test_an_accountant_records_a_transfer_and_the_payment_is_paid(client, world):
    client.force_login(world.ada)
    assert (
        url("payment_transfer", world.payment_a.pk)
        in client.get(url("payment_change", world.payment_a.pk)).text
    )

    response = client.post(
        url("payment_transfer", world.payment_a.pk),
        {"amount": "1000.00", "received_on": "2026-01-05", "method": "cheque", "note": "cheque 42"},
    )

    assert response.status_code == 302
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "paid"
    assert world.payment_a.method == "cheque"
    assert world.payment_a.amount_paid == Decimal("1000.00")
    assert Receipt.objects.filter(payment=world.payment_a).exists()
    assert messages_of(response) == ["€1,000.00 received was recorded; the payment is now “Paid”."]


def test_a_transfer_above_what_is_due_is_refused_in_words(client, world):
    client.force_login(world.ada)

    response = client.post(
        url("payment_transfer", world.payment_a.pk),
        {"amount": "1500.00", "received_on": "2026-01-05", "method": "transfer"},
    )

    assert response.status_code == 200
    assert "Only €1,000.00 is still due on this request" in response.text
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "to_pay"


def test_sales_staff_cancel_an_open_request(client, world):
    client.force_login(world.anne)

    response = client.post(
        url("payment_operation", world.payment_a.pk, "cancel"), {"confirmed": "1", "reason": "Asked twice"}
    )

    assert response.status_code == 302
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "cancelled"
    assert messages_of(response) == ["The request was cancelled."]
    page = client.get(url("payment_change", world.payment_a.pk)).text
    assert url("payment_operation", world.payment_a.pk, "cancel") not in page


def test_a_fresh_link_voids_the_old_one(client, world):
    client.force_login(world.anne)
    nonce = world.payment_a.link_nonce

    client.post(url("payment_operation", world.payment_a.pk, "renew"))

    world.payment_a.refresh_from_db()
    assert world.payment_a.link_nonce != nonce
    assert world.payment_a.events.filter(kind=PaymentEvent.Kind.SENT).count() == 2


def test_a_customer_service_member_may_not_cancel(client, world):
    from portal.users.roles import Role
    from tests.sales_admin.helpers import staff_of

    carol = staff_of(world.a, "carol@example.test", role=Role.CUSTOMER_SERVICE)
    client.force_login(carol)

    assert client.get(url("payment_change", world.payment_a.pk)).status_code == 200
    assert client.post(url("payment_operation", world.payment_a.pk, "cancel")).status_code == 403


def test_an_accountant_reconciles_and_undoes_it(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.ada)
    assert (
        url("payment_operation", world.payment_a.pk, "reconcile")
        in client.get(url("payment_change", world.payment_a.pk)).text
    )

    client.post(url("payment_operation", world.payment_a.pk, "reconcile"))
    world.payment_a.refresh_from_db()
    assert world.payment_a.reconciled_by == world.ada

    client.post(url("payment_operation", world.payment_a.pk, "unreconcile"))
    world.payment_a.refresh_from_db()
    assert world.payment_a.reconciled_at is None
    kinds = list(world.payment_a.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["reconciled", "unreconciled"]


def test_sales_staff_are_refused_reconciliation_with_a_message(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.anne)
    assert (
        url("payment_operation", world.payment_a.pk, "reconcile")
        not in client.get(url("payment_change", world.payment_a.pk)).text
    )

    response = client.post(url("payment_operation", world.payment_a.pk, "reconcile"))

    assert response.status_code == 302
    assert messages_of(response) == ["Only accountants and administrators may reconcile payments."]
    world.payment_a.refresh_from_db()
    assert world.payment_a.reconciled_at is None


def test_an_accountant_refunds_part_of_an_online_payment(client, world, django_capture_on_commit_callbacks):
    paid_online(world.payment_a)
    client.force_login(world.ada)
    assert (
        url("payment_refund", world.payment_a.pk)
        in client.get(url("payment_change", world.payment_a.pk)).text
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("payment_refund", world.payment_a.pk), {"amount": "400.00", "reason": "Lot changed"}
        )

    assert response.status_code == 302
    assert messages_of(response) == ["A refund of €400.00 was asked for."]
    refund = Refund.objects.get(payment=world.payment_a)
    assert (refund.provider, refund.state, refund.provider_refund_id) == (
        "simulated",
        "succeeded",
        f"re_sim_{refund.pk}",
    )
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "partly_refunded"
    assert world.payment_a.amount_refunded == Decimal("400.00")
    page = client.get(url("payment_change", world.payment_a.pk)).text
    assert "Lot changed" in page and "€400.00" in page


def test_a_refund_above_what_is_left_is_refused_with_the_sentence(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.ada)

    response = client.post(
        url("payment_refund", world.payment_a.pk), {"amount": "1000.01", "reason": "Too much"}
    )

    assert response.status_code == 200
    assert "At most €1,000.00 can still be refunded on this payment." in response.text
    assert not Refund.objects.exists()


def test_sales_staff_may_not_refund(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.anne)

    assert (
        url("payment_refund", world.payment_a.pk)
        not in client.get(url("payment_change", world.payment_a.pk)).text
    )
    assert client.post(url("payment_refund", world.payment_a.pk), {"amount": "10.00"}).status_code == 403
    assert not Refund.objects.exists()


def test_the_stored_receipt_downloads_as_an_attachment(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    receipt = Receipt.objects.get(payment=world.payment_a)
    receipt.file = default_storage.save("receipts/aaa/AAA-000001.pdf", ContentFile(b"%PDF-1.7 receipt"))
    receipt.save(update_fields=["file"])
    client.force_login(world.anne)
    assert (
        url("payment_receipt", world.payment_a.pk)
        in client.get(url("payment_change", world.payment_a.pk)).text
    )

    response = client.get(url("payment_receipt", world.payment_a.pk))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="receipt-AAA-000001.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7 receipt"


def test_a_receipt_not_rendered_yet_answers_404(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.anne)

    assert client.get(url("payment_receipt", world.payment_a.pk)).status_code == 404
