"""Cancelling a payment request and refunding are confirmed with a reason, kept in the audit trail."""

import pytest

from portal.audit.models import AuditEntry
from tests.payments_admin.helpers import paid_by_transfer, url

pytestmark = pytest.mark.django_db


def cancel_url(payment) -> str:
    return url("payment_operation", payment.pk, "cancel")


def test_the_first_click_to_cancel_a_request_shows_what_will_happen_and_changes_nothing(client, world):
    client.force_login(world.anne)

    first = client.post(cancel_url(world.payment_a))
    shown = client.get(cancel_url(world.payment_a))

    assert first.status_code == shown.status_code == 200
    page = first.text
    assert "The request INV-A1 of €1,000.00 asked of" in page
    assert "stops working" in page
    assert 'name="reason"' in page
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "to_pay"


def test_other_buttons_still_answer_only_post(client, world):
    client.force_login(world.anne)

    assert client.get(url("payment_operation", world.payment_a.pk, "renew")).status_code == 405


def test_cancelling_without_a_reason_is_refused_with_a_sentence(client, world):
    client.force_login(world.anne)

    response = client.post(cancel_url(world.payment_a), {"confirmed": "1", "reason": ""})

    assert response.status_code == 200
    assert "Say why: the reason is kept in the audit trail." in response.text
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "to_pay"


def test_cancelling_with_a_reason_cancels_and_the_trail_keeps_the_reason(client, world):
    client.force_login(world.anne)

    response = client.post(cancel_url(world.payment_a), {"confirmed": "1", "reason": "Sent twice by mistake"})

    assert response.status_code == 302
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "cancelled"
    entry = AuditEntry.objects.filter(action="payment.status_changed").latest("pk")
    assert (entry.actor, entry.data["to"], entry.data["reason"]) == (
        world.anne,
        "cancelled",
        "Sent twice by mistake",
    )


def test_the_refund_page_says_what_a_full_refund_does_and_changes_nothing(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.ada)

    page = client.get(url("payment_refund", world.payment_a.pk)).text

    assert "What will happen" in page
    assert "Refunding the whole €1,000.00 marks the payment “Refunded”" in page
    world.payment_a.refresh_from_db()
    assert world.payment_a.amount_refunded == 0


def test_refunding_without_a_reason_is_refused_with_a_sentence(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.ada)

    response = client.post(url("payment_refund", world.payment_a.pk), {"amount": "1000.00", "reason": ""})

    assert response.status_code == 200
    assert "Say why: the reason is kept in the audit trail." in response.text
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "paid"


def test_refunding_the_full_amount_with_a_reason_keeps_the_reason_in_the_trail(client, world):
    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.ada)

    response = client.post(
        url("payment_refund", world.payment_a.pk), {"amount": "1000.00", "reason": "Sale cancelled by notary"}
    )

    assert response.status_code == 302
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "refunded"
    entry = AuditEntry.objects.filter(action="payment.refund_requested").latest("pk")
    assert (entry.actor, entry.data["reason"]) == (world.ada, "Sale cancelled by notary")
