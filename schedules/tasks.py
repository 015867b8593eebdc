"""Celery tasks of schedules: thin wrappers that own the retry policy and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal.users.models import User
from schedules.services.calls import call_batch_run, call_deed_issue
from schedules.services.statements import statement_match_run

_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "max_retries": 5,
    "ignore_result": True,
}


# Acknowledged once done: a worker killed in the middle leaves the task to be delivered again,
# and the run skips the tranches already called (each call and its email exist once).
@shared_task(**_RETRY, acks_late=True, reject_on_worker_lost=True, soft_time_limit=3000, time_limit=3600)
def call_batch_run_task(batch_id: int) -> None:
    call_batch_run(batch_id=batch_id)


# Safe to repeat: a deed tranche already called is left alone.
@shared_task(**_RETRY, acks_late=True, soft_time_limit=120, time_limit=180)
def call_deed_issue_task(sale_id: int, actor_id: int | None = None) -> None:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    call_deed_issue(sale_id=sale_id, actor=actor)


# Acknowledged once done, like a batch of calls: a redelivered run looks only at the lines still
# to match, each locked and read again, so no transfer is recorded twice.
@shared_task(**_RETRY, acks_late=True, reject_on_worker_lost=True, soft_time_limit=1800, time_limit=2000)
def statement_match_task(statement_id: int) -> None:
    statement_match_run(statement_id=statement_id)
