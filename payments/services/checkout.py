"""Opening the hosted checkout: reuse the open session, or open a fresh one (PAY-2, PAY-6)."""

import contextlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import PaymentError
from payments.models import ONLINE_METHODS, OPEN_STATUSES, CheckoutSession, Payment, PaymentEvent
from payments.providers import online_payments_available, online_provider
from payments.providers.base import CheckoutRequest, ProviderError
from payments.selectors import payment_methods_for, payment_settings_for
from payments.services.core import payment_lock, payment_log

# Stripe keeps a session open at most 24 hours, and wants at least 30 minutes.
SESSION_LIFETIME = timedelta(hours=23)
SESSION_MIN_LIFETIME = timedelta(minutes=31)
# A session about to close is not handed out again: the buyer needs time to pay.
SESSION_REUSE_MARGIN = timedelta(minutes=10)


def payment_checkout_open(*, payment: Payment, success_url: str, cancel_url: str) -> str:
    """The URL of a checkout session for this payment: the open one, or a fresh one.

    Never for a payment already paid or being processed. The provider is called inside the lock,
    so two clicks at once cannot open two sessions; its idempotency key (payment and session
    number) makes a retry after a lost answer return the same session.
    """
    with transaction.atomic():
        payment = payment_lock(payment.pk)
        now = timezone.now()
        if payment.status not in OPEN_STATUSES:
            raise PaymentError(
                _("This payment is “%(status)s”: there is nothing to pay.")
                % {"status": payment.get_status_display()}
            )
        if payment.link_expires_at <= now:
            raise PaymentError(_("This payment link has expired. Ask your advisor for a new one."))
        if not online_payments_available():
            # No Stripe key outside the quick start: there is no checkout to send anyone to.
            raise PaymentError(_("Online payment is not available: please pay by bank transfer."))
        if payment.method not in ONLINE_METHODS:
            raise PaymentError(_("Choose how you want to pay first."))
        rules = payment_settings_for(payment.programme)
        if payment.method not in payment_methods_for(payment, rules):
            raise PaymentError(_("This method of payment is not offered for this request."))
        sessions = CheckoutSession.objects.filter(payment=payment)
        current = (
            sessions.filter(
                state=CheckoutSession.State.OPEN,
                method=payment.method,
                expires_at__gt=now + SESSION_REUSE_MARGIN,
            )
            .order_by("-number")
            .first()
        )
        if current is not None:
            return current.url
        provider = online_provider()
        number = (sessions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        expires_at = max(min(now + SESSION_LIFETIME, payment.link_expires_at), now + SESSION_MIN_LIFETIME)
        try:
            started = provider.checkout_start(
                CheckoutRequest(
                    payment_id=payment.pk,
                    amount=payment.amount - payment.amount_paid,
                    currency=payment.currency,
                    method=payment.method,
                    description=f"{payment.programme.name} · {payment.reference}",
                    customer_email=payment.buyer.email,
                    success_url=success_url,
                    cancel_url=cancel_url,
                    expires_at=expires_at,
                    idempotency_key=f"payment-{payment.pk}-session-{number}",
                    language=payment.buyer.language,
                    destination_account=rules.escrow_stripe_account
                    if payment.kind == Payment.Kind.DEPOSIT
                    else "",
                    metadata={"payment_id": str(payment.pk), "sale": payment.sale.reference},
                )
            )
        except ProviderError as error:
            raise PaymentError(
                _("The payment page could not be opened (%(reason)s). Please try again in a moment.")
                % {"reason": error}
            ) from error
        # Earlier sessions of another method are closed: only one way to pay is open at a time.
        stale = list(sessions.filter(state=CheckoutSession.State.OPEN).values_list("session_id", flat=True))
        sessions.filter(session_id__in=stale).update(state=CheckoutSession.State.EXPIRED)
        CheckoutSession.objects.create(
            payment=payment,
            provider=provider.name,
            number=number,
            session_id=started.session_id,
            url=started.url,
            method=payment.method,
            expires_at=started.expires_at,
        )
        payment_log(
            payment=payment,
            kind=PaymentEvent.Kind.SESSION_OPENED,
            data={"session": started.session_id, "method": payment.method, "number": number},
        )
    for session_id in stale:
        # If this fails the session closes by itself within 24 hours; we no longer hand it out.
        with contextlib.suppress(ProviderError):
            provider.checkout_expire(session_id)
    return started.url
