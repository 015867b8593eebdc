"""Demo data of the quick start for payments (PAY-1 to PAY-11).

Payment settings for both demo programmes, deposits in every status across the demo sales, and
one open deposit request for buyer@demo.test that she can pay from `make run` through the
simulated checkout. Everything goes through the services and the simulated checkout's signed
events, so the payment logs, receipts, alerts and audit trail are the real ones. A handful of
payments only are paid: each renders its receipt PDF.

Safe to run again: once the demo programmes hold payments, only their settings are ensured.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from payments.links import payment_link_url
from payments.models import CheckoutSession, Method, Payment, PaymentSettings
from payments.services.checkout import payment_checkout_open
from payments.services.daily import payments_expire
from payments.services.money import payment_record_transfer
from payments.services.refunds import refund_request
from payments.services.requests import (
    deposit_request,
    payment_cancel,
    payment_method_choose,
    payment_request_create,
)
from payments.services.webhooks import webhook_receive
from payments.simulated_events import FAIL, PAY, event_payload, simulated_events, simulated_events_send
from portal.celery import tasks_queued
from portal.users.models import User
from programmes.models import Programme
from sales.models import Sale, Stage
from sales.services import sale_move_stage, sale_update

MAIN_BUYER = "buyer@demo.test"
# The deed is expected within a year of the reservation: the French cap allows a 5 % deposit.
DEED_AFTER_RESERVATION = timedelta(days=300)

SETTINGS = {
    # France: the deposit goes to the notary's escrow account, online through its Stripe account.
    "lum": {
        "deposit_kind": PaymentSettings.DepositKind.PERCENT,
        "deposit_percent": Decimal("5.00"),
        "deposit_request_stage": Stage.RESERVATION_SIGNED,
        "accept_card": True,
        "accept_sepa_debit": True,
        "accept_transfer": True,
        "escrow_stripe_account": "acct_1DemoEscrowLUM",
    },
    # Poland: the reservation fee is at most 1 % of the price.
    "zwg": {
        "deposit_kind": PaymentSettings.DepositKind.PERCENT,
        "deposit_percent": Decimal("1.00"),
        "deposit_request_stage": Stage.RESERVATION_SIGNED,
        "accept_card": True,
        "accept_blik": True,
        "accept_p24": True,
        "accept_transfer": True,
    },
}


def seed_payments() -> None:
    programmes = {p.code: p for p in Programme.objects.filter(code__in=SETTINGS)}
    for code, programme in programmes.items():
        PaymentSettings.objects.get_or_create(programme=programme, defaults=SETTINGS[code])
    if len(programmes) < len(SETTINGS) or Payment.objects.filter(programme__in=programmes.values()).exists():
        return
    lum, zwg = programmes["lum"], programmes["zwg"]
    advisor_fr = User.objects.get(email="sales@demo.test")
    advisor_pl = User.objects.get(email="admin@demo.test")
    accountant = User.objects.get(email="accountant@demo.test")

    with transaction.atomic():
        _deed_dates(lum, advisor_fr)
        main = Sale.objects.get(
            programme=lum, sale_buyers__buyer__email=MAIN_BUYER, sale_buyers__is_main=True
        )
        fr = _sales_by_stage(lum, exclude=main)
        jan = Sale.objects.get(programme=zwg, sale_buyers__buyer__email="buyer2@demo.test")
        pl = _sales_by_stage(zwg, exclude=jan)

        # Expired first, while it is the only open request: the daily job, run as on the day its
        # link runs out, expires every open request whose link has run out by then.
        expired = deposit_request(actor=advisor_fr, sale=fr[Stage.RESERVATION_SIGNED][2])
        payments_expire(now=expired.link_expires_at)

        deposit_request(actor=advisor_fr, sale=fr[Stage.RESERVATION_SIGNED][0])  # to pay
        _processing(
            deposit_request(actor=advisor_fr, sale=fr[Stage.RESERVATION_SIGNED][1]), Method.SEPA_DEBIT
        )
        _checkout(deposit_request(actor=advisor_fr, sale=fr[Stage.WITHDRAWAL_PERIOD][0]), Method.CARD, FAIL)
        # Paid at the second attempt: the card was declined once.
        paid = deposit_request(actor=advisor_fr, sale=fr[Stage.DEPOSIT_PAID][0])
        _checkout(paid, Method.CARD, FAIL)
        _checkout(paid, Method.CARD, PAY)
        # The buyer withdrew within his ten days: his deposit goes back to him in full.
        withdrawn = fr[Stage.WITHDRAWAL_PERIOD][1]
        refunded = _checkout(deposit_request(actor=advisor_fr, sale=withdrawn), Method.CARD, PAY)
        sale_move_stage(actor=advisor_fr, sale=withdrawn, target=Stage.WITHDRAWN)
        refund_request(
            actor=accountant,
            payment=refunded,
            amount=refunded.amount,
            reason="Rétractation dans le délai de dix jours",
        )
        to_refund = _checkout(
            deposit_request(actor=advisor_fr, sale=fr[Stage.FINANCING][0]), Method.CARD, PAY
        )

        # The main demo buyer: her options paid by transfer, and her deposit still to pay (online).
        options = payment_request_create(
            actor=advisor_fr, sale=main, amount=Decimal("4800.00"), reference="LUM-2026-014-OPT"
        )
        payment_record_transfer(
            actor=accountant, payment=options, amount=options.amount, received_on=timezone.localdate()
        )
        deposit_request(actor=advisor_fr, sale=main)

        # Poland: Jan paid by BLIK; a fee paid by Przelewy24 partly refunded; one sent by mistake.
        _checkout(deposit_request(actor=advisor_pl, sale=jan), Method.BLIK, PAY)
        partly = _checkout(deposit_request(actor=advisor_pl, sale=pl[Stage.DEPOSIT_PAID][0]), Method.P24, PAY)
        refund_request(
            actor=accountant,
            payment=partly,
            amount=Decimal("500.00"),
            reason="Miejsce postojowe wyłączone z umowy",
        )
        payment_cancel(
            actor=advisor_pl, payment=deposit_request(actor=advisor_pl, sale=pl[Stage.RESERVATION_SIGNED][0])
        )
        deposit_request(actor=advisor_pl, sale=pl[Stage.WITHDRAWAL_PERIOD][0])  # to pay
    # After the commit above, receipts are rendered and the refunds made. This one stays asked
    # for: the processor's answer has not come yet.
    with tasks_queued():
        refund_request(
            actor=accountant,
            payment=to_refund,
            amount=to_refund.amount,
            reason="Prêt refusé (condition suspensive)",
        )


def _deed_dates(programme: Programme, actor) -> None:
    """The planned deed date staff type in, for the sales that have not reached their deed."""
    today = timezone.localdate()
    before_deed = [
        Stage.OPTION,
        Stage.RESERVATION_SIGNED,
        Stage.WITHDRAWAL_PERIOD,
        Stage.DEPOSIT_PAID,
        Stage.FINANCING,
    ]
    for sale in Sale.objects.filter(programme=programme, stage__in=before_deed, deed_planned_on=None):
        reserved_on = sale.reservation_signed_on or today
        sale_update(actor=actor, sale=sale, changes={"deed_planned_on": reserved_on + DEED_AFTER_RESERVATION})


def _sales_by_stage(programme: Programme, *, exclude: Sale) -> dict[str, list[Sale]]:
    sales: dict[str, list[Sale]] = {}
    for sale in Sale.objects.filter(programme=programme).exclude(pk=exclude.pk).order_by("pk"):
        sales.setdefault(sale.stage, []).append(sale)
    return sales


def _session(payment: Payment, method: str) -> CheckoutSession:
    """The buyer picks `method` and opens the checkout, as the Pay button does."""
    payment_method_choose(payment=payment, method=method)
    page = payment_link_url(payment)
    url = payment_checkout_open(payment=payment, success_url=f"{page}?done=1", cancel_url=page)
    return CheckoutSession.objects.select_related("payment__sale").get(payment=payment, url=url)


def _checkout(payment: Payment, method: str, outcome: str) -> Payment:
    """The buyer goes through the simulated checkout and pays or is declined."""
    session = _session(payment, method)
    simulated_events_send(session=session, payment=session.payment, outcome=outcome)
    payment.refresh_from_db()
    return payment


def _processing(payment: Payment, method: str) -> Payment:
    """A direct debit submitted: the session is complete, the bank has not said yes yet."""
    session = _session(payment, method)
    completed = simulated_events(session=session, payment=session.payment, outcome=PAY)[0]
    payload, signature = event_payload(completed)
    webhook_receive(payload=payload, signature=signature)
    payment.refresh_from_db()
    return payment
