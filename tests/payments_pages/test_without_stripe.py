"""Payments on a server without Stripe: bank transfer only, no simulated checkout, no events.

The simulated checkout (PAY-11) exists in the quick start and the tests only. With `.env.example`'s
values (no Stripe key, DEBUG off, no quick start), a pay link must not let anyone pay through it,
and the events it would send must not be forgeable from a public default secret.
"""

import hashlib
import hmac
import json
import os
import re
import stat
import time

import pytest
from django.urls import reverse

from payments.models import CheckoutSession, Payment, PaymentEvent, Receipt, Status, WebhookEvent
from payments.providers import simulated_webhook_secret, webhook_secret
from payments.providers.base import ProviderError
from payments.services.webhooks import WebhookRejected, webhook_receive
from payments.simulated_events import simulated_events
from tests.factories import request_make
from tests.payments_pages.conftest import pay_path, session_open

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def on_a_server(settings):
    """What a server reads from .env.example: no quick start, DEBUG off, no Stripe key."""

    def switch():
        settings.QUICKSTART = False
        settings.DEBUG = False
        settings.PAYMENTS_SIMULATED = False
        settings.STRIPE_SECRET_KEY = ""
        settings.STRIPE_WEBHOOK_SECRET = ""

    return switch


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def checkout_path(payment) -> str:
    return reverse("payments:checkout", args=[pay_path(payment).split("/")[-2]])


def derived_secret(secret_key: str) -> str:
    """The webhook secret the portal used to derive from SECRET_KEY when Stripe was not set."""
    digest = hashlib.sha256(f"simulated-webhooks:{secret_key}".encode()).hexdigest()
    return f"whsec_simulated_{digest[:32]}"


def forged(event: dict, secret: str) -> tuple[bytes, str]:
    """An event signed as Stripe documents it, by someone who knows (or guessed) `secret`."""
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), b"%d." % timestamp + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={digest}"


def paid_event(payment) -> dict:
    session = session_open(payment)
    payment = Payment.objects.select_related("sale").get(pk=payment.pk)
    (event,) = simulated_events(session=session, payment=payment, outcome="pay")
    return event


def post_event(client, payload: bytes, signature: str):
    return client.post(
        WEBHOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def assert_nothing_paid(payment) -> None:
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.amount_paid == 0
    assert payment.status == Status.TO_PAY
    assert not Receipt.objects.filter(payment=payment).exists()
    assert not PaymentEvent.objects.filter(payment=payment, kind=PaymentEvent.Kind.MONEY_RECEIVED).exists()


def test_a_request_made_without_stripe_is_paid_by_bank_transfer_only(client, on_a_server, anna_sale):
    on_a_server()
    payment = request_make(anna_sale)

    response = client.get(pay_path(payment))

    assert response.status_code == 200
    assert Payment.objects.get(pk=payment.pk).method == "transfer"
    words = text_of(response)
    html = response.content.decode()
    assert "Pay by bank transfer" in words
    assert "Transfer reference RF" in words
    assert 'name="method"' not in html  # nothing to choose
    assert checkout_path(payment) not in html
    assert "Card" not in words and "Pay €5,000.00" not in words


def test_a_card_request_from_before_stripe_was_removed_offers_transfer_only(
    client, on_a_server, anna_request
):
    client.post(pay_path(anna_request), {"method": "card"})
    on_a_server()

    response = client.get(pay_path(anna_request))

    html = response.content.decode()
    assert 'value="transfer"' in html
    assert 'value="card"' not in html
    assert checkout_path(anna_request) not in html
    refused = client.post(pay_path(anna_request), {"method": "card"})
    assert "This method of payment is not offered for this request." in text_of(refused)


def test_posting_the_pay_button_without_stripe_opens_no_checkout(client, on_a_server, anna_request):
    client.post(pay_path(anna_request), {"method": "card"})
    on_a_server()

    response = client.post(checkout_path(anna_request))

    assert response.status_code == 200
    assert "Online payment is not available: please pay by bank transfer." in text_of(response)
    assert not CheckoutSession.objects.exists()
    assert_nothing_paid(anna_request)


def test_the_simulated_checkout_answers_404_outside_the_quick_start(client, on_a_server, anna_request):
    session = session_open(anna_request)
    page = reverse("payments:simulated_checkout", args=[session.session_id])
    on_a_server()

    assert client.get(page).status_code == 404
    assert client.post(page, {"outcome": "pay"}).status_code == 404
    assert page.startswith("/payments/simulated/")
    assert not WebhookEvent.objects.exists()
    assert_nothing_paid(anna_request)


def test_without_stripe_the_webhook_endpoint_refuses_every_event(client, settings, on_a_server, anna_request):
    event = paid_event(anna_request)
    on_a_server()

    for secret in (derived_secret(settings.SECRET_KEY), "whsec_anything"):
        payload, signature = forged(event, secret)
        assert post_event(client, payload, signature).status_code == 404
        with pytest.raises(WebhookRejected):
            webhook_receive(payload=payload, signature=signature)
    assert not WebhookEvent.objects.exists()
    assert_nothing_paid(anna_request)
    with pytest.raises(ProviderError):
        webhook_secret()


def test_in_the_quick_start_an_event_signed_with_the_secret_derived_from_the_secret_key_is_refused(
    client, settings, anna_request
):
    event = paid_event(anna_request)
    payload, signature = forged(event, derived_secret(settings.SECRET_KEY))

    response = post_event(client, payload, signature)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert_nothing_paid(anna_request)
    # The same event signed with the install's own random secret goes through.
    assert post_event(client, *forged(event, webhook_secret())).status_code == 200
    assert Payment.objects.get(pk=anna_request.pk).status == Status.PAID


def test_the_simulated_secret_is_random_made_once_and_kept_private_in_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"

    first = simulated_webhook_secret()

    path = tmp_path / "var" / "simulated-webhook-secret"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert simulated_webhook_secret() == first  # every process of the quick start shares it
    assert first != derived_secret(settings.SECRET_KEY)
    assert len(first) >= len("whsec_simulated_") + 32
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["simulated-webhook-secret"]
    settings.VAR_DIR = tmp_path / "another-install"
    assert simulated_webhook_secret() != first


def test_the_simulated_secret_does_not_exist_outside_the_quick_start(settings, tmp_path, on_a_server):
    settings.VAR_DIR = tmp_path
    on_a_server()

    with pytest.raises(ProviderError):
        simulated_webhook_secret()
    assert not list(tmp_path.iterdir())


def test_with_stripe_configured_the_pay_page_offers_online_methods_again(
    client, settings, on_a_server, anna_request
):
    on_a_server()
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_configured"

    html = client.get(pay_path(anna_request)).content.decode()

    assert 'value="card"' in html and 'value="transfer"' in html
