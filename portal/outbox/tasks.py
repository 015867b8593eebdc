"""Celery tasks of the outbox: thin wrappers that own the retry policy and call one service.

A failed send is not a task failure: the service records it on the row and the sweep tries
again later. Tasks retry only when the database itself was unreachable.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal.outbox import services

_DATABASE_DOWN = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=_DATABASE_DOWN,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
    soft_time_limit=120,
    time_limit=180,
)
def outbox_send(message_id: int) -> None:
    services.outbox_send(message_id=message_id)


# No retries: the next beat tick is the retry, and a sweep that overruns its minute must not
# queue up behind itself.
@shared_task(ignore_result=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def outbox_sweep() -> None:
    services.outbox_sweep()


# Once a day; a missed day is caught up by the next run (it scans by age).
@shared_task(ignore_result=True, soft_time_limit=30 * 60, time_limit=35 * 60)
def outbox_purge() -> None:
    services.outbox_purge()
