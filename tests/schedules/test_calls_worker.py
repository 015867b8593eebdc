"""A batch of calls for funds on a real Celery worker and Redis: the worker is killed in the
middle of the batch and a new one started; the batch finishes with each call made and emailed once.

Needs Redis (REDIS_URL) and a database both processes share (DATABASE_URL, PostgreSQL).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import redis
from celery import Celery
from django.db import connection, connections

from payments.models import Payment
from portal.outbox.models import OutboxMessage
from programmes.models import Milestone
from sales.models import Sale, Stage
from sales.services import sale_create
from schedules.models import CallBatch, CallForFunds
from schedules.services import calls as calls_service
from schedules.services.calls import call_batch_start
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make
from tests.schedules.factories import schedule_make

REDIS_URL = os.environ.get("REDIS_URL", "")
SALES = 8
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis: REDIS_URL is not set"),
]


@pytest.fixture
def shared_database(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database the worker process can share: set DATABASE_URL to PostgreSQL")


@pytest.fixture
def queue(shared_database):
    """The test's own queue on Redis, its keys under a prefix of their own: no other worker takes
    its tasks, and its workers (which redeliver after one second) never touch anyone else's.

    The batch's task is sent by a Celery app of its own, so the project's app keeps its broker."""
    name = f"calls-test-{uuid.uuid4().hex[:8]}"
    sender = Celery("calls-test", broker=REDIS_URL, set_as_current=False)
    sender.conf.broker_transport_options = {"global_keyprefix": f"{name}:"}

    def enqueue(batch_id: int) -> None:
        sender.send_task("schedules.tasks.call_batch_run_task", args=[batch_id], queue=name)

    with mock.patch.object(calls_service, "_enqueue_batch_run", enqueue):
        yield name
    sender.close()
    # The queue and the emails' send tasks left in it: their rows went with the test database.
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{name}:*"))
    if keys:
        client.delete(*keys)


class Workers:
    def __init__(self, queue: str):
        settings = connection.settings_dict
        database = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        self.env = {**os.environ, "DATABASE_URL": database, "CALLS_QUEUE": queue, "CALLS_SLOW": "1"}
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        # The worker's own log, when CALLS_WORKER_LOG names a file (the child keeps its copy).
        with open(os.environ.get("CALLS_WORKER_LOG", os.devnull), "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.schedules.calls_worker_main"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(queue):
    started = Workers(queue)
    yield started
    started.stop_all()
    connections.close_all()


def wait_for(condition, *, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_batch_is_replaced_and_the_batch_ends_with_each_call_once(workers):
    programme = ProgrammeFactory(code="wrk")
    milestone = Milestone.objects.create(
        programme=programme,
        kind=Milestone.Kind.FOUNDATIONS,
        planned_date=date(2026, 2, 27),
        actual_date=date(2026, 2, 27),
    )
    for _ in range(SALES):
        sale = sale_create(
            actor=None,
            programme=programme,
            lots=lots_make(programme, 1),
            buyers=[BuyerFactory()],
            price=Decimal("200000.00"),
            stage=Stage.FINANCING,
        )
        Sale.objects.filter(pk=sale.pk).update(
            deed_signed_on=date(2026, 2, 1)
        )  # only signed deeds are called
        schedule_make(sale)

    first = workers.start()
    batch = call_batch_start(
        programme=programme,
        trigger=milestone.kind,
        milestone=milestone,
        reached_on=milestone.actual_date,
        actor=None,
    )
    assert wait_for(lambda: CallForFunds.objects.filter(batch=batch).count() >= 2), "the worker made no calls"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    made_before = CallForFunds.objects.filter(batch=batch).count()
    assert made_before < SALES, "the batch ended before the worker could be killed"
    batch.refresh_from_db()
    assert batch.state == CallBatch.State.RUNNING

    workers.start()

    def finished():
        batch.refresh_from_db()
        return batch.state == CallBatch.State.DONE

    assert wait_for(finished), f"state {batch.state}, {batch.done}/{batch.total}, error {batch.error!r}"
    calls = CallForFunds.objects.filter(batch=batch)
    assert calls.count() == SALES
    assert (batch.done, batch.total) == (SALES, SALES)
    assert Payment.objects.filter(kind=Payment.Kind.CALL).count() == SALES
    keys = list(OutboxMessage.objects.filter(key__startswith="call:").values_list("key", flat=True))
    assert sorted(keys) == sorted(f"call:{pk}" for pk in calls.values_list("pk", flat=True))
