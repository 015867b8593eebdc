"""A real Celery worker for test_calls_worker.py, started as its own process so the test can kill it.

It consumes only the test's own queue, redelivers an unacknowledged task one second after its
worker died, and (CALLS_SLOW) takes half a second per call, so the test can kill it mid-batch.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
django.setup()

from portal.celery import app  # noqa: E402
from schedules.services import calls  # noqa: E402

QUEUE = os.environ["CALLS_QUEUE"]

if os.environ.get("CALLS_SLOW"):
    issue = calls.call_for_funds_issue

    def slow_issue(**kwargs):
        result = issue(**kwargs)
        time.sleep(0.5)
        return result

    calls.call_for_funds_issue = slow_issue

app.conf.update(
    task_always_eager=False,
    broker_url=os.environ["REDIS_URL"],
    task_default_queue=QUEUE,
    # Its keys under the test's own prefix: redelivering after one second touches only its tasks.
    broker_transport_options={
        "visibility_timeout": 1,
        "unacked_restore_throttle": 1,
        "global_keyprefix": f"{QUEUE}:",
    },
)

if __name__ == "__main__":
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "-Q",
            QUEUE,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ]
    )
