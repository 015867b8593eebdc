import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models.query import QuerySet

from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_enqueue_email, outbox_enqueue_sms
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def enqueue_welcome(key="welcome:1", **overrides):
    fields = {"to": "anna@example.test", "subject": "Welcome", "text": "Hello Anna"}
    return outbox_enqueue_email(key=key, **{**fields, **overrides})


def test_it_sends_one_message_for_two_requests_with_one_key(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_welcome()
        second = enqueue_welcome()
    with django_capture_on_commit_callbacks(execute=True) as later:
        third = enqueue_welcome()

    assert first.pk == second.pk == third.pk
    assert OutboxMessage.objects.count() == 1
    assert later == []
    assert [message.subject for message in mailoutbox] == ["Welcome"]


def test_it_writes_the_row_and_sends_only_after_commit(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue_welcome(
            to=["anna@example.test", "marc@example.test"], reply_to="sales@example.test"
        )
        assert mailoutbox == []
        row = OutboxMessage.objects.get()
        assert row.state == OutboxMessage.State.READY
        assert row.recipients == ["anna@example.test", "marc@example.test"]
        assert row.reply_to == "sales@example.test"

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert mailoutbox[0].to == ["anna@example.test", "marc@example.test"]


def test_the_message_is_not_sent_when_the_transaction_rolls_back(
    mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_welcome()
        raise RuntimeError("the change that caused the email failed")

    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mailoutbox == []


def test_it_rereads_the_row_a_concurrent_request_inserted_first(
    monkeypatch, django_capture_on_commit_callbacks
):
    existing = OutboxMessageFactory(key="welcome:1")
    real_get = QuerySet.get
    looked = []

    def get_before_the_other_commit(self, *args, **kwargs):
        # The first look happens before the other request's insert is visible.
        if self.model is OutboxMessage and not looked:
            looked.append(kwargs)
            raise OutboxMessage.DoesNotExist
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", get_before_the_other_commit)
    with django_capture_on_commit_callbacks() as callbacks:
        message = enqueue_welcome()

    assert looked == [{"key": "welcome:1"}]
    assert message.pk == existing.pk
    assert OutboxMessage.objects.count() == 1
    assert callbacks == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_row_and_one_email(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    outcome = {}

    def other_request():
        try:
            with transaction.atomic():
                outcome["message"] = enqueue_welcome()
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        first = enqueue_welcome()
        other = threading.Thread(target=other_request)
        other.start()
        # Commit only once the other request waits on the key this transaction inserted.
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the other request never waited for the key")
    other.join(10)

    assert "error" not in outcome
    assert outcome["message"].pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mailoutbox) == 1


def test_an_sms_is_written_with_its_number(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = outbox_enqueue_sms(key="code:1", to="+33612345678", text="Your code: 123456")

    assert message.channel == OutboxMessage.Channel.SMS
    assert message.recipients == ["+33612345678"]
    assert len(callbacks) == 1


def test_a_key_used_by_an_email_is_refused_for_an_sms():
    enqueue_welcome(key="shared:1")
    with pytest.raises(ValueError, match="shared:1"):
        outbox_enqueue_sms(key="shared:1", to="+33612345678", text="Hi")


def test_line_breaks_in_a_subject_are_folded_so_sending_can_succeed(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue_welcome(subject="Your reservation\n  is confirmed\r\n")

    message.refresh_from_db()
    assert message.subject == "Your reservation is confirmed"
    assert message.state == OutboxMessage.State.SENT


def test_an_email_without_recipient_is_refused():
    with pytest.raises(ValueError):
        enqueue_welcome(to=[])
    with pytest.raises(ValueError):
        enqueue_welcome(to="")
    assert not OutboxMessage.objects.exists()
