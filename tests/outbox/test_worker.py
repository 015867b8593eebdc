"""The outbox end to end: a real Celery worker on Redis sends an email to a real SMTP server.

CI runs it with PostgreSQL and Redis (DATABASE_URL and REDIS_URL set). The worker runs in a
thread with its own database connection, so it needs a database it can share with the test.
"""

import os
import socket
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection, connections

from portal.celery import app
from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_enqueue_email

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis: REDIS_URL is not set"),
]


class CollectingHandler:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def shared_database(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database the worker process can share: set DATABASE_URL")


@pytest.fixture
def smtp_server(settings):
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield handler
    controller.stop()


@pytest.fixture
def celery_worker(shared_database):
    overrides = {"task_always_eager": False, "broker_url": REDIS_URL}
    previous = {name: app.conf[name] for name in overrides}
    app.conf.update(overrides)

    ran = []

    def after_task(task, args, **kwargs):
        ran.append((task.name, list(args), bool(task.request.is_eager)))
        # Runs in the worker's thread: its connection would otherwise outlive the test and keep
        # the test database from being flushed and dropped.
        connections.close_all()

    task_postrun.connect(after_task, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False):
            yield ran
    finally:
        task_postrun.disconnect(after_task)
        app.conf.update(previous)


def wait_for(condition, *, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_on_redis_sends_an_outbox_email_to_the_mail_server(celery_worker, smtp_server):
    # No surrounding transaction here: the enqueue commits and its on_commit hook publishes the task.
    message = outbox_enqueue_email(
        key="worker:1", to="anna@example.test", subject="Your reservation is confirmed", text="Hello Anna"
    )

    def sent():
        message.refresh_from_db()
        return message.state == OutboxMessage.State.SENT and smtp_server.messages

    assert wait_for(sent), f"state {message.state}, last error {message.last_error!r}"
    [received] = smtp_server.messages
    assert received["Subject"] == "Your reservation is confirmed"
    assert received["To"] == "anna@example.test"
    assert message.attempts == 1
    # Sent by the worker through Redis, not inline by the test's own process.
    assert ("portal.outbox.tasks.outbox_send", [message.pk], False) in celery_worker
