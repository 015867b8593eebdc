from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from portal.branding.models import CompanySettings
from portal.outbox.attachments import OutboxAttachment
from portal.outbox.delivery import outbox_email_build
from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_claim, outbox_enqueue_email, outbox_send
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_claim_is_refused_while_another_worker_holds_the_lease(frozen, mailoutbox):
    message = OutboxMessageFactory()

    assert outbox_claim(message_id=message.pk) is not None
    assert outbox_claim(message_id=message.pk) is None
    assert outbox_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENDING
    assert message.attempts == 1
    assert message.lease_until == NOW + timedelta(minutes=10)
    assert mailoutbox == []


def test_a_message_whose_worker_died_is_claimed_again_once_the_lease_runs_out(frozen, mailoutbox):
    message = OutboxMessageFactory()
    outbox_claim(message_id=message.pk)

    frozen.shift(timedelta(minutes=10))

    assert outbox_send(message_id=message.pk) is True
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.attempts == 2
    assert message.lease_until is None
    assert len(mailoutbox) == 1


def test_a_message_is_not_claimed_before_its_next_attempt():
    message = OutboxMessageFactory(next_attempt_at=NOW + timedelta(minutes=1))

    with time_machine.travel(NOW, tick=False):
        assert outbox_claim(message_id=message.pk) is None
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert outbox_claim(message_id=message.pk) is not None


def test_sending_a_sent_message_does_nothing(mailoutbox):
    message = OutboxMessageFactory(state=OutboxMessage.State.SENT, attempts=1, sent_at=NOW)

    assert outbox_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.sent_at == NOW
    assert mailoutbox == []


def test_a_failure_records_the_error_and_waits_longer_each_time(frozen, failing_backend):
    message = OutboxMessageFactory()
    waits = []
    for _attempt in range(5):
        assert outbox_send(message_id=message.pk) is False
        message.refresh_from_db()
        waits.append(message.next_attempt_at - timezone.now())
        frozen.move_to(message.next_attempt_at)

    assert waits == [timedelta(minutes=m) for m in (1, 5, 30, 120, 600)]
    assert message.state == OutboxMessage.State.READY
    assert message.attempts == 5
    assert message.lease_until is None
    assert message.last_error.startswith("SMTPDataError")
    assert "Try again later" in message.last_error


def test_a_message_fails_for_good_after_the_sixth_attempt(frozen, failing_backend):
    message = OutboxMessageFactory(attempts=5, next_attempt_at=NOW)

    assert outbox_send(message_id=message.pk) is False

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert message.attempts == 6
    assert outbox_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 6


def test_a_late_worker_does_not_overwrite_the_outcome_of_the_worker_that_took_over(frozen, mailoutbox):
    message = OutboxMessageFactory()
    slow = outbox_claim(message_id=message.pk)
    frozen.shift(timedelta(minutes=11))
    assert outbox_send(message_id=message.pk) is True

    # The slow worker finally gives up: its failure must not put the sent row back in line.
    from portal.outbox.services import _outbox_record_failure

    _outbox_record_failure(message=slow, error=TimeoutError("timed out"))
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.last_error == ""


def test_the_email_is_built_with_its_html_part_and_reply_to(settings):
    settings.DEFAULT_FROM_EMAIL = "Buyer portal <no-reply@jardins.test>"
    CompanySettings(name="Les Jardins SCCV", email_sender_name="Les Jardins").save()
    message = OutboxMessageFactory(html="<p>Hello Anna</p>", reply_to="sales@jardins.test")

    email = outbox_email_build(message=message)

    # The company's sender name, the configured address.
    assert email.from_email == "Les Jardins <no-reply@jardins.test>"
    assert email.to == ["anna@example.test"]
    assert email.reply_to == ["sales@jardins.test"]
    assert email.subject == "Your reservation"
    assert email.body == "Hello Anna, your reservation is confirmed."
    assert email.alternatives == [("<p>Hello Anna</p>", "text/html")]


def test_attachments_are_kept_in_storage_and_sent(mailoutbox, django_capture_on_commit_callbacks):
    default_storage.save("contracts/lot-12.pdf", ContentFile(b"%PDF-1.7 contract"))
    attachments = [
        OutboxAttachment(
            filename="Appel de fonds n°2.pdf", mimetype="application/pdf", content=b"%PDF-1.7 call"
        ),
        OutboxAttachment(
            filename="contract.pdf", mimetype="application/pdf", storage_path="contracts/lot-12.pdf"
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue_email(
            key="call:2",
            to="anna@example.test",
            subject="Call for funds",
            text="See attached.",
            attachments=attachments,
        )
    # The copy is what gets sent again later, whatever happens to the original.
    default_storage.delete("contracts/lot-12.pdf")

    message.refresh_from_db()
    assert [a["filename"] for a in message.attachments] == ["Appel de fonds n°2.pdf", "contract.pdf"]
    assert all(a["path"].startswith(f"outbox/{message.pk}/") for a in message.attachments)
    assert mailoutbox[0].attachments == [
        ("Appel de fonds n°2.pdf", b"%PDF-1.7 call", "application/pdf"),
        ("contract.pdf", b"%PDF-1.7 contract", "application/pdf"),
    ]
    assert outbox_email_build(message=message).attachments == mailoutbox[0].attachments


def test_an_attachment_needs_either_content_or_a_storage_path():
    with pytest.raises(ValueError):
        OutboxAttachment(filename="a.pdf", mimetype="application/pdf")
    with pytest.raises(ValueError):
        OutboxAttachment(filename="a.pdf", mimetype="application/pdf", content=b"x", storage_path="a.pdf")
