from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_sweep
from portal.outbox.tasks import outbox_sweep as outbox_sweep_task
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def left_behind():
    """Rows whose send never happened: a lost task, a retry now due, a worker that died."""
    return [
        OutboxMessageFactory(subject="lost task"),
        OutboxMessageFactory(subject="retry due", attempts=2, next_attempt_at=NOW - timedelta(seconds=1)),
        OutboxMessageFactory(
            subject="dead worker", state=OutboxMessage.State.SENDING, attempts=1, lease_until=NOW
        ),
    ]


def test_the_sweep_sends_the_rows_left_behind_over_one_connection(frozen, counting_backend, mailoutbox):
    rows = left_behind()

    assert outbox_sweep() == 3

    assert sorted(email.subject for email in mailoutbox) == ["dead worker", "lost task", "retry due"]
    assert (counting_backend.created, counting_backend.opened, counting_backend.closed) == (1, 1, 1)
    states = {
        row.subject: (row.state, row.attempts)
        for row in OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])
    }
    assert states == {
        "lost task": ("sent", 1),
        "retry due": ("sent", 3),
        "dead worker": ("sent", 2),
    }


def test_the_sweep_uses_one_connection_per_batch(frozen, counting_backend, mailoutbox):
    OutboxMessageFactory.create_batch(5)

    assert outbox_sweep(batch_size=2) == 5

    assert len(mailoutbox) == 5
    assert (counting_backend.created, counting_backend.opened, counting_backend.closed) == (3, 3, 3)


def test_the_sweep_leaves_alone_what_is_not_due_or_still_being_sent(frozen, counting_backend, mailoutbox):
    OutboxMessageFactory(next_attempt_at=NOW + timedelta(seconds=1))
    OutboxMessageFactory(
        state=OutboxMessage.State.SENDING, attempts=1, lease_until=NOW + timedelta(minutes=1)
    )
    OutboxMessageFactory(state=OutboxMessage.State.SENT, attempts=1, sent_at=NOW)
    OutboxMessageFactory(state=OutboxMessage.State.FAILED, attempts=6)
    before = list(OutboxMessage.objects.order_by("pk").values())

    assert outbox_sweep() == 0

    assert list(OutboxMessage.objects.order_by("pk").values()) == before
    assert mailoutbox == []
    assert counting_backend.opened == 0


def test_a_row_whose_worker_died_during_the_last_attempt_fails_for_good(frozen, mailoutbox):
    row = OutboxMessageFactory(state=OutboxMessage.State.SENDING, attempts=6, lease_until=NOW)

    outbox_sweep()

    row.refresh_from_db()
    assert row.state == OutboxMessage.State.FAILED
    assert row.attempts == 6
    assert "last attempt" in row.last_error
    assert mailoutbox == []


def test_an_unreachable_mail_server_is_tried_once_per_sweep_and_sms_still_go_out(
    frozen, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    emails = OutboxMessageFactory.create_batch(3)
    sms = OutboxMessageFactory(channel=OutboxMessage.Channel.SMS, recipients=["+33612345678"], text="Code 1")

    assert outbox_sweep() == 1

    attempts = sorted(
        OutboxMessage.objects.filter(pk__in=[e.pk for e in emails]).values_list("attempts", flat=True)
    )
    assert attempts == [0, 0, 1]
    sms.refresh_from_db()
    assert sms.state == OutboxMessage.State.SENT
    assert sms.provider_id.startswith("console-")


def test_after_a_failed_email_the_next_one_goes_out_on_a_fresh_connection(
    frozen, counting_backend, mailoutbox
):
    refused = OutboxMessageFactory(recipients=["refused@example.test"])
    accepted = OutboxMessageFactory()
    real_send = counting_backend.send_messages

    def refuse_one_recipient(self, messages):
        if messages[0].to == ["refused@example.test"]:
            raise ConnectionResetError("the server hung up")
        return real_send(self, messages)

    counting_backend.send_messages = refuse_one_recipient
    try:
        assert outbox_sweep() == 1
    finally:
        counting_backend.send_messages = real_send

    refused.refresh_from_db()
    accepted.refresh_from_db()
    assert (refused.state, accepted.state) == ("ready", "sent")
    assert counting_backend.opened == 2
    assert counting_backend.closed == 2


def test_the_beat_task_runs_the_sweep(frozen, mailoutbox):
    OutboxMessageFactory()

    outbox_sweep_task.delay()

    assert len(mailoutbox) == 1
