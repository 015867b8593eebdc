"""Incoming provider events (PAY-6): verified, stored once, processed once, in any order.

The provider verifies an event and translates it into the product's terms (`ProviderEvent`:
paid, processing, failed, expired, refunded, refund updated); nothing here reads a provider's
payload. Events converge to the provider's last word whatever their order:

- a checkout session's delayed outcome (paid or failed) is final: a late "completed" of the same
  session moves nothing;
- money is counted once per session, refunds by the provider's cumulative total (never added);
- an event that comes before its payment can take it (a refund made in the provider's dashboard,
  delivered before the payment's completion) is kept, `waiting_since` set, and tried again, oldest
  first, after every event applied to its payment: it is applied once its payment has caught up.

A repeated event is a no-op; a processing failure is kept on the stored event and answered
non-2xx so the sender retries.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from payments.models import (
    MONEY_RECEIVED_STATUSES,
    CheckoutSession,
    Payment,
    PaymentEvent,
    Refund,
    WebhookEvent,
)
from payments.providers import online_provider
from payments.providers.base import EventKind, InvalidEvent, ProviderError, ProviderEvent
from payments.services.money import payment_failed, payment_money_received, payment_processing
from payments.services.refunds import refund_record_external, refund_settle


class WebhookRejected(Exception):
    """The event did not check out (signature, timestamp, body): answered 400."""


def webhook_receive(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify, store, process. Returns the stored event; raises WebhookRejected or the failure.

    An event kept waiting for its payment is answered like a processed one: it is stored, and
    applied here when its payment catches up, so the sender need not send it again.
    """
    try:
        event = online_provider().event_parse(payload=payload, signature=signature)
    except (InvalidEvent, ProviderError) as error:
        raise WebhookRejected(str(error)) from error
    stored = _webhook_store(event)
    if stored.processed_at is not None:
        return stored
    try:
        with transaction.atomic():
            # The payment first, then the event: the order every delivery and every re-application
            # of waiting events takes, so concurrent deliveries queue instead of deadlocking.
            payment = _payment_lock_for(event)
            stored = WebhookEvent.objects.select_for_update().get(pk=stored.pk)
            if stored.processed_at is None:  # a concurrent delivery may have done it meanwhile
                applied = _event_handle(event, payment=payment)
                _stored_mark(stored, applied=applied, payment=payment)
                if applied and payment is not None:
                    _waiting_apply(payment.pk)
    except Exception as error:
        WebhookEvent.objects.filter(pk=stored.pk).update(error=f"{type(error).__name__}: {error}"[:2000])
        raise
    return stored


def _webhook_store(event: ProviderEvent) -> WebhookEvent:
    payment_id = event.payment_id
    if payment_id is not None and not Payment.objects.filter(pk=payment_id).exists():
        payment_id = None
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider=event.provider,
                event_id=event.event_id,
                type=event.type,
                payload=event.payload,
                event=event.as_data(),
                payment_id=payment_id,
                provider_payment_id=event.provider_payment_id[:100],
                occurred_at=event.created,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider=event.provider, event_id=event.event_id)


def _payments_locked() -> QuerySet[Payment]:
    # The advisor is an outer join, which PostgreSQL cannot lock: only the payment row is locked.
    return Payment.objects.select_for_update(of=("self",)).select_related(
        "sale__advisor", "programme", "buyer"
    )


def _payment_lock_for(event: ProviderEvent) -> Payment | None:
    if event.kind == EventKind.IGNORED:
        return None
    payments = _payments_locked()
    if event.payment_id is not None:
        return payments.filter(pk=event.payment_id).first()
    if event.refund_id is not None:
        return payments.filter(refunds__pk=event.refund_id).first()
    # A charge need not name its payment: it is matched by its PaymentIntent.
    if event.provider_payment_id:
        return payments.filter(provider_payment_id=event.provider_payment_id).first()
    return None


def _stored_mark(stored: WebhookEvent, *, applied: bool, payment: Payment | None) -> None:
    if applied:
        stored.processed_at = timezone.now()
        stored.waiting_since = None
    elif stored.waiting_since is None:
        stored.waiting_since = timezone.now()
    if payment is not None:
        stored.payment = payment
    stored.error = ""
    stored.save(update_fields=["processed_at", "waiting_since", "payment", "error"])


def _waiting_apply(payment_id: int) -> None:
    """Apply the events still unprocessed for a payment an event was just applied to, oldest first.

    Unprocessed, not only waiting: an event stored by a concurrent delivery that has not yet
    found this payment (its charge known by a PaymentIntent this transaction has just set) is
    taken here too, or it could miss the move it waits for. Each is tried in a savepoint, so one
    that fails stays as it was (its error kept) without undoing the event that moved the payment.
    """
    tried_without_effect: set[int] = set()
    while True:
        payment = _payments_locked().get(pk=payment_id)
        match = Q(payment_id=payment.pk)
        if payment.provider_payment_id:
            match |= Q(provider_payment_id=payment.provider_payment_id)
        pending = (
            WebhookEvent.objects.select_for_update()
            .filter(match, processed_at__isnull=True)
            .exclude(event={})  # stored before events were kept in the product's terms
            .exclude(pk__in=tried_without_effect)
            .order_by("occurred_at", "pk")
        )
        stored = pending.first()
        if stored is None:
            return
        event = ProviderEvent.from_data(stored.event)
        try:
            with transaction.atomic():
                applied = _event_handle(event, payment=payment)
                _stored_mark(stored, applied=applied, payment=payment)
        except Exception as error:
            applied = False
            WebhookEvent.objects.filter(pk=stored.pk).update(error=f"{type(error).__name__}: {error}"[:2000])
        if applied:
            # The payment moved again: what was tried before may apply now.
            tried_without_effect.clear()
        else:
            tried_without_effect.add(stored.pk)


def _event_handle(event: ProviderEvent, *, payment: Payment | None) -> bool:
    """Apply one event to its (locked) payment. False when it came too early and must wait."""
    if event.kind == EventKind.IGNORED:
        return True
    if event.kind == EventKind.REFUND_UPDATED:
        return _refund_updated(event, payment)
    if payment is None:
        # A refunded charge whose PaymentIntent no payment knows yet waits for the completion
        # that tells it; anything else naming no payment of ours belongs to another integration
        # on the same provider account.
        return not (event.kind == EventKind.REFUNDED and event.provider_payment_id)
    if event.kind == EventKind.REFUNDED:
        if payment.status not in MONEY_RECEIVED_STATUSES:
            return False  # the refund of money the portal has not counted yet: wait for it
        if event.refunded_total is not None:
            refund_record_external(payment=payment, total_refunded=event.refunded_total)
        return True
    session = _session_for(payment, event.session_id)
    if event.kind == EventKind.PAID:
        _session_completed(session, payment)
        _money_in(session, payment, event)
    elif event.kind == EventKind.PROCESSING:
        _session_completed(session, payment)
        # A session whose money already arrived or failed has had its last word.
        if session is None or (session.paid_at is None and session.failed_at is None):
            payment_processing(payment=payment, provider_payment_id=event.provider_payment_id)
    elif event.kind == EventKind.FAILED:
        _session_completed(session, payment)
        _failure(session, payment)
    elif (
        event.kind == EventKind.EXPIRED
        and session is not None
        and session.state == CheckoutSession.State.OPEN
    ):
        session.state = CheckoutSession.State.EXPIRED
        session.save(update_fields=["state"])
    return True


def _refund_updated(event: ProviderEvent, payment: Payment | None) -> bool:
    # A refund made in the provider's dashboard names no refund of ours: its money comes through
    # the "refunded" event. A refund id from another integration names another payment.
    if event.refund_id is None or payment is None:
        return True
    if not Refund.objects.filter(pk=event.refund_id, payment=payment).exists():
        return True
    refund_settle(
        refund_id=event.refund_id, status=event.refund_status, provider_refund_id=event.provider_refund_id
    )
    return True


def _session_for(payment: Payment, session_id: str) -> CheckoutSession | None:
    if not session_id:
        return None
    return CheckoutSession.objects.select_for_update().filter(payment=payment, session_id=session_id).first()


def _session_completed(session: CheckoutSession | None, payment: Payment) -> None:
    """A session the buyer went through counts one attempt, whichever event says so first."""
    if session is None or session.state == CheckoutSession.State.COMPLETE:
        return
    session.state = CheckoutSession.State.COMPLETE
    session.save(update_fields=["state"])
    payment.attempts += 1
    payment.save(update_fields=["attempts"])


def _money_in(session: CheckoutSession | None, payment: Payment, event: ProviderEvent) -> None:
    # Counted once per session, whatever the number or order of events saying it was paid.
    if event.amount is None:
        return  # never from a provider: a paid event always says how much
    if session is not None:
        if session.paid_at is not None:
            return
        session.paid_at = timezone.now()
        session.save(update_fields=["paid_at"])
    elif PaymentEvent.objects.filter(
        payment=payment, kind=PaymentEvent.Kind.MONEY_RECEIVED, data__session=event.session_id
    ).exists():
        return
    payment_money_received(
        payment=payment,
        amount=event.amount,
        provider=session.provider if session is not None else event.provider,
        provider_payment_id=event.provider_payment_id,
        method=session.method if session is not None else event.method,
        data={"session": event.session_id},
    )


def _failure(session: CheckoutSession | None, payment: Payment) -> None:
    if session is not None:
        if session.paid_at is not None or session.failed_at is not None:
            return  # its money arrived, or this failure was already counted
        session.failed_at = timezone.now()
        session.save(update_fields=["failed_at"])
    payment_failed(payment=payment, reason="async_payment_failed")
