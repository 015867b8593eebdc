"""Secret links leave the outbox once sent; every other text after the retention period."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse

from portal.beat import BEAT_SCHEDULE
from portal.notify import notify_email
from portal.outbox import tasks
from portal.outbox.attachments import OutboxAttachment
from portal.outbox.models import OutboxMessage
from portal.outbox.services import (
    MAX_ATTEMPTS,
    outbox_enqueue_email,
    outbox_purge,
    outbox_resend,
    outbox_send,
)
from portal.texts.kinds import KINDS
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINK = "https://portal.example.com/space/invitation/s3cr3t-token/"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def secret_message(**fields) -> OutboxMessage:
    defaults = {
        "key": "invitation:1",
        "to": "ewa@example.test",
        "subject": "Your access",
        "text": f"Open {LINK}",
        "html": f'<a href="{LINK}">Open</a>',
        "secret": True,
    }
    return outbox_enqueue_email(**{**defaults, **fields})


def test_a_secret_link_goes_out_whole_then_its_text_is_removed_from_the_row(frozen, mailoutbox):
    message = secret_message()

    assert outbox_send(message_id=message.pk)

    assert LINK in mailoutbox[0].body
    assert LINK in mailoutbox[0].alternatives[0][0]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert LINK not in message.text and message.html == ""
    assert "removed once it was sent" in message.text
    assert message.purged_at == NOW
    # Who was written to, when and about what stays on record.
    assert (message.recipients, message.subject, message.sent_at) == (
        ["ewa@example.test"],
        "Your access",
        NOW,
    )


def test_a_secret_message_keeps_its_text_for_the_retries_before_it_goes_out(
    frozen, failing_backend, settings
):
    message = secret_message()

    assert not outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.READY
    assert LINK in message.text and LINK in message.html
    assert message.purged_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    frozen.move_to(NOW + timedelta(minutes=2))
    assert outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert LINK not in message.text


def test_a_secret_message_given_up_after_its_last_attempt_loses_its_text_too(frozen, failing_backend):
    message = secret_message()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)

    assert not outbox_send(message_id=message.pk)

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert LINK not in message.text and message.purged_at == NOW


def test_an_ordinary_message_keeps_its_text_once_sent(frozen, mailoutbox):
    message = secret_message(key="news:1", secret=False)
    assert outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert LINK in message.text and message.purged_at is None


def test_a_message_whose_text_was_removed_is_never_sent_again(frozen, mailoutbox, administrator):
    message = secret_message()
    outbox_send(message_id=message.pk)

    assert outbox_resend(actor=administrator, message_ids=[message.pk]) == 0

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert len(mailoutbox) == 1


def test_invitations_password_links_confirmations_and_login_codes_are_marked_secret(db):
    def sent(kind: str) -> OutboxMessage:
        values = KINDS[kind].samples()
        return notify_email(key=f"k:{kind}", kind=kind, to="ewa@example.test", language="en", values=values)

    for kind in ("access_invitation", "password_reset", "email_confirmation", "login_code"):
        assert sent(kind).secret, kind
    assert not sent("payment_failed").secret


def test_allauths_password_reset_email_is_marked_secret(client, buyer):
    client.post(reverse("account_reset_password"), {"email": buyer.email})
    message = OutboxMessage.objects.get(recipients=[buyer.email])
    assert message.secret and "password" in message.subject.lower()


def old_sent(days: int, **fields) -> OutboxMessage:
    fields = {"state": OutboxMessage.State.SENT, "html": "<p>Hello</p>", **fields}
    with time_machine.travel(NOW - timedelta(days=days), tick=False):
        return OutboxMessageFactory(**fields)


def test_texts_older_than_the_retention_period_are_purged_once(frozen, settings):
    settings.OUTBOX_RETENTION_DAYS = 90
    expired = old_sent(91)
    failed = old_sent(120, state=OutboxMessage.State.FAILED)
    recent = old_sent(89)
    waiting = old_sent(200, state=OutboxMessage.State.READY)

    assert outbox_purge() == 2
    assert outbox_purge() == 0

    for row in (expired, failed):
        row.refresh_from_db()
        assert (row.html, row.purged_at) == ("", NOW)
        assert "retention period" in row.text
        assert row.subject == "Your reservation" and row.recipients == ["anna@example.test"]
    for row in (recent, waiting):
        row.refresh_from_db()
        assert row.purged_at is None and row.text.startswith("Hello Anna")


def test_purging_deletes_the_stored_attachments(frozen, mailoutbox):
    with time_machine.travel(NOW - timedelta(days=100), tick=False):
        message = outbox_enqueue_email(
            key="receipt:1",
            to="anna@example.test",
            subject="Receipt",
            text="Attached.",
            attachments=[
                OutboxAttachment(filename="receipt.pdf", mimetype="application/pdf", content=b"%PDF")
            ],
        )
        outbox_send(message_id=message.pk)
    message.refresh_from_db()
    path = message.attachments[0]["path"]
    assert default_storage.exists(path)

    outbox_purge()

    message.refresh_from_db()
    assert message.attachments == [] and not default_storage.exists(path)


def test_the_purge_runs_every_day_from_the_beat_schedule():
    entry = next(entry for entry in BEAT_SCHEDULE.values() if entry["task"].endswith(".outbox_purge"))
    assert entry["task"] == f"{tasks.outbox_purge.__module__}.outbox_purge"
    assert entry["schedule"].hour == {3}
