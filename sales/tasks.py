"""Celery tasks of sales: thin wrappers that own the retry policy and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from sales.services import sales_expire_holds


# Idempotent: a hold already cancelled is not found again, so a retry or a second run is harmless.
@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=5,
    ignore_result=True,
    soft_time_limit=600,
    time_limit=900,
)
def sales_expire_holds_task() -> int:
    """Daily: cancel the options whose hold has ended and free their lots (SAL-4)."""
    return sales_expire_holds()
