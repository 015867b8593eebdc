"""Shared by the payments back-office tests: payments made through the real services."""

from datetime import date

from django.db import transaction
from django.urls import reverse

from payments.services.core import payment_lock
from payments.services.money import payment_money_received, payment_record_transfer


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
