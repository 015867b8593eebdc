"""Incoming provider events (PAY-6): verified, stored once, processed once, in any order.

The same code takes Stripe's events and the simulated checkout's (PAY-11), which are signed the
same way. A repeated event is a no-op; an event arriving late (an expiry after a completion, a
completion after the debit succeeded) finds its move not allowed and changes nothing; a
processing failure is kept on the stored event and answered non-2xx so the sender retries.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import CheckoutSession, Payment, PaymentEvent, Refund, WebhookEvent
from payments.providers import stripe_provider
from payments.providers.base import InvalidEvent, ProviderEvent
from payments.providers.stripe import REFUND_STATUSES, amount_from_minor
from payments.services.money import payment_failed, payment_money_received, payment_processing
from payments.services.refunds import refund_record_external, refund_settle


class WebhookRejected(Exception):
    """The event did not check out (signature, timestamp, body): answered 400."""


def webhook_receive(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify, store, process. Returns the stored event; raises WebhookRejected or the failure."""
    provider = stripe_provider()
    try:
        event = provider.event_parse(payload=payload, signature=signature)
    except InvalidEvent as error:
        raise WebhookRejected(str(error)) from error
    stored = _webhook_store(event)
    if stored.processed_at is not None:
        return stored
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.select_for_update().get(pk=stored.pk)
            if stored.processed_at is None:  # a concurrent delivery may have done it meanwhile
                _event_handle(event, provider=provider, provider_name=_provider_of(event))
                stored.processed_at = timezone.now()
                stored.error = ""
                stored.save(update_fields=["processed_at", "error"])
    except Exception as error:
        WebhookEvent.objects.filter(pk=stored.pk).update(error=f"{type(error).__name__}: {error}"[:2000])
        raise
    return stored


def _webhook_store(event: ProviderEvent) -> WebhookEvent:
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider="stripe", event_id=event.event_id, type=event.type, payload=event.payload
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider="stripe", event_id=event.event_id)


def _provider_of(event: ProviderEvent) -> str:
    session_id = event.data_object.get("id", "")
    return (
        "simulated"
        if str(session_id).startswith("cs_sim_") or event.event_id.startswith("evt_sim_")
        else "stripe"
    )


def _payment_for(event: ProviderEvent, provider) -> Payment | None:
    # The advisor is an outer join, which PostgreSQL cannot lock: only the payment row is locked.
    payments = Payment.objects.select_for_update(of=("self",)).select_related(
        "sale__advisor", "programme", "buyer"
    )
    payment_id = provider.matching_reference(event.data_object)
    if payment_id is not None:
        return payments.filter(pk=payment_id).first()
    # A charge need not carry the PaymentIntent's metadata: match it by its PaymentIntent.
    intent = event.data_object.get("payment_intent")
    if isinstance(intent, str) and intent:
        return payments.filter(provider_payment_id=intent).first()
    return None


def _session_for(payment: Payment, session_id: str) -> CheckoutSession | None:
    return CheckoutSession.objects.select_for_update().filter(payment=payment, session_id=session_id).first()


def _session_completed(session: CheckoutSession | None, payment: Payment) -> None:
    """A session the buyer went through counts one attempt, whichever event says so first."""
    if session is None or session.state == CheckoutSession.State.COMPLETE:
        return
    session.state = CheckoutSession.State.COMPLETE
    session.save(update_fields=["state"])
    payment.attempts += 1
    payment.save(update_fields=["attempts"])


def _money_in(session: CheckoutSession | None, payment: Payment, data: dict, provider_name: str) -> None:
    # Counted once per session, whatever the number or order of events saying it was paid.
    if session is not None:
        if session.paid_at is not None:
            return
        session.paid_at = timezone.now()
        session.save(update_fields=["paid_at"])
    elif PaymentEvent.objects.filter(
        payment=payment, kind=PaymentEvent.Kind.MONEY_RECEIVED, data__session=data.get("id")
    ).exists():
        return
    payment_money_received(
        payment=payment,
        amount=amount_from_minor(data.get("amount_total") or 0, payment.currency),
        provider=provider_name,
        provider_payment_id=data.get("payment_intent") or "",
        method=session.method if session is not None else "",
        data={"session": data.get("id")},
    )


def _event_handle(event: ProviderEvent, *, provider, provider_name: str) -> None:
    data = event.data_object
    if event.type.startswith("refund.") or event.type == "charge.refund.updated":
        refund = Refund.objects.filter(pk=_int(data.get("metadata", {}).get("refund_id"))).first()
        if refund is not None:
            # Stripe's own words ("canceled", "requires_action") in ours: succeeded, failed, pending.
            status = REFUND_STATUSES.get(data.get("status") or "", "pending")
            refund_settle(refund_id=refund.pk, status=status, provider_refund_id=data.get("id", ""))
        return
    payment = _payment_for(event, provider)
    if payment is None:
        return  # not one of ours (another integration on the same Stripe account)
    if event.type == "charge.refunded":
        refunded = amount_from_minor(data.get("amount_refunded") or 0, payment.currency)
        refund_record_external(payment=payment, total_refunded=refunded)
        return
    if not event.type.startswith("checkout.session."):
        return
    session = _session_for(payment, data.get("id", ""))
    if event.type == "checkout.session.completed":
        _session_completed(session, payment)
        if data.get("payment_status") == "paid":
            _money_in(session, payment, data, provider_name)
        elif data.get("payment_status") == "unpaid":
            payment_processing(payment=payment, provider_payment_id=data.get("payment_intent") or "")
    elif event.type == "checkout.session.async_payment_succeeded":
        _session_completed(session, payment)
        _money_in(session, payment, data, provider_name)
    elif event.type == "checkout.session.async_payment_failed":
        _session_completed(session, payment)
        if session is None or session.paid_at is None:
            payment_failed(payment=payment, reason="async_payment_failed")
    elif (
        event.type == "checkout.session.expired"
        and session is not None
        and session.state == CheckoutSession.State.OPEN
    ):
        session.state = CheckoutSession.State.EXPIRED
        session.save(update_fields=["state"])


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
