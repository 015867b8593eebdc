"""Stripe behind the provider interface: hosted Checkout Sessions, signed webhooks, refunds.

The only module that imports `stripe`, and the only place money becomes Stripe's integer minor
units and back (amount_to_minor, amount_from_minor). Stripe's events stop here: `event_read`
verifies one and translates it into the product's `ProviderEvent`; the simulated provider, whose
page sends Stripe-shaped events, reads its own through the same function.
"""

import json
import re
import time
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Any, cast

import stripe

from payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    EventKind,
    InvalidEvent,
    ProviderError,
    ProviderEvent,
    RefundRequest,
    RefundResult,
)

# Currencies whose minor unit is not the hundredth (https://docs.stripe.com/currencies).
ZERO_DECIMAL_CURRENCIES = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
# Stripe counts these in thousandths but only accepts amounts whose last digit is 0.
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})

METHODS = frozenset({"card", "sepa_debit", "blik", "p24"})
LOCALES = frozenset({"fr", "en", "pl"})
# The only values Stripe takes for a refund's `reason`; other texts travel in its metadata.
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
REFUND_STATUSES = {
    "succeeded": "succeeded",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "failed",
}
METADATA_VALUE_MAX = 500  # Stripe's limit on one metadata value
# Stripe's default: a signature older than this is a replay; one this far ahead, a forged clock.
SIGNATURE_TOLERANCE = 300
_PAYMENT_ID = re.compile(r"[1-9][0-9]{0,17}")


def _minor_digits(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def _check_currency(currency: str) -> None:
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code")


def amount_to_minor(amount: Decimal, currency: str) -> int:
    """`amount` in `currency` as Stripe's integer of minor units: 1234.56 EUR -> 123456, 500 JPY -> 500.

    Refuses (ValueError) an amount more precise than the currency allows, rather than rounding it.
    """
    _check_currency(currency)
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise ValueError(f"amount must be a Decimal, not {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{amount} is not an amount that can be charged")
    digits = _minor_digits(currency)
    # Thousandth currencies are still charged in hundredths at most (Stripe wants the last digit 0).
    chargeable = min(digits, 2)
    with localcontext() as ctx:
        ctx.prec = 60  # wide enough that scaling is always exact: nothing here may round
        units = amount.scaleb(chargeable)
    if units != units.to_integral_value():
        code = currency.upper()
        raise ValueError(f"{amount} {code} has more decimals than {code} allows")
    return int(units) * 10 ** (digits - chargeable)


def amount_from_minor(value: int, currency: str) -> Decimal:
    """Stripe's integer of minor units as a Decimal in `currency`: 123456 EUR -> Decimal("1234.56")."""
    _check_currency(currency)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"minor units must be an int, not {type(value).__name__}")
    return Decimal(value).scaleb(-_minor_digits(currency))


def _error_message(exc: stripe.StripeError) -> str:
    """A short sentence for staff: Stripe's own words where they describe the request, never a key."""
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        text = "Stripe refused the API key; check the Stripe settings."
    elif isinstance(exc, stripe.APIConnectionError):
        text = "Stripe could not be reached; try again in a moment."
    elif isinstance(exc, stripe.RateLimitError):
        text = "Stripe is receiving too many requests; try again in a moment."
    elif isinstance(exc, stripe.InvalidRequestError | stripe.CardError | stripe.IdempotencyError):
        text = f"Stripe refused the request: {exc.user_message or 'no reason given'}"
        if exc.code:
            text += f" ({exc.code})"
    else:
        text = f"Stripe answered with an error (HTTP {exc.http_status})."
    if exc.request_id:
        text += f" [{exc.request_id}]"
    return text


def _parse_payment_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str) and _PAYMENT_ID.fullmatch(value.strip()):
        return int(value)
    return None


def signature_header(*, payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload` (`t=<time>,v1=<HMAC>`).

    Written by the Stripe library itself (its public helper for signing test payloads), so the
    simulated checkout's events and the tests' are signed exactly like Stripe's own.
    """
    if not secret:
        raise ValueError("signing needs a webhook secret")
    return stripe.WebhookSignature.generate_signature_header(
        payload.decode("utf-8"), secret, timestamp=timestamp
    )


def signature_verify(*, payload: bytes, signature: str, secret: str, tolerance: int) -> None:
    """Raise InvalidEvent unless `signature` signs `payload` with `secret` within `tolerance` seconds.

    Stripe's own check refuses a timestamp too old (a replay); one too far in the future is
    refused here as well, so a signature made ahead of time cannot be kept for later.
    """
    if not signature:
        raise InvalidEvent("missing Stripe-Signature header")
    if tolerance <= 0:
        # Stripe's verification treats 0 as "accept any age": never what we want.
        raise ValueError("the webhook tolerance must be a positive number of seconds")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise InvalidEvent(f"signature check failed: {exc.user_message}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidEvent("the body is not UTF-8") from exc
    if _signature_timestamp(signature) > time.time() + tolerance:
        raise InvalidEvent("signature check failed: timestamp too far in the future")


def _signature_timestamp(signature: str) -> int:
    # Read as Stripe's verification reads it: the first `t=` item of the header.
    for item in signature.split(","):
        key, _sep, value = item.partition("=")
        if key == "t":
            try:
                return int(value.split("=")[0])
            except ValueError:
                break
    raise InvalidEvent("signature check failed: no timestamp in the header")


def event_read(
    *, payload: bytes, signature: str, secret: str, provider: str, tolerance: int = SIGNATURE_TOLERANCE
) -> ProviderEvent:
    """Verify a Stripe-shaped event and translate it into the product's event."""
    signature_verify(payload=payload, signature=signature, secret=secret, tolerance=tolerance)
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise InvalidEvent("the body is not JSON") from exc
    return event_translate(event, provider=provider)


# Stripe's event types as the portal's kinds; the kind of a completed session depends on whether
# its money is in (card) or on its way (SEPA debit).
_SESSION_KINDS = {
    "checkout.session.async_payment_succeeded": EventKind.PAID,
    "checkout.session.async_payment_failed": EventKind.FAILED,
    "checkout.session.expired": EventKind.EXPIRED,
}
_COMPLETED_KINDS = {"paid": EventKind.PAID, "unpaid": EventKind.PROCESSING}
_REFUND_TYPES = frozenset({"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"})


def event_translate(event: Any, *, provider: str = "stripe") -> ProviderEvent:
    """A Stripe event (already verified) as the product's event; InvalidEvent if not shaped like one.

    Payment ids come from the object's `client_reference_id` or `metadata.payment_id` (set when the
    checkout or the refund was started), amounts from minor units in the object's own currency.
    """
    data = event.get("data") if isinstance(event, dict) else None
    obj = data.get("object") if isinstance(data, dict) else None
    if not (
        isinstance(obj, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("created"), int)
    ):
        raise InvalidEvent("the body is not a Stripe event (id, type, created, data.object)")
    event_type = event["type"]
    common: dict[str, Any] = {
        "event_id": event["id"],
        "provider": provider,
        "type": event_type,
        "created": datetime.fromtimestamp(event["created"], tz=UTC),
        "payload": event,
    }
    raw_metadata = obj.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    currency = obj.get("currency")
    if event_type == "checkout.session.completed" or event_type in _SESSION_KINDS:
        if event_type == "checkout.session.completed":
            kind = _COMPLETED_KINDS.get(_text(obj.get("payment_status")), EventKind.IGNORED)
        else:
            kind = _SESSION_KINDS[event_type]
        methods = obj.get("payment_method_types")
        return ProviderEvent(
            **common,
            kind=kind,
            payment_id=StripeProvider.matching_reference(obj),
            session_id=_text(obj.get("id")),
            provider_payment_id=_object_id(obj.get("payment_intent")),
            amount=_amount(obj, "amount_total", currency) if kind == EventKind.PAID else None,
            currency=_currency(currency),
            method=methods[0] if isinstance(methods, list) and len(methods) == 1 else "",
        )
    if event_type == "charge.refunded":
        return ProviderEvent(
            **common,
            kind=EventKind.REFUNDED,
            # A charge need not carry the PaymentIntent's metadata: then its PaymentIntent says.
            payment_id=StripeProvider.matching_reference(obj),
            provider_payment_id=_object_id(obj.get("payment_intent")),
            refunded_total=_amount(obj, "amount_refunded", currency),
            currency=_currency(currency),
        )
    if event_type in _REFUND_TYPES:
        return ProviderEvent(
            **common,
            kind=EventKind.REFUND_UPDATED,
            payment_id=_parse_payment_id(metadata.get("payment_id")),
            refund_id=_parse_payment_id(metadata.get("refund_id")),
            provider_payment_id=_object_id(obj.get("payment_intent")),
            provider_refund_id=_text(obj.get("id")),
            # Stripe's own words ("canceled", "requires_action") in ours: succeeded, failed, pending.
            refund_status=REFUND_STATUSES.get(_text(obj.get("status")), "pending"),
            amount=_amount(obj, "amount", currency),
            currency=_currency(currency),
        )
    return ProviderEvent(**common, kind=EventKind.IGNORED)


def _amount(obj: dict[str, Any], key: str, currency: Any) -> Decimal:
    minor: Any = obj.get(key)  # checked by amount_from_minor: an int, in a real currency
    try:
        return amount_from_minor(minor, currency)
    except ValueError as exc:
        raise InvalidEvent(f"the event's {key} is not an amount: {exc}") from exc


def _currency(currency: Any) -> str:
    return currency.upper() if isinstance(currency, str) else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object_id(value: Any) -> str:
    # Stripe sends an id, or the object itself when the endpoint asks for it expanded.
    if isinstance(value, dict):
        value = value.get("id")
    return _text(value)


class StripeProvider:
    """Payments through Stripe Checkout; the charge goes to the escrow holder's connected account."""

    name = "stripe"

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str,
        http_client: stripe.HTTPClient | None = None,
        tolerance: int = SIGNATURE_TOLERANCE,
    ):
        if not api_key:
            raise ValueError("StripeProvider needs an API key")
        if not webhook_secret:
            raise ValueError("StripeProvider needs a webhook secret")
        if tolerance <= 0:
            # Stripe's verification treats 0 as "accept any age": never what we want.
            raise ValueError("the webhook tolerance must be a positive number of seconds")
        self._webhook_secret = webhook_secret
        self._tolerance = tolerance
        # Every write carries an idempotency key, so retrying a lost answer never charges twice.
        self._client = stripe.StripeClient(api_key, http_client=http_client, max_network_retries=2)

    def __repr__(self) -> str:
        return "<StripeProvider>"  # never print the keys

    def checkout_start(self, request: CheckoutRequest) -> CheckoutSession:
        if request.method not in METHODS:
            raise ProviderError(f"Stripe cannot take a payment by {request.method!r}.")
        if request.expires_at.tzinfo is None:
            raise ProviderError("The checkout expiry must be an aware datetime.")
        try:
            unit_amount = amount_to_minor(request.amount, request.currency)
        except ValueError as exc:
            raise ProviderError(str(exc)) from exc
        if unit_amount <= 0:
            raise ProviderError("A checkout needs an amount above zero.")
        if not request.description:
            raise ProviderError("A checkout needs a description to show the buyer.")

        metadata = {
            **{str(k): str(v) for k, v in request.metadata.items()},
            "payment_id": str(request.payment_id),
        }
        payment_intent_data: dict[str, Any] = {"metadata": metadata}
        if request.destination_account:
            payment_intent_data["transfer_data"] = {"destination": request.destination_account}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": unit_amount,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "payment_method_types": [request.method],
            "client_reference_id": str(request.payment_id),
            "metadata": metadata,
            "payment_intent_data": payment_intent_data,
            "expires_at": int(request.expires_at.timestamp()),
            "locale": self._locale(request.language),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        try:
            session = self._client.v1.checkout.sessions.create(
                cast("stripe.params.checkout.SessionCreateParams", params),
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(_error_message(exc)) from exc
        return CheckoutSession(
            session_id=session.id,
            url=session.url or "",
            expires_at=datetime.fromtimestamp(session.expires_at, tz=UTC),
        )

    def checkout_expire(self, session_id: str) -> None:
        sessions = self._client.v1.checkout.sessions
        try:
            sessions.expire(session_id)
        except stripe.InvalidRequestError as exc:
            # Stripe refuses to expire a session that is no longer open. Rather than trust the
            # wording of that refusal, ask for the session: closed (expired or paid) is fine.
            # A paid session is reported by its checkout.session.completed event, not here.
            try:
                status = sessions.retrieve(session_id).status
            except stripe.StripeError:
                raise ProviderError(_error_message(exc)) from exc
            if status not in ("expired", "complete"):
                raise ProviderError(_error_message(exc)) from exc
        except stripe.StripeError as exc:
            raise ProviderError(_error_message(exc)) from exc

    def event_parse(self, *, payload: bytes, signature: str) -> ProviderEvent:
        return event_read(
            payload=payload,
            signature=signature,
            secret=self._webhook_secret,
            provider=self.name,
            tolerance=self._tolerance,
        )

    def refund(self, request: RefundRequest) -> RefundResult:
        try:
            amount = amount_to_minor(request.amount, request.currency)
        except ValueError as exc:
            raise ProviderError(str(exc)) from exc
        if amount <= 0:
            raise ProviderError("A refund needs an amount above zero.")
        params: dict[str, Any] = {
            "payment_intent": request.provider_payment_id,
            "amount": amount,
            "metadata": {"refund_id": str(request.refund_id), "payment_id": str(request.payment_id)},
        }
        if request.reason in REFUND_REASONS:
            params["reason"] = request.reason
        elif request.reason:
            params["metadata"]["reason"] = request.reason[:METADATA_VALUE_MAX]
        try:
            refund = self._client.v1.refunds.create(
                cast("stripe.params.RefundCreateParams", params),
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(_error_message(exc)) from exc
        # An unknown status waits for the refund's events rather than claiming an outcome.
        return RefundResult(
            provider_refund_id=refund.id, status=REFUND_STATUSES.get(refund.status or "", "pending")
        )

    @staticmethod
    def matching_reference(data_object: dict[str, Any]) -> int | None:
        if not isinstance(data_object, dict):
            return None
        payment_id = _parse_payment_id(data_object.get("client_reference_id"))
        if payment_id is None:
            metadata = data_object.get("metadata")
            if isinstance(metadata, dict):
                payment_id = _parse_payment_id(metadata.get("payment_id"))
        return payment_id

    @staticmethod
    def _locale(language: str) -> str:
        primary = (language or "").split("-")[0].split("_")[0].lower()
        return primary if primary in LOCALES else "auto"
