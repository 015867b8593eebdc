"""Shared by the payments back-office tests: payments made through the real services."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.urls import reverse

from payments.services.core import payment_lock
from payments.services.money import payment_money_received, payment_record_transfer
from payments.services.requests import payment_request_create


def request_make(sale, actor, *, amount: str = "1000.00", reference: str = "INV-1", **kwargs):
    return payment_request_create(
        actor=actor, sale=sale, amount=Decimal(amount), reference=reference, **kwargs
    )


def paid_by_transfer(payment, actor):
    return payment_record_transfer(
        actor=actor, payment=payment, amount=payment.amount, received_on=date.today(), note="statement"
    )


def paid_online(payment):
    """Paid by card through the simulated provider, as its webhook would record it."""
    with transaction.atomic():
        locked = payment_lock(payment.pk)
        return payment_money_received(
            payment=locked,
            amount=locked.amount,
            provider="simulated",
            method="card",
            provider_payment_id=f"pi_sim_{locked.pk}",
        )


def url(name: str, *args) -> str:
    return reverse(f"admin:payments_{name}", args=args)
