"""Signed webhook events: event_sign writes the Stripe-Signature header exactly as Stripe does
(through the Stripe library's own helper), and both the Stripe provider and the simulated one let
through only what is signed, neither too old nor too far ahead, and shaped like an event.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import stripe
import time_machine

from payments.providers.base import EventKind, InvalidEvent
from payments.providers.signing import event_sign
from payments.providers.simulated import SimulatedProvider
from payments.providers.stripe import StripeProvider

RESPONSES = Path(__file__).parent / "stripe_responses"
SECRET = "whsec_test_normalised_secret"
NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
EVENT = (RESPONSES / "event_charge_refunded.json").read_bytes()


@pytest.fixture(params=["stripe", "simulated"])
def provider(request):
    """Both providers that take Stripe-shaped events verify them the same way."""
    if request.param == "stripe":
        return StripeProvider(api_key="sk_test_unused", webhook_secret=SECRET)
    return SimulatedProvider(webhook_secret=SECRET)


# Signing -----------------------------------------------------------------------------------------


def test_the_header_is_the_timestamp_and_the_hmac_of_timestamp_dot_body():
    header = event_sign(payload=b'{"id": "evt_1"}', secret="whsec_abc", timestamp=1767258000)

    expected = hmac.new(b"whsec_abc", b'1767258000.{"id": "evt_1"}', hashlib.sha256).hexdigest()
    assert header == f"t=1767258000,v1={expected}"


def test_a_header_made_by_event_sign_passes_stripe_s_own_verification():
    header = event_sign(payload=EVENT, secret=SECRET)

    assert stripe.WebhookSignature.verify_header(EVENT, header, SECRET, 300) is True


@time_machine.travel(NOW, tick=False)
def test_the_header_is_stamped_now_unless_told_otherwise():
    assert event_sign(payload=EVENT, secret=SECRET).startswith(f"t={int(NOW.timestamp())},v1=")


def test_signing_without_a_secret_is_refused():
    with pytest.raises(ValueError):
        event_sign(payload=EVENT, secret="")


@time_machine.travel(NOW, tick=False)
def test_an_event_signed_by_event_sign_is_accepted(provider):
    event = provider.event_parse(payload=EVENT, signature=event_sign(payload=EVENT, secret=SECRET))

    assert (event.event_id, event.type, event.kind) == (
        "evt_3QxYzA2eZvKYlo2C0AbCdE78",
        "charge.refunded",
        EventKind.REFUNDED,
    )
    assert event.payment_id == 42
    assert event.provider == provider.name


# Verification ------------------------------------------------------------------------------------


def event_body(name: str = "event_checkout_session_completed") -> bytes:
    return (RESPONSES / f"{name}.json").read_bytes()


@time_machine.travel(NOW, tick=False)
def test_a_signed_event_is_read_with_its_id_type_and_object(provider):
    payload = event_body()

    event = provider.event_parse(payload=payload, signature=event_sign(payload=payload, secret=SECRET))

    assert event.event_id == "evt_1QxYzA2eZvKYlo2CvWxYz012"
    assert event.type == "checkout.session.completed"
    assert event.kind == EventKind.PAID
    assert event.created == datetime(2026, 1, 1, 0, 10, tzinfo=UTC)
    assert event.session_id.startswith("cs_test_")
    assert event.payment_id == 42
    assert event.payload == json.loads(payload)
    assert type(event.payload) is dict


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
def test_an_event_signed_further_ahead_than_the_tolerance_is_refused(provider):
    """Stripe's library refuses only the old side: a signature made for later is refused too."""
    payload = event_body()
    ahead = int(NOW.timestamp()) + 301

    with pytest.raises(InvalidEvent, match="future"):
        provider.event_parse(
            payload=payload, signature=event_sign(payload=payload, secret=SECRET, timestamp=ahead)
        )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("offset", [-299, 0, 299])
def test_an_event_just_inside_the_tolerance_either_way_is_accepted(provider, offset):
    payload = event_body()

    signature = event_sign(payload=payload, secret=SECRET, timestamp=int(NOW.timestamp()) + offset)

    assert provider.event_parse(payload=payload, signature=signature).type == "checkout.session.completed"


@time_machine.travel(NOW, tick=False)
def test_a_header_with_a_second_timestamp_cannot_smuggle_a_future_one(provider):
    payload = event_body()
    ahead = int(NOW.timestamp()) + 3600
    signature = event_sign(payload=payload, secret=SECRET, timestamp=ahead).split(",")[1]

    # Stripe's check reads the first `t`; the future check must read that very one.
    with pytest.raises(InvalidEvent, match="future"):
        provider.event_parse(payload=payload, signature=f"t={ahead},t={int(NOW.timestamp())},{signature}")


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
    # Signed by hand: Stripe's helper signs text, and one of these bodies is not UTF-8.
    timestamp = int(NOW.timestamp())
    digest = hmac.new(SECRET.encode(), b"%d." % timestamp + payload, hashlib.sha256).hexdigest()

    with pytest.raises(InvalidEvent, match=reason):
        provider.event_parse(payload=payload, signature=f"t={timestamp},v1={digest}")
