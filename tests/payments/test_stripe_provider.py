"""The Stripe provider against recorded Stripe answers: what it sends, what it makes of the replies.

No network: a fake `stripe.HTTPClient` replays the JSON bodies under stripe_responses/ and keeps
every request the official client built, form body decoded, so the tests read what Stripe would get.
"""

import ast
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import stripe
from requests.structures import CaseInsensitiveDict

from payments.providers.base import (
    CheckoutRequest,
    EventKind,
    InvalidEvent,
    ProviderError,
    ProviderEvent,
    RefundRequest,
)
from payments.providers.stripe import StripeProvider, amount_from_minor, amount_to_minor, event_translate

RESPONSES = Path(__file__).parent / "stripe_responses"
API_KEY = "sk_test_51NormalisedKeyForTestsOnly0000000000000000cret"
WEBHOOK_SECRET = "whsec_test_normalised_secret"
NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def recorded(name: str) -> dict:
    return json.loads((RESPONSES / f"{name}.json").read_text())


@dataclass
class SentRequest:
    method: str
    url: str
    headers: dict[str, str]
    form: dict[str, str]  # Stripe's flattened keys: "line_items[0][price_data][unit_amount]"


class RecordedStripe(stripe.HTTPClient):
    """Answers each request with the next recorded response and remembers what was sent."""

    name = "recorded"

    def __init__(self):
        super().__init__()
        self.answers: list[tuple[int, dict] | Exception] = []
        self.sent: list[SentRequest] = []

    def answer(self, name: str, *, http_status: int = 200, **changes) -> "RecordedStripe":
        self.answers.append((http_status, {**recorded(name), **changes}))
        return self

    def fail(self, error: Exception) -> "RecordedStripe":
        self.answers.append(error)
        return self

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        form = dict(parse_qsl(post_data or "", keep_blank_values=True))
        self.sent.append(SentRequest(method, url, dict(headers or {}), form))
        assert self.answers, f"no recorded answer left for {method.upper()} {url}"
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        # The default client (requests) hands back case-insensitive headers; so does this one.
        return json.dumps(body), status, CaseInsensitiveDict({"Request-Id": "req_test_normalised"})

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        pass

    def _sleep_time_seconds(self, num_retries):
        return 0  # retries are part of what is tested; waiting for them is not

    @property
    def last(self) -> SentRequest:
        return self.sent[-1]


@pytest.fixture
def http():
    return RecordedStripe()


@pytest.fixture
def provider(http):
    return StripeProvider(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, http_client=http)


def checkout_request(**changes) -> CheckoutRequest:
    fields = {
        "payment_id": 42,
        "amount": Decimal("2500.00"),
        "currency": "EUR",
        "method": "card",
        "description": "Reservation deposit, lot A-12",
        "customer_email": "buyer@example.test",
        "success_url": "https://portal.example.test/space/payments/42/?paid=1",
        "cancel_url": "https://portal.example.test/space/payments/42/?cancelled=1",
        "expires_at": NOW + timedelta(minutes=30),
        "idempotency_key": "payment-42-session-1",
        "language": "fr",
        "metadata": {"sale": "17"},
    }
    return CheckoutRequest(**{**fields, **changes})


def refund_request(**changes) -> RefundRequest:
    fields = {
        "refund_id": 7,
        "payment_id": 42,
        "provider_payment_id": "pi_3QxYzA2eZvKYlo2C0aBcDeFg",
        "amount": Decimal("500.00"),
        "currency": "EUR",
        "idempotency_key": "refund-7",
    }
    return RefundRequest(**{**fields, **changes})


# Money -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("2500.00", "EUR", 250000),
        ("1234.56", "PLN", 123456),
        ("0.01", "eur", 1),
        ("7", "EUR", 700),
        ("500", "JPY", 500),
        ("500.00", "JPY", 500),
        ("12.34", "BHD", 12340),
    ],
)
def test_amounts_become_minor_units_by_the_currency_s_decimals(amount, currency, minor):
    assert amount_to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [(250000, "EUR", "2500.00"), (123456, "PLN", "1234.56"), (1, "EUR", "0.01"), (500, "JPY", "500")],
)
def test_minor_units_come_back_as_amounts_with_the_currency_s_places(minor, currency, amount):
    back = amount_from_minor(minor, currency)
    assert back == Decimal(amount)
    assert str(back) == amount


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("0.00", "EUR"), ("2500.00", "EUR"), ("1234.56", "PLN"), ("99999999.99", "EUR"), ("500", "JPY")],
)
def test_amounts_survive_the_round_trip_exactly(amount, currency):
    assert amount_from_minor(amount_to_minor(Decimal(amount), currency), currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("10.005", "EUR"), ("1234.561", "PLN"), ("12.5", "JPY"), ("1.001", "BHD"), ("1E-30", "EUR")],
)
def test_an_amount_more_precise_than_the_currency_is_refused_not_rounded(amount, currency):
    with pytest.raises(ValueError, match="more decimals"):
        amount_to_minor(Decimal(amount), currency)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        (10.5, "EUR"),
        ("10.50", "EUR"),
        (Decimal("-1.00"), "EUR"),
        (Decimal("NaN"), "EUR"),
        (Decimal("1"), "EURO"),
    ],
)
def test_floats_strings_negatives_and_bad_currencies_are_refused(amount, currency):
    with pytest.raises(ValueError):
        amount_to_minor(amount, currency)


# Checkout ----------------------------------------------------------------------------------------


def test_checkout_start_creates_a_payment_session_with_one_line_in_minor_units(provider, http):
    http.answer("checkout_session_open")

    provider.checkout_start(checkout_request())

    sent = http.last
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert sent.form["mode"] == "payment"
    assert sent.form["line_items[0][quantity]"] == "1"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "250000"
    assert sent.form["line_items[0][price_data][currency]"] == "eur"
    assert sent.form["line_items[0][price_data][product_data][name]"] == "Reservation deposit, lot A-12"
    assert sent.form["customer_email"] == "buyer@example.test"
    assert sent.form["success_url"] == "https://portal.example.test/space/payments/42/?paid=1"
    assert sent.form["cancel_url"] == "https://portal.example.test/space/payments/42/?cancelled=1"
    assert sent.form["expires_at"] == str(int((NOW + timedelta(minutes=30)).timestamp()))
    assert sent.form["locale"] == "fr"


@pytest.mark.parametrize(
    ("amount", "currency", "method", "minor", "sent_currency"),
    [
        ("2500.00", "EUR", "card", "250000", "eur"),
        ("2500.00", "EUR", "sepa_debit", "250000", "eur"),
        ("1234.56", "PLN", "blik", "123456", "pln"),
        ("1234.56", "PLN", "p24", "123456", "pln"),
    ],
)
def test_checkout_start_offers_exactly_the_chosen_method(
    provider, http, amount, currency, method, minor, sent_currency
):
    http.answer("checkout_session_open", payment_method_types=[method], currency=sent_currency)

    provider.checkout_start(checkout_request(amount=Decimal(amount), currency=currency, method=method))

    assert http.last.form["payment_method_types[0]"] == method
    assert "payment_method_types[1]" not in http.last.form
    assert http.last.form["line_items[0][price_data][unit_amount]"] == minor
    assert http.last.form["line_items[0][price_data][currency]"] == sent_currency


def test_checkout_start_sends_the_business_idempotency_key(provider, http):
    http.answer("checkout_session_open")

    provider.checkout_start(checkout_request(idempotency_key="payment-42-session-3"))

    assert http.last.headers["Idempotency-Key"] == "payment-42-session-3"


def test_checkout_start_tags_session_and_payment_intent_with_the_payment(provider, http):
    http.answer("checkout_session_open")

    provider.checkout_start(checkout_request(metadata={"sale": "17", "payment_id": "forged"}))

    form = http.last.form
    assert form["client_reference_id"] == "42"
    for prefix in ("metadata", "payment_intent_data[metadata]"):
        assert form[f"{prefix}[payment_id]"] == "42"  # ours wins over a same-named caller key
        assert form[f"{prefix}[sale]"] == "17"


def test_checkout_start_makes_a_destination_charge_to_the_escrow_holder(provider, http):
    http.answer("checkout_session_open")

    provider.checkout_start(checkout_request(destination_account="acct_1QxEscrowHolder01"))

    assert http.last.form["payment_intent_data[transfer_data][destination]"] == "acct_1QxEscrowHolder01"


def test_checkout_start_without_escrow_account_keeps_the_money_on_the_platform(provider, http):
    http.answer("checkout_session_open")

    provider.checkout_start(checkout_request(destination_account=""))

    assert not [key for key in http.last.form if "transfer_data" in key]


def test_checkout_start_returns_the_session_stripe_opened(provider, http):
    body = recorded("checkout_session_open")
    http.answer("checkout_session_open")

    session = provider.checkout_start(checkout_request())

    assert session.session_id == body["id"]
    assert session.session_id.startswith("cs_test_")
    assert session.url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert session.expires_at == datetime.fromtimestamp(body["expires_at"], tz=UTC)
    assert session.expires_at.tzinfo is not None


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("fr", "fr"),
        ("en", "en"),
        ("pl", "pl"),
        ("pl-PL", "pl"),
        ("de", "auto"),
        ("auto", "auto"),
        ("", "auto"),
    ],
)
def test_checkout_start_shows_the_hosted_page_in_the_buyer_s_language(provider, http, language, locale):
    http.answer("checkout_session_open")

    provider.checkout_start(checkout_request(language=language))

    assert http.last.form["locale"] == locale


def test_checkout_start_leaves_out_an_empty_customer_email(provider, http):
    http.answer("checkout_session_open")

    provider.checkout_start(checkout_request(customer_email=""))

    assert "customer_email" not in http.last.form


@pytest.mark.parametrize("method", ["transfer", "cheque", "sofort", ""])
def test_checkout_start_refuses_a_method_stripe_is_not_used_for(provider, http, method):
    with pytest.raises(ProviderError, match="cannot take a payment"):
        provider.checkout_start(checkout_request(method=method))

    assert http.sent == []


def test_checkout_start_refuses_an_amount_finer_than_a_cent_without_calling_stripe(provider, http):
    with pytest.raises(ProviderError, match="more decimals"):
        provider.checkout_start(checkout_request(amount=Decimal("10.005")))

    assert http.sent == []


def test_checkout_start_refuses_a_naive_expiry(provider, http):
    with pytest.raises(ProviderError, match="aware"):
        provider.checkout_start(checkout_request(expires_at=datetime(2026, 1, 1, 9, 30)))

    assert http.sent == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"amount": Decimal("0.00")}, "above zero"), ({"description": ""}, "description")],
)
def test_checkout_start_refuses_a_zero_amount_or_a_blank_description(provider, http, changes, reason):
    with pytest.raises(ProviderError, match=reason):
        provider.checkout_start(checkout_request(**changes))

    assert http.sent == []


def test_a_request_stripe_refuses_becomes_a_provider_error_in_stripe_s_words(provider, http):
    http.answer("error_amount_too_small", http_status=400)

    with pytest.raises(ProviderError) as refused:
        provider.checkout_start(checkout_request(amount=Decimal("0.10")))

    message = str(refused.value)
    assert "at least €0.50" in message
    assert "amount_too_small" in message
    assert "req_test_normalised" in message


def test_a_refused_api_key_is_reported_without_showing_any_of_the_key(provider, http):
    http.answer("error_authentication", http_status=401)

    with pytest.raises(ProviderError, match="API key") as refused:
        provider.checkout_start(checkout_request())

    assert "sk_" not in str(refused.value)
    assert "cret" not in str(refused.value)
    assert API_KEY not in repr(provider)


def test_stripe_out_of_reach_is_a_provider_error(provider, http):
    http.fail(stripe.APIConnectionError("Network error: ConnectionError: connection refused"))

    with pytest.raises(ProviderError, match="could not be reached"):
        provider.checkout_start(checkout_request())


def test_a_lost_answer_is_retried_with_the_same_idempotency_key(provider, http):
    http.answer("error_api", http_status=500).answer("checkout_session_open")

    session = provider.checkout_start(checkout_request())

    assert session.session_id.startswith("cs_test_")
    assert len(http.sent) == 2
    assert {sent.headers["Idempotency-Key"] for sent in http.sent} == {"payment-42-session-1"}


# Expiring a session ------------------------------------------------------------------------------


def test_checkout_expire_asks_stripe_to_expire_the_session(provider, http):
    http.answer("checkout_session_expired")

    provider.checkout_expire("cs_test_a1B2c3D4")

    assert (http.last.method, http.last.url) == (
        "post",
        "https://api.stripe.com/v1/checkout/sessions/cs_test_a1B2c3D4/expire",
    )


@pytest.mark.parametrize("closed_as", ["checkout_session_expired", "checkout_session_complete"])
def test_expiring_a_session_already_closed_is_not_an_error(provider, http, closed_as):
    http.answer("error_session_not_open", http_status=400).answer(closed_as)

    provider.checkout_expire("cs_test_a1B2c3D4")

    assert [sent.method for sent in http.sent] == ["post", "get"]
    assert http.last.url == "https://api.stripe.com/v1/checkout/sessions/cs_test_a1B2c3D4"


def test_expiring_a_session_stripe_refuses_while_still_open_is_a_provider_error(provider, http):
    http.answer("error_session_not_open", http_status=400).answer("checkout_session_open")

    with pytest.raises(ProviderError, match="Only Checkout Sessions"):
        provider.checkout_expire("cs_test_a1B2c3D4")


def test_expiring_an_unknown_session_is_a_provider_error(provider, http):
    http.answer("error_session_missing", http_status=404).answer("error_session_missing", http_status=404)

    with pytest.raises(ProviderError, match="No such checkout.session"):
        provider.checkout_expire("cs_test_unknown")


# Refunds -----------------------------------------------------------------------------------------


def test_refund_gives_back_the_amount_on_the_payment_intent(provider, http):
    http.answer("refund_pending")

    result = provider.refund(refund_request())

    sent = http.last
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/refunds")
    assert sent.form["payment_intent"] == "pi_3QxYzA2eZvKYlo2C0aBcDeFg"
    assert sent.form["amount"] == "50000"
    assert sent.form["metadata[refund_id]"] == "7"
    assert sent.form["metadata[payment_id]"] == "42"
    assert sent.headers["Idempotency-Key"] == "refund-7"
    assert result.provider_refund_id == "re_3QxYzA2eZvKYlo2C0hIjKlMn"


def test_refund_in_zloty_is_sent_in_grosze(provider, http):
    http.answer("refund_pending", currency="pln", amount=123456)

    provider.refund(refund_request(amount=Decimal("1234.56"), currency="PLN"))

    assert http.last.form["amount"] == "123456"


@pytest.mark.parametrize(
    ("stripe_status", "status"),
    [
        ("succeeded", "succeeded"),
        ("pending", "pending"),
        ("requires_action", "pending"),
        ("failed", "failed"),
        ("canceled", "failed"),
        ("something_new", "pending"),
    ],
)
def test_refund_status_is_one_of_succeeded_pending_or_failed(provider, http, stripe_status, status):
    http.answer("refund_pending", status=stripe_status)

    assert provider.refund(refund_request()).status == status


def test_refund_passes_stripe_s_own_reasons_and_keeps_other_words_in_metadata(provider, http):
    http.answer("refund_pending").answer("refund_pending")

    provider.refund(refund_request(reason="requested_by_customer"))
    assert http.last.form["reason"] == "requested_by_customer"

    provider.refund(refund_request(reason="Reservation withdrawn within the cooling-off period"))
    assert "reason" not in http.last.form
    assert http.last.form["metadata[reason]"] == "Reservation withdrawn within the cooling-off period"


def test_a_refund_stripe_refuses_is_a_provider_error(provider, http):
    http.answer("error_charge_already_refunded", http_status=400)

    with pytest.raises(ProviderError, match="already been refunded"):
        provider.refund(refund_request())


def test_a_refund_finer_than_a_cent_is_refused_without_calling_stripe(provider, http):
    with pytest.raises(ProviderError, match="more decimals"):
        provider.refund(refund_request(amount=Decimal("10.005")))

    assert http.sent == []


# Events in the product's terms --------------------------------------------------------------------


def stripe_event(event_type: str, **changes) -> dict:
    """The recorded completed session's event, as another type and with its object changed."""
    event = recorded("event_checkout_session_completed")
    event["type"] = event_type
    event["data"]["object"].update(changes)
    return event


def test_a_paid_checkout_becomes_a_paid_event_with_its_amount_in_euros():
    event = event_translate(recorded("event_checkout_session_completed"))

    assert event.kind == EventKind.PAID
    assert (event.payment_id, event.amount, event.currency) == (42, Decimal("2500.00"), "EUR")
    assert event.session_id == "cs_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6"
    assert event.provider_payment_id.startswith("pi_")
    assert (event.method, event.provider) == ("card", "stripe")
    assert event.created == datetime(2026, 1, 1, 0, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event_type", "payment_status", "kind"),
    [
        ("checkout.session.completed", "paid", EventKind.PAID),
        ("checkout.session.completed", "unpaid", EventKind.PROCESSING),
        ("checkout.session.completed", "no_payment_required", EventKind.IGNORED),
        ("checkout.session.async_payment_succeeded", "paid", EventKind.PAID),
        ("checkout.session.async_payment_failed", "unpaid", EventKind.FAILED),
        ("checkout.session.expired", "unpaid", EventKind.EXPIRED),
        ("payment_intent.succeeded", "paid", EventKind.IGNORED),
        ("customer.created", "paid", EventKind.IGNORED),
    ],
)
def test_each_session_event_has_its_product_kind(event_type, payment_status, kind):
    assert event_translate(stripe_event(event_type, payment_status=payment_status)).kind == kind


def test_only_a_paid_event_carries_an_amount():
    event = event_translate(stripe_event("checkout.session.completed", payment_status="unpaid"))

    assert (event.kind, event.amount) == (EventKind.PROCESSING, None)


def test_a_refunded_charge_says_the_total_refunded_so_far():
    event = event_translate(recorded("event_charge_refunded"))

    assert event.kind == EventKind.REFUNDED
    assert (event.refunded_total, event.currency) == (Decimal("500.00"), "EUR")
    assert (event.payment_id, event.provider_payment_id) == (42, "pi_3QxYzA2eZvKYlo2C0aBcDeFg")


def test_a_charge_in_yen_is_refunded_in_whole_yen():
    event = recorded("event_charge_refunded")
    event["data"]["object"].update(currency="jpy", amount_refunded=5000)

    assert event_translate(event).refunded_total == Decimal("5000")


@pytest.mark.parametrize(
    ("event_type", "stripe_status", "status"),
    [
        ("refund.created", "pending", "pending"),
        ("refund.updated", "succeeded", "succeeded"),
        ("refund.updated", "requires_action", "pending"),
        ("refund.failed", "failed", "failed"),
        ("charge.refund.updated", "canceled", "failed"),
        ("refund.updated", "something_new", "pending"),
    ],
)
def test_a_refund_event_names_the_portal_refund_and_its_status_in_our_words(
    event_type, stripe_status, status
):
    event = {
        "id": "evt_test_refund",
        "type": event_type,
        "created": 1767312001,
        "data": {"object": {**recorded("refund_pending"), "status": stripe_status}},
    }

    translated = event_translate(event)

    assert translated.kind == EventKind.REFUND_UPDATED
    assert (translated.refund_id, translated.payment_id, translated.refund_status) == (7, 42, status)
    assert (translated.provider_refund_id, translated.amount) == (
        "re_3QxYzA2eZvKYlo2C0hIjKlMn",
        Decimal("500.00"),
    )


def test_an_expanded_payment_intent_is_read_by_its_id():
    event = stripe_event(
        "checkout.session.completed", payment_intent={"id": "pi_expanded", "object": "payment_intent"}
    )

    assert event_translate(event).provider_payment_id == "pi_expanded"


@pytest.mark.parametrize(
    "changes", [{"amount_total": None}, {"amount_total": "250000"}, {"currency": None}, {"currency": "euro"}]
)
def test_a_paid_event_without_a_readable_amount_is_refused(changes):
    with pytest.raises(InvalidEvent, match="amount_total"):
        event_translate(stripe_event("checkout.session.completed", **changes))


def test_the_product_event_survives_being_kept_as_json():
    event = event_translate(recorded("event_charge_refunded"))

    kept = json.loads(json.dumps(event.as_data()))

    assert ProviderEvent.from_data(kept) == event
    assert "payload" not in kept


# Matching Stripe's objects to payments -----------------------------------------------------------


def test_a_checkout_session_matches_its_client_reference(provider):
    assert provider.matching_reference(recorded("checkout_session_complete")) == 42


def test_a_charge_matches_the_payment_id_in_its_metadata(provider):
    charge = recorded("event_charge_refunded")["data"]["object"]

    assert provider.matching_reference(charge) == 42


def test_a_refund_matches_the_payment_id_in_its_metadata(provider):
    assert provider.matching_reference(recorded("refund_pending")) == 42


@pytest.mark.parametrize(
    "data_object",
    [
        {},
        {"client_reference_id": None, "metadata": {}},
        {"client_reference_id": "abc"},
        {"client_reference_id": "-3"},
        {"client_reference_id": "0"},
        {"client_reference_id": "4.2"},
        {"client_reference_id": "٤٢"},  # Arabic-Indic digits: int() would take them
        {"client_reference_id": True},
        {"metadata": "payment_id=42"},
        {"metadata": {"payment_id": ["42"]}},
        {"metadata": {"payment_id": "9" * 40}},
        [],
        None,
        "cs_test_a1B2c3D4",
    ],
)
def test_objects_that_are_not_ours_match_nothing(provider, data_object):
    assert provider.matching_reference(data_object) is None


def test_a_junk_client_reference_falls_back_to_the_metadata(provider):
    assert (
        provider.matching_reference({"client_reference_id": "cart-9", "metadata": {"payment_id": "42"}}) == 42
    )


# Construction ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"api_key": "", "webhook_secret": WEBHOOK_SECRET},
        {"api_key": API_KEY, "webhook_secret": ""},
        {"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET, "tolerance": 0},
    ],
)
def test_the_provider_refuses_missing_keys_and_a_tolerance_that_would_accept_any_age(settings):
    with pytest.raises(ValueError):
        StripeProvider(**settings)


# The boundary ------------------------------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_only_the_stripe_provider_imports_the_stripe_library():
    root = Path(__file__).resolve().parents[2]
    skipped = {".venv", ".git", "tests", "node_modules", "var", "static", "media"}
    folders = [folder for folder in root.iterdir() if folder.is_dir() and folder.name not in skipped]
    sources = [path for folder in folders for path in folder.rglob("*.py")]

    importers = {
        str(path.relative_to(root))
        for path in sources
        if any(name == "stripe" or name.startswith("stripe.") for name in imported_modules(path))
    }

    assert importers == {"payments/providers/stripe.py"}


def test_no_payment_service_reads_stripe_s_module_or_payloads():
    services = Path(__file__).resolve().parents[2] / "payments" / "services"

    for path in services.glob("*.py"):
        assert "payments.providers.stripe" not in imported_modules(path), path.name
        # Stripe's field names stay in the provider: the services read the product's events.
        assert '"payment_intent"' not in path.read_text(), path.name
        assert "data_object" not in path.read_text(), path.name
