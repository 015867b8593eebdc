"""The Stripe webhook endpoint (PAY-6): 200 once handled, 400 when it does not check out, 500 so
Stripe retries when processing fails."""

import json

import pytest
from django.urls import reverse

from payments.models import Payment, Status, WebhookEvent
from payments.providers.signing import event_sign
from payments.simulated_events import event_payload, simulated_events
from tests.payments_pages.conftest import session_open

pytestmark = pytest.mark.django_db

URL = "/payments/stripe/webhook/"


def paid_event(payment) -> dict:
    session = session_open(payment)
    payment = Payment.objects.select_related("sale").get(pk=payment.pk)
    (event,) = simulated_events(session=session, payment=payment, outcome="pay")
    return event


def post(client, payload: bytes, signature: str):
    return client.post(URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def test_the_endpoint_is_where_the_issue_says():
    assert reverse("payments:stripe_webhook") == URL


def test_a_correctly_signed_event_is_handled_and_answered_200(client, anna_request):
    payload, signature = event_payload(paid_event(anna_request))
    response = post(client, payload, signature)
    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert Payment.objects.get(pk=anna_request.pk).status == Status.PAID
    assert WebhookEvent.objects.get().processed_at is not None


def test_no_csrf_token_is_needed(anna_request):
    from django.test import Client

    payload, signature = event_payload(paid_event(anna_request))
    response = post(Client(enforce_csrf_checks=True), payload, signature)
    assert response.status_code == 200


def test_a_wrong_signature_is_refused_with_400(client, anna_request):
    payload, _signature = event_payload(paid_event(anna_request))
    response = post(client, payload, event_sign(payload=payload, secret="whsec_someone_else"))
    assert response.status_code == 400
    assert response.json()["received"] is False
    assert not WebhookEvent.objects.exists()
    assert Payment.objects.get(pk=anna_request.pk).status == Status.TO_PAY


def test_a_missing_signature_or_a_body_changed_after_signing_is_refused(client, anna_request):
    event = paid_event(anna_request)
    payload, signature = event_payload(event)
    assert post(client, payload, "").status_code == 400
    tampered = json.dumps({**event, "type": "checkout.session.expired"}).encode()
    assert post(client, tampered, signature).status_code == 400


def test_a_processing_failure_answers_500_and_the_retry_succeeds(client, anna_request, monkeypatch):
    from payments.services import webhooks

    handle = webhooks._event_handle
    calls = []

    def broken_once(event, **kwargs):
        calls.append(event.event_id)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return handle(event, **kwargs)

    monkeypatch.setattr(webhooks, "_event_handle", broken_once)
    payload, signature = event_payload(paid_event(anna_request))
    response = post(client, payload, signature)
    assert response.status_code == 500
    stored = WebhookEvent.objects.get()
    assert stored.processed_at is None
    assert "database went away" in stored.error
    assert Payment.objects.get(pk=anna_request.pk).status == Status.TO_PAY

    # Stripe sends the same event again.
    response = post(client, payload, signature)
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert stored.error == ""
    assert Payment.objects.get(pk=anna_request.pk).status == Status.PAID
    # And once more: already processed, nothing changes.
    assert post(client, payload, signature).status_code == 200
    assert len(calls) == 2
    assert Payment.objects.get(pk=anna_request.pk).amount_paid == anna_request.amount


def test_the_endpoint_takes_post_only(client, db):
    assert client.get(URL).status_code == 405
