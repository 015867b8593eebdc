"""The simulated checkout (PAY-11): its buttons send signed, Stripe-shaped events through the webhook."""

import re

import pytest
from django.urls import reverse

from payments.models import CheckoutSession, Payment, Receipt, Status, WebhookEvent
from tests.factories import request_make
from tests.payments_pages.conftest import pay_path, session_open

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def page_of(session) -> str:
    return reverse("payments:simulated_checkout", args=[session.session_id])


def test_the_page_shows_the_amount_the_method_and_three_buttons(client, anna_request):
    session = session_open(anna_request)
    response = client.get(page_of(session))
    assert response.status_code == 200
    words = text_of(response)
    assert "Simulated checkout" in words
    assert "Test mode: no money moves." in words
    assert "Amount €5,000.00" in words
    assert "Method Card" in words
    html = response.content.decode()
    for outcome in ("pay", "fail", "abandon"):
        assert f'name="outcome" value="{outcome}"' in html


def test_pay_makes_the_payment_paid_with_its_receipt_and_goes_back(client, anna_request):
    session = session_open(anna_request)
    response = client.post(page_of(session), {"outcome": "pay"})
    assert response.status_code == 303
    assert response["Location"] == f"{pay_path(anna_request)}?done=1"
    payment = Payment.objects.get(pk=anna_request.pk)
    assert payment.status == Status.PAID
    assert payment.amount_paid == payment.amount
    assert payment.attempts == 1
    assert payment.provider == "simulated"
    assert payment.provider_payment_id == f"pi_sim_{session.session_id}"
    assert Receipt.objects.filter(payment=payment, number=1).exists()
    session.refresh_from_db()
    assert session.state == CheckoutSession.State.COMPLETE
    # Through the very webhook code: the events are stored, processed, with Stripe's names.
    events = WebhookEvent.objects.all()
    assert [event.type for event in events] == ["checkout.session.completed"]
    assert events[0].event_id.startswith("evt_sim_")
    assert events[0].processed_at is not None
    obj = events[0].payload["data"]["object"]
    assert obj["client_reference_id"] == str(payment.pk)
    assert obj["amount_total"] == 500000
    assert obj["currency"] == "eur"
    assert obj["payment_status"] == "paid"
    assert "This payment is paid" in text_of(client.get(response["Location"]))


def test_a_sepa_debit_is_processing_first_then_paid(client, programme, anna_sale):
    programme.payment_settings.accept_sepa_debit = True
    programme.payment_settings.save()
    payment = request_make(anna_sale)
    session = session_open(payment, "sepa_debit")
    client.post(page_of(session), {"outcome": "pay"})
    payment.refresh_from_db()
    assert payment.status == Status.PAID
    assert list(WebhookEvent.objects.values_list("type", flat=True)) == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]
    moves = [event.data["to"] for event in payment.events.filter(kind="status_changed")]
    assert moves == ["processing", "paid"]


def test_fail_leaves_the_payment_failed_and_goes_back(client, anna_request):
    session = session_open(anna_request)
    response = client.post(page_of(session), {"outcome": "fail"})
    assert response["Location"] == f"{pay_path(anna_request)}?done=1"
    payment = Payment.objects.get(pk=anna_request.pk)
    assert payment.status == Status.FAILED
    assert payment.attempts == 1
    assert payment.amount_paid == 0
    assert not Receipt.objects.exists()


def test_abandon_expires_the_session_and_the_payment_is_still_to_pay(client, anna_request):
    session = session_open(anna_request)
    response = client.post(page_of(session), {"outcome": "abandon"})
    assert response.status_code == 303
    assert response["Location"] == pay_path(anna_request)
    session.refresh_from_db()
    assert session.state == CheckoutSession.State.EXPIRED
    payment = Payment.objects.get(pk=anna_request.pk)
    assert payment.status == Status.TO_PAY
    assert payment.attempts == 0
    # The next click on Pay opens a fresh session.
    assert session_open(payment).pk != session.pk


def test_a_closed_checkout_takes_no_more_clicks(client, anna_request):
    session = session_open(anna_request)
    client.post(page_of(session), {"outcome": "pay"})
    response = client.post(page_of(session), {"outcome": "pay"})
    assert response.status_code == 409
    assert "This checkout is closed." in text_of(response)
    assert WebhookEvent.objects.count() == 1
    assert Payment.objects.get(pk=anna_request.pk).amount_paid == anna_request.amount
    get = client.get(page_of(session))
    assert get.status_code == 200
    assert 'name="outcome"' not in get.content.decode()


def test_an_unknown_button_changes_nothing(client, anna_request):
    session = session_open(anna_request)
    response = client.post(page_of(session), {"outcome": "steal"})
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_an_unknown_session_answers_404(client, db):
    assert client.get(reverse("payments:simulated_checkout", args=["cs_sim_nothing"])).status_code == 404


def test_the_simulated_checkout_is_off_when_stripe_is_configured(client, anna_request, settings):
    session = session_open(anna_request)
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_configured"
    assert client.get(page_of(session)).status_code == 404
    assert client.post(page_of(session), {"outcome": "pay"}).status_code == 404
    assert Payment.objects.get(pk=anna_request.pk).status == Status.TO_PAY
