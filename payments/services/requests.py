"""Asking for money: deposits and ad-hoc requests, their links, methods and cancellation."""

import contextlib
import functools
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.alerts import alert_buyer_request, alert_staff_deposit_not_sent
from payments.deposits import deposit_amount_for, deposit_check
from payments.errors import PaymentError
from payments.models import OPEN_STATUSES, CheckoutSession, Payment, PaymentEvent, PaymentSettings, Status
from payments.providers import provider_named
from payments.providers.base import ProviderError
from payments.references import creditor_reference_for_payment
from payments.selectors import payment_methods_for, payment_settings_for
from payments.services.core import payment_lock, payment_log, payment_move
from portal.timezones import local_day_start
from portal.users.models import User
from sales.models import Buyer, Sale


def _contact_check(buyer: Buyer, channel: str) -> None:
    """Refuse before anything is written when the chosen channel has no address to go to."""
    if channel in {Payment.Channel.EMAIL, Payment.Channel.BOTH} and not buyer.email:
        raise PaymentError(_("%(buyer)s has no email address: add one or send by SMS.") % {"buyer": buyer})
    if channel in {Payment.Channel.SMS, Payment.Channel.BOTH} and not buyer.phone:
        raise PaymentError(
            _("%(buyer)s has no mobile phone number: add one or send by email.") % {"buyer": buyer}
        )


def _link_expiry(rules: PaymentSettings, *, due_on: date | None, time_zone: str) -> datetime:
    """The programme's link validity from now, and never before the end of the due date in the
    programme's time zone: a buyer paying on his due date must find a working link."""
    expires = timezone.now() + timedelta(days=rules.link_valid_days)
    if due_on is not None:
        expires = max(expires, local_day_start(due_on + timedelta(days=1), time_zone))
    return expires


@transaction.atomic
def payment_request_create(
    *,
    actor: User | None,
    sale: Sale,
    amount: Decimal,
    reference: str,
    buyer: Buyer | None = None,
    channel: str = Payment.Channel.EMAIL,
    due_on: date | None = None,
    kind: str = Payment.Kind.REQUEST,
    notify: bool = True,
) -> Payment:
    """Ask a buyer of the sale for an amount, and send him the request with its portal link.

    With `notify=False` nothing goes to the buyer: the caller sends its own message (a call for
    funds sends its letter), the request is otherwise the same (RF reference, portal link).
    """
    if buyer is None:
        buyer = sale.buyers.filter(sale_buyers__is_main=True).first()
    elif not sale.sale_buyers.filter(buyer=buyer).exists():
        raise PaymentError(_("%(buyer)s is not a buyer of this sale.") % {"buyer": buyer})
    if buyer is None:
        raise PaymentError(_("This sale has no buyer to ask."))
    if amount is None or amount <= 0:
        raise PaymentError(_("Ask for an amount above zero."))
    if not sale.is_live:
        raise PaymentError(_("A cancelled or withdrawn sale cannot be asked for money."))
    if notify:
        _contact_check(buyer, channel)
    rules = payment_settings_for(sale.programme)
    now = timezone.now()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                sale=sale,
                programme=sale.programme,
                buyer=buyer,
                kind=kind,
                amount=amount,
                currency=sale.programme.currency,
                reference=reference or sale.contract_number or sale.reference,
                # A unique placeholder until the id is known; the RF reference is built from it.
                creditor_reference=secrets.token_hex(12),
                status=Status.TO_PAY,
                status_changed_at=now,
                channel=channel,
                due_on=due_on,
                link_nonce=secrets.token_urlsafe(12),
                link_expires_at=_link_expiry(rules, due_on=due_on, time_zone=sale.programme.time_zone),
                requested_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise PaymentError(_("This sale already has a deposit request that is open or paid.")) from None
    payment.creditor_reference = creditor_reference_for_payment(
        programme_code=sale.programme.code, payment_id=payment.pk
    )
    methods = payment_methods_for(payment, rules)
    if len(methods) == 1:
        payment.method = methods[0]
    payment.save(update_fields=["creditor_reference", "method"])
    payment_log(payment=payment, kind=PaymentEvent.Kind.REQUESTED, actor=actor, amount=amount)
    if notify:
        alert_buyer_request(payment, key=f"payment-request:{payment.pk}:{payment.link_nonce}")
        payment_log(payment=payment, kind=PaymentEvent.Kind.SENT, actor=actor, data={"channel": channel})
    return payment


@transaction.atomic
def deposit_request(*, actor: User | None, sale: Sale, channel: str = Payment.Channel.EMAIL) -> Payment:
    """Ask for the sale's deposit (programme rule or the sale's own amount, within the legal cap)."""
    sale = Sale.objects.select_for_update().select_related("programme").get(pk=sale.pk)
    rules = payment_settings_for(sale.programme)
    amount = deposit_amount_for(sale, rules)
    return payment_request_create(
        actor=actor,
        sale=sale,
        amount=amount,
        reference=sale.contract_number or sale.reference,
        channel=channel,
        kind=Payment.Kind.DEPOSIT,
    )


def deposit_request_at_stage(*, sale: Sale, stage: str, actor: User | None) -> Payment | None:
    """Called when a sale reaches a stage: request the deposit if the programme says so now.

    A deposit that cannot go out (no planned deed date, above the cap, no email) must not stop
    the stage move: the move stands and the advisor is told what is missing.
    """
    rules = payment_settings_for(sale.programme)
    if not rules.deposit_request_stage or rules.deposit_request_stage != stage:
        return None
    if (
        Payment.objects.filter(sale=sale, kind=Payment.Kind.DEPOSIT)
        .exclude(status__in=[Status.CANCELLED, Status.EXPIRED])
        .exists()
    ):
        return None
    try:
        with transaction.atomic():
            return deposit_request(actor=actor, sale=sale)
    except PaymentError as error:
        alert_staff_deposit_not_sent(sale=sale, reason=str(error))
        return None


@transaction.atomic
def payment_cancel(*, actor: User | None, payment: Payment, reason: str = "") -> Payment:
    """Cancel a request still to pay; `reason`, the words staff gave, goes to the audit trail."""
    payment = payment_lock(payment.pk)
    if payment.status not in OPEN_STATUSES:
        raise PaymentError(
            _("Only a request that is still to pay can be cancelled; this one is “%(status)s”.")
            % {"status": payment.get_status_display()}
        )
    payment_move(
        payment=payment, to=Status.CANCELLED, actor=actor, data={"reason": reason} if reason else None
    )
    sessions = CheckoutSession.objects.filter(payment=payment, state=CheckoutSession.State.OPEN)
    open_sessions = list(sessions.values_list("provider", "session_id"))
    sessions.update(state=CheckoutSession.State.EXPIRED)
    # Closed at the provider too, or the buyer could still pay a page he kept open.
    transaction.on_commit(functools.partial(_sessions_expire, open_sessions))
    return payment


def _sessions_expire(sessions: list[tuple[str, str]]) -> None:
    for provider, session_id in sessions:
        # If this fails the session closes by itself within 24 hours.
        with contextlib.suppress(ProviderError):
            provider_named(provider).checkout_expire(session_id)


@transaction.atomic
def payment_link_renew(*, actor: User | None, payment: Payment) -> Payment:
    """Send a fresh link for an open or expired request; earlier links stop working."""
    payment = payment_lock(payment.pk)
    if payment.status not in [*OPEN_STATUSES, Status.EXPIRED]:
        raise PaymentError(
            _("A request that is “%(status)s” needs no new link.") % {"status": payment.get_status_display()}
        )
    if not payment.sale.is_live:
        # Its open requests were cancelled with the sale; an expired one must not come back.
        raise PaymentError(_("A cancelled or withdrawn sale cannot be asked for money."))
    _contact_check(payment.buyer, payment.channel)
    if payment.kind == Payment.Kind.DEPOSIT and payment.status == Status.EXPIRED:
        deposit_check(payment.sale, payment.amount)
    rules = payment_settings_for(payment.programme)
    payment.link_nonce = secrets.token_urlsafe(12)
    payment.link_expires_at = _link_expiry(
        rules, due_on=payment.due_on, time_zone=payment.programme.time_zone
    )
    payment.save(update_fields=["link_nonce", "link_expires_at"])
    try:
        with transaction.atomic():
            if payment.status == Status.EXPIRED:
                payment_move(payment=payment, to=Status.TO_PAY, actor=actor)
    except IntegrityError:
        raise PaymentError(_("This sale already has another deposit request that is open or paid.")) from None
    alert_buyer_request(payment, key=f"payment-request:{payment.pk}:{payment.link_nonce}")
    payment_log(payment=payment, kind=PaymentEvent.Kind.SENT, actor=actor, data={"channel": payment.channel})
    return payment


@transaction.atomic
def payment_method_choose(*, payment: Payment, method: str, actor: User | None = None) -> Payment:
    """The buyer picks how to pay; possible until he has started paying."""
    payment = payment_lock(payment.pk)
    if payment.status not in OPEN_STATUSES:
        raise PaymentError(_("This payment can no longer change its method."))
    if method not in payment_methods_for(payment, payment_settings_for(payment.programme)):
        raise PaymentError(_("This method of payment is not offered for this request."))
    if payment.method != method:
        payment.method = method
        payment.save(update_fields=["method"])
        payment_log(
            payment=payment, kind=PaymentEvent.Kind.METHOD_CHOSEN, actor=actor, data={"method": method}
        )
    return payment
