"""Celery tasks of payments: thin wrappers that own the retry policy and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from payments.services.daily import payments_expire, payments_send_reminders
from payments.services.receipts import receipt_render_and_send as _receipt_render_and_send
from payments.services.receipts import receipts_render_missing
from payments.services.refunds import refund_execute as _refund_execute
from payments.services.refunds import refunds_execute_stuck

_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "max_retries": 5,
    "ignore_result": True,
}


# Safe to repeat: a stored receipt is not rendered again; the email has a unique outbox key.
@shared_task(**_RETRY, soft_time_limit=120, time_limit=180)
def receipt_render_and_send(payment_id: int) -> None:
    _receipt_render_and_send(payment_id=payment_id)


# Safe to repeat: the refund's idempotency key makes the provider refund once.
@shared_task(**_RETRY, soft_time_limit=60, time_limit=90)
def refund_execute(refund_id: int) -> None:
    _refund_execute(refund_id=refund_id)


@shared_task(**_RETRY, soft_time_limit=600, time_limit=900)
def payments_daily() -> None:
    """Daily: expire links that ran out, then remind buyers of what is still open (PAY-2, PAY-7)."""
    payments_expire()
    payments_send_reminders()


@shared_task(**_RETRY, soft_time_limit=300, time_limit=400)
def receipts_render_missing_task() -> int:
    return receipts_render_missing()


@shared_task(**_RETRY, soft_time_limit=300, time_limit=400)
def refunds_execute_stuck_task() -> int:
    return refunds_execute_stuck()
