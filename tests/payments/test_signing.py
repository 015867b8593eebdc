"""Signed webhook events: event_sign writes the Stripe-Signature header exactly as Stripe does,
and StripeProvider.event_parse lets through only what is signed, recent and shaped like an event.

The simulated provider signs with event_sign, so its events pass this very verification.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import stripe
import time_machine

from payments.providers.base import InvalidEvent
from payments.providers.signing import event_sign
from payments.providers.stripe import StripeProvider

RESPONSES = Path(__file__).parent / "stripe_responses"
SECRET = "whsec_test_normalised_secret"
NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
EVENT = (RESPONSES / "event_charge_refunded.json").read_bytes()


@pytest.fixture
def provider():
    return StripeProvider(api_key="sk_test_unused", webhook_secret=SECRET)


# Signing -----------------------------------------------------------------------------------------


def test_the_header_is_the_timestamp_and_the_hmac_of_timestamp_dot_body():
    header = event_sign(payload=b'{"id": "evt_1"}', secret="whsec_abc", timestamp=1767258000)

    expected = hmac.new(b"whsec_abc", b'1767258000.{"id": "evt_1"}', hashlib.sha256).hexdigest()
    assert header == f"t=1767258000,v1={expected}"


def test_the_header_is_the_one_stripe_s_library_would_write():
    ours = event_sign(payload=EVENT, secret=SECRET, timestamp=1767258000)

    theirs = stripe.WebhookSignature.generate_signature_header(EVENT.decode(), SECRET, timestamp=1767258000)
    assert ours == theirs


@time_machine.travel(NOW, tick=False)
def test_the_header_is_stamped_now_unless_told_otherwise():
    assert event_sign(payload=EVENT, secret=SECRET).startswith(f"t={int(NOW.timestamp())},v1=")


def test_signing_without_a_secret_is_refused():
    with pytest.raises(ValueError):
        event_sign(payload=EVENT, secret="")


@time_machine.travel(NOW, tick=False)
def test_the_stripe_provider_accepts_an_event_signed_by_event_sign(provider):
    event = provider.event_parse(payload=EVENT, signature=event_sign(payload=EVENT, secret=SECRET))

    assert (event.event_id, event.type) == ("evt_3QxYzA2eZvKYlo2C0AbCdE78", "charge.refunded")
    assert provider.matching_reference(event.data_object) == 42


# Verification ------------------------------------------------------------------------------------


def event_body(name: str = "event_checkout_session_completed") -> bytes:
    return (RESPONSES / f"{name}.json").read_bytes()


@time_machine.travel(NOW, tick=False)
def test_a_signed_event_is_read_with_its_id_type_and_object(provider):
    payload = event_body()

    event = provider.event_parse(payload=payload, signature=event_sign(payload=payload, secret=SECRET))

    assert event.event_id == "evt_1QxYzA2eZvKYlo2CvWxYz012"
    assert event.type == "checkout.session.completed"
    assert event.created == 1767226200
    assert event.data_object["id"].startswith("cs_test_")
    assert event.data_object["payment_status"] == "paid"
    assert event.payload == json.loads(payload)
    assert type(event.payload) is dict and type(event.data_object) is dict
    assert provider.matching_reference(event.data_object) == 42


@time_machine.travel(NOW, tick=False)
def test_an_event_signed_with_another_secret_is_refused(provider):
    payload = event_body()

    with pytest.raises(InvalidEvent, match="expected signature"):
        provider.event_parse(
            payload=payload, signature=event_sign(payload=payload, secret="whsec_someone_else")
        )


@time_machine.travel(NOW, tick=False)
def test_an_event_older_than_the_tolerance_is_refused(provider):
    payload = event_body()
    stale = int(NOW.timestamp()) - 301

    with pytest.raises(InvalidEvent, match="tolerance"):
        provider.event_parse(
            payload=payload, signature=event_sign(payload=payload, secret=SECRET, timestamp=stale)
        )


@time_machine.travel(NOW, tick=False)
def test_an_event_just_inside_the_tolerance_is_accepted(provider):
    payload = event_body()
    recent = int(NOW.timestamp()) - 299

    signature = event_sign(payload=payload, secret=SECRET, timestamp=recent)

    assert provider.event_parse(payload=payload, signature=signature).type == "checkout.session.completed"


@time_machine.travel(NOW, tick=False)
def test_a_tampered_body_is_refused(provider):
    payload = event_body()
    signature = event_sign(payload=payload, secret=SECRET)
    tampered = payload.replace(b'"amount_total": 250000', b'"amount_total": 2500000')
    assert tampered != payload

    with pytest.raises(InvalidEvent, match="expected signature"):
        provider.event_parse(payload=tampered, signature=signature)


@pytest.mark.parametrize("signature", ["", None])
def test_an_event_without_signature_header_is_refused(provider, signature):
    with pytest.raises(InvalidEvent, match="missing Stripe-Signature"):
        provider.event_parse(payload=event_body(), signature=signature)


@pytest.mark.parametrize("signature", ["garbage", "t=abc,v1=00", "t=1767258000", "v1=deadbeef"])
def test_an_unreadable_signature_header_is_refused(provider, signature):
    with pytest.raises(InvalidEvent):
        provider.event_parse(payload=event_body(), signature=signature)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "not a Stripe event"),
        (b'{"id": "evt_1", "type": "x", "created": 1}', "not a Stripe event"),
        (b'{"id": "evt_1", "type": "x", "created": "1", "data": {"object": {}}}', "not a Stripe event"),
    ],
)
def test_a_correctly_signed_body_that_is_not_an_event_is_refused(provider, payload, reason):
    with pytest.raises(InvalidEvent, match=reason):
        provider.event_parse(payload=payload, signature=event_sign(payload=payload, secret=SECRET))
