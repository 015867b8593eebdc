"""Refunds (PAY-9): who may, until which stage, never more than what was paid.

The payment row is locked while a refund is asked for, and the refunds still pending count as
already given: two refunds asked at the same moment cannot together exceed what was paid.
Online payments are refunded through their provider with one idempotency key per refund; bank
transfers and cheques are paid back by staff and recorded as done.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.alerts import alert_buyer_refunded, alert_staff
from payments.errors import PaymentError
from payments.models import ONLINE_METHODS, Payment, PaymentEvent, Refund, Status
from payments.providers import provider_named
from payments.providers.base import ProviderError, RefundRequest
from payments.selectors import payment_settings_for
from payments.services.core import payment_lock, payment_log, payment_move
from payments.signals import refund_settled
from portal.access import can
from portal.money import money_format
from portal.users.models import User
from sales.models import Stage
from sales.stages import PIPELINE

REFUND_PERMISSION = "payments.refund_payment"


def _stage_allows_refund(payment: Payment) -> bool:
    stage = payment.sale.stage
    if stage in {Stage.CANCELLED, Stage.WITHDRAWN}:
        return True  # a buyer who withdraws or whose sale falls through gets his money back
    last = payment_settings_for(payment.programme).last_refundable_stage
    return PIPELINE.index(Stage(stage)) <= PIPELINE.index(Stage(last))


def _pending_total(payment: Payment) -> Decimal:
    pending = payment.refunds.filter(state=Refund.State.PENDING).aggregate(total=Sum("amount"))["total"]
    return pending or Decimal("0.00")


def refund_request(*, actor: User, payment: Payment, amount: Decimal, reason: str = "") -> Refund:
    """Refund part or all of a paid payment. Online ones go to the provider after commit."""
    if not can(actor, REFUND_PERMISSION):
        raise PaymentError(_("Only accountants and administrators may refund a payment."))
    with transaction.atomic():
        payment = payment_lock(payment.pk)
        if payment.status not in {Status.PAID, Status.PARTLY_REFUNDED, Status.REFUND_REQUESTED}:
            raise PaymentError(
                _("A payment that is “%(status)s” cannot be refunded.")
                % {"status": payment.get_status_display()}
            )
        if not _stage_allows_refund(payment):
            raise PaymentError(
                _("Refunds stop at the stage “%(stage)s” for this programme; this sale is at “%(current)s”.")
                % {
                    "stage": Stage(payment_settings_for(payment.programme).last_refundable_stage).label,
                    "current": payment.sale.get_stage_display(),
                }
            )
        available = payment.amount_paid - payment.amount_refunded - _pending_total(payment)
        if amount is None or amount <= 0:
            raise PaymentError(_("Refund an amount above zero."))
        if amount > available:
            raise PaymentError(
                _("At most %(available)s can still be refunded on this payment.")
                % {"available": money_format(max(available, Decimal("0.00")), payment.currency)}
            )
        online = payment.method in ONLINE_METHODS and payment.provider in {"stripe", "simulated"}
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            provider=payment.provider if online else "manual",
            requested_by=actor,
        )
        payment_move(payment=payment, to=Status.REFUND_REQUESTED, actor=actor, strict=False)
        payment_log(
            payment=payment,
            kind=PaymentEvent.Kind.REFUND_REQUESTED,
            actor=actor,
            amount=amount,
            data={"refund": refund.pk, "reason": reason},
        )
        if online:
            # Robust: a broker out of reach must not turn the committed request into an error
            # page; the safety net (refunds_execute_stuck) asks the provider for what was not queued.
            refund_id = refund.pk

            def execute_later() -> None:
                _refund_execute_later(refund_id)

            transaction.on_commit(execute_later, robust=True)
        else:
            _refund_settle_locked(payment=payment, refund=refund, succeeded=True, actor=actor)
    return refund


def _refund_execute_later(refund_id: int) -> None:
    from payments.tasks import refund_execute as refund_execute_task

    refund_execute_task.delay(refund_id)


def refund_execute(*, refund_id: int) -> None:
    """Ask the provider to refund; safe to repeat (the idempotency key is the refund's)."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.state != Refund.State.PENDING:
        return
    payment = refund.payment
    try:
        result = provider_named(refund.provider).refund(
            RefundRequest(
                refund_id=refund.pk,
                payment_id=payment.pk,
                provider_payment_id=payment.provider_payment_id,
                amount=refund.amount,
                currency=payment.currency,
                idempotency_key=f"refund-{refund.pk}",
                reason=refund.reason,
            )
        )
    except ProviderError as error:
        refund_settle(refund_id=refund.pk, status="failed", provider_refund_id="", error=str(error))
        return
    refund_settle(refund_id=refund.pk, status=result.status, provider_refund_id=result.provider_refund_id)


@transaction.atomic
def refund_settle(*, refund_id: int, status: str, provider_refund_id: str = "", error: str = "") -> None:
    """The provider's answer (or its webhook) about a refund: done, failed, or still pending."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.state != Refund.State.PENDING or status not in {"succeeded", "failed"}:
        return
    payment = payment_lock(refund.payment_id)
    if provider_refund_id and not refund.provider_refund_id:
        refund.provider_refund_id = provider_refund_id
    _refund_settle_locked(payment=payment, refund=refund, succeeded=status == "succeeded", error=error)


def _refund_settle_locked(
    *, payment: Payment, refund: Refund, succeeded: bool, actor: User | None = None, error: str = ""
) -> None:
    refund.state = Refund.State.SUCCEEDED if succeeded else Refund.State.FAILED
    refund.settled_at = timezone.now()
    refund.save(update_fields=["state", "settled_at", "provider_refund_id"])
    if succeeded:
        payment.amount_refunded += refund.amount
        payment.save(update_fields=["amount_refunded"])
        payment_log(
            payment=payment,
            kind=PaymentEvent.Kind.REFUNDED,
            actor=actor,
            amount=refund.amount,
            data={"refund": refund.pk},
        )
        refund_settled.send(sender=Refund, refund=refund, actor=actor)
        alert_buyer_refunded(payment, refund=refund)
        alert_staff(payment, event="refunded", key=f"payment-refunded:{refund.pk}", amount=refund.amount)
    else:
        payment_log(
            payment=payment,
            kind=PaymentEvent.Kind.REFUND_FAILED,
            actor=actor,
            amount=refund.amount,
            data={"refund": refund.pk, "error": error},
        )
    _status_after_refunds(payment, actor)


def _status_after_refunds(payment: Payment, actor: User | None) -> None:
    if payment.refunds.filter(state=Refund.State.PENDING).exists():
        return
    if payment.amount_refunded >= payment.amount_paid:
        target = Status.REFUNDED
    elif payment.amount_refunded > 0:
        target = Status.PARTLY_REFUNDED
    else:
        target = Status.PAID
    payment_move(payment=payment, to=target, actor=actor, strict=False)


def refund_record_external(*, payment: Payment, total_refunded: Decimal) -> None:
    """The provider's cumulative refunded total for a locked payment that holds money.

    What it says beyond what the portal knows (refunded, or asked and pending) was refunded
    elsewhere (Stripe's dashboard) and is recorded as one more refund. The refunded total thus
    becomes the larger of the portal's and the provider's, never their sum: the same or an older
    total, in whatever order it comes, changes nothing.
    """
    known = payment.amount_refunded + _pending_total(payment)
    missing = total_refunded - known
    if missing <= 0 or payment.status not in {Status.PAID, Status.PARTLY_REFUNDED, Status.REFUND_REQUESTED}:
        return
    missing = min(missing, payment.amount_paid - payment.amount_refunded)
    refund = Refund.objects.create(
        payment=payment, amount=missing, reason="stripe-dashboard", provider=payment.provider
    )
    payment_move(payment=payment, to=Status.REFUND_REQUESTED, strict=False)
    _refund_settle_locked(payment=payment, refund=refund, succeeded=True)


def refunds_execute_stuck(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """The periodic safety net: online refunds still pending after a while (their task was lost,
    or the provider did not answer) are asked again; the refund's idempotency key makes a
    provider that already did it answer with the same refund."""
    ids = list(
        Refund.objects.filter(
            state=Refund.State.PENDING, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:100]
    )
    for refund_id in ids:
        refund_execute(refund_id=refund_id)
    return len(ids)
