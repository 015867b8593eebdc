"""Writing emails and SMS to the outbox, and sending what it holds.

The only module that changes outbox rows. A message is written in the transaction of the change
that causes it and handed to a task once that transaction commits; a periodic sweep sends what
is due again or was left behind by a worker that died. A row is claimed with one conditional
UPDATE before it is sent, so two workers never send it both.
"""

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.outbox.attachments import OutboxAttachment, outbox_attachment_store
from portal.outbox.delivery import outbox_message_deliver
from portal.outbox.models import OutboxMessage
from portal.sms import SmsBackend, get_sms_backend
from portal.users.models import User

logger = logging.getLogger(__name__)

# Longer than any single send (SMTP and Twilio time out after 30 s), so a lease only runs out
# when its worker died.
LEASE = timedelta(minutes=10)
# The wait after the 1st, 2nd... failed attempt; the attempt after the last one is final.
BACKOFF = [timedelta(minutes=minutes) for minutes in (1, 5, 30, 120, 600)]
MAX_ATTEMPTS = len(BACKOFF) + 1
SWEEP_BATCH_SIZE = 100
# The sweep runs every minute; stopping before the next run keeps runs from piling up.
SWEEP_SECONDS = 50
ERROR_MAX_LENGTH = 2000


def outbox_enqueue_email(
    *,
    key: str,
    to: str | list[str],
    subject: str,
    text: str,
    html: str = "",
    attachments: list[OutboxAttachment] | None = None,
    reply_to: str = "",
    secret: bool = False,
) -> OutboxMessage:
    """Write an email to the outbox; it is sent once the current transaction commits.

    Asking again with the same `key` returns the first message and sends nothing more. A `secret`
    message (a link or code that opens an account) keeps its text only until it is sent.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients or not all(recipients):
        raise ValueError("An email needs at least one recipient.")
    fields = {
        "recipients": recipients,
        # A line break in a subject would make every attempt fail with BadHeaderError.
        "subject": " ".join(subject.split()),
        "text": text,
        "html": html,
        "reply_to": reply_to,
        "secret": secret,
    }
    return _outbox_enqueue(
        key=key, channel=OutboxMessage.Channel.EMAIL, fields=fields, attachments=attachments or []
    )


def outbox_enqueue_sms(*, key: str, to: str, text: str, secret: bool = False) -> OutboxMessage:
    """Write an SMS to the outbox; it is sent once the current transaction commits.

    Asking again with the same `key` returns the first message and sends nothing more; a `secret`
    one keeps its text only until it is sent.
    """
    if not to:
        raise ValueError("An SMS needs a phone number.")
    fields = {"recipients": [to], "text": text, "secret": secret}
    return _outbox_enqueue(key=key, channel=OutboxMessage.Channel.SMS, fields=fields, attachments=[])


def _outbox_enqueue(
    *, key: str, channel: str, fields: dict[str, Any], attachments: list[OutboxAttachment]
) -> OutboxMessage:
    with transaction.atomic():
        # get_or_create inserts inside a savepoint and, when a concurrent transaction inserted
        # the same key first (IntegrityError), re-reads that row: one key, one row, one send.
        message, created = OutboxMessage.objects.get_or_create(
            key=key, defaults={"channel": channel, **fields}
        )
        if not created:
            if message.channel != channel:
                raise ValueError(f"The outbox key {key!r} is already used by an {message.channel} message.")
            return message
        if attachments:
            # Stored files are not rolled back with the transaction: a rollback leaves orphans
            # under outbox/<id>/, never a row pointing at a missing file.
            message.attachments = [
                outbox_attachment_store(message_id=message.id, attachment=attachment)
                for attachment in attachments
            ]
            message.save(update_fields=["attachments", "updated_at"])
        _outbox_send_after_commit(message_ids=[message.id])
    return message


def _outbox_send_after_commit(*, message_ids: Iterable[int]) -> None:
    from portal.outbox.tasks import outbox_send  # the tasks module imports this one

    for message_id in message_ids:
        # robust: when the broker is unreachable the change that caused the message must still
        # succeed; the row stays ready and the sweep sends it. A function, not functools.partial:
        # Django logs the failed callback by its __qualname__, which a partial lacks.
        def send(message_id: int = message_id) -> None:
            outbox_send.delay(message_id)

        transaction.on_commit(send, robust=True)


def _outbox_claimable(*, now: datetime) -> Q:
    due = Q(state=OutboxMessage.State.READY, next_attempt_at__lte=now)
    abandoned = Q(state=OutboxMessage.State.SENDING, lease_until__lte=now, attempts__lt=MAX_ATTEMPTS)
    return due | abandoned


def outbox_claim(*, message_id: int) -> OutboxMessage | None:
    """Take the message for this worker for the length of a lease; None if it is not ours to send.

    It is not ours when it is sent, failed, not yet due, or leased by a worker still at work.
    """
    now = timezone.now()
    # One conditional UPDATE: the database lets exactly one worker move the row to sending.
    claimed = OutboxMessage.objects.filter(_outbox_claimable(now=now), pk=message_id).update(
        state=OutboxMessage.State.SENDING,
        lease_until=now + LEASE,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not claimed:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def outbox_send(*, message_id: int) -> bool:
    """Claim one message and send it; True when it went out now.

    Does nothing for a message that is sent, failed, not yet due, or being sent by another worker.
    """
    message = outbox_claim(message_id=message_id)
    if message is None:
        return False
    return _outbox_attempt(message=message)


def _outbox_attempt(
    *,
    message: OutboxMessage,
    connection: BaseEmailBackend | None = None,
    sms_backend: SmsBackend | None = None,
) -> bool:
    try:
        provider_id = outbox_message_deliver(message=message, connection=connection, sms_backend=sms_backend)
    except Exception as exc:  # any failure of the server or provider is retried later
        _outbox_record_failure(message=message, error=exc)
        return False
    now = timezone.now()
    # The attempt number fences the write: if our lease ran out and another worker claimed the
    # row meanwhile, that worker's outcome is the one that counts.
    OutboxMessage.objects.filter(
        pk=message.pk, state=OutboxMessage.State.SENDING, attempts=message.attempts
    ).update(
        state=OutboxMessage.State.SENT,
        sent_at=now,
        lease_until=None,
        provider_id=provider_id,
        updated_at=now,
        **(_outbox_removed(now=now, reason=_SECRET_SENT) if message.secret else {}),
    )
    if message.secret:
        _outbox_attachments_delete(message.attachments)
    return True


def _outbox_record_failure(*, message: OutboxMessage, error: Exception) -> None:
    now = timezone.now()
    final = message.attempts >= MAX_ATTEMPTS
    logger.warning(
        "Outbox message %s (%s) failed, attempt %s of %s",
        message.pk,
        message.key,
        message.attempts,
        MAX_ATTEMPTS,
        exc_info=error,
    )
    changes = {
        "state": OutboxMessage.State.FAILED if final else OutboxMessage.State.READY,
        "lease_until": None,
        "last_error": f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH],
        "updated_at": now,
    }
    if not final:
        changes["next_attempt_at"] = now + BACKOFF[message.attempts - 1]
    elif message.secret:
        # Given up: the link inside must not stay readable either; staff send a new one.
        changes.update(_outbox_removed(now=now, reason=_SECRET_SENT))
    updated = OutboxMessage.objects.filter(
        pk=message.pk, state=OutboxMessage.State.SENDING, attempts=message.attempts
    ).update(**changes)
    if updated and final and message.secret:
        _outbox_attachments_delete(message.attachments)


def outbox_sweep(*, batch_size: int = SWEEP_BATCH_SIZE, seconds: float = SWEEP_SECONDS) -> int:
    """Send what is due again and what a dead worker left behind; returns how many went out.

    Works in batches; the emails of a batch share one connection to the mail server.
    """
    deadline = time.monotonic() + seconds
    _outbox_fail_abandoned_last_attempts()
    channels = list(OutboxMessage.Channel)
    sent = 0
    while channels and time.monotonic() < deadline:
        batch = list(
            OutboxMessage.objects.filter(_outbox_claimable(now=timezone.now()), channel__in=channels)
            .order_by("next_attempt_at", "id")
            .values_list("id", "channel")[:batch_size]
        )
        if not batch:
            break
        batch_sent, email_down = _outbox_send_batch(batch=batch, deadline=deadline)
        sent += batch_sent
        if email_down:
            # The mail server is unreachable: leave the emails to the next sweep, go on with SMS.
            channels = [OutboxMessage.Channel.SMS]
        elif len(batch) < batch_size:
            break
    return sent


def _outbox_send_batch(*, batch: list[tuple[int, str]], deadline: float) -> tuple[int, bool]:
    connection = get_connection()
    connection_open = False
    email_down = False
    sms_backend = None
    sent = 0
    try:
        for message_id, channel in batch:
            if time.monotonic() > deadline:
                break
            is_email = channel == OutboxMessage.Channel.EMAIL
            if is_email and email_down:
                continue
            message = outbox_claim(message_id=message_id)
            if message is None:
                continue
            if is_email and not connection_open:
                try:
                    connection.open()
                except Exception as exc:  # unreachable server, refused login...
                    _outbox_record_failure(message=message, error=exc)
                    email_down = True
                    continue
                connection_open = True
            if not is_email and sms_backend is None:
                sms_backend = get_sms_backend()
            delivered = _outbox_attempt(
                message=message, connection=connection if is_email else None, sms_backend=sms_backend
            )
            if delivered:
                sent += 1
            elif is_email:
                # The failure may have broken the SMTP session; the next email opens a fresh one.
                connection.close()
                connection_open = False
    finally:
        if connection_open:
            connection.close()
    return sent, email_down


def _outbox_fail_abandoned_last_attempts() -> None:
    # A worker that died during the last allowed attempt would otherwise leave the row in
    # sending forever; a message that keeps killing its worker must not be retried endlessly.
    now = timezone.now()
    OutboxMessage.objects.filter(
        state=OutboxMessage.State.SENDING, lease_until__lte=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        state=OutboxMessage.State.FAILED,
        lease_until=None,
        last_error="The worker stopped during the last attempt.",
        updated_at=now,
    )


def outbox_resend(*, actor: User | None, message_ids: Iterable[int]) -> int:
    """Put sent or failed messages back in line with a fresh count of attempts; returns how many.

    Each is sent once the current transaction commits, and each resend is in the audit trail with
    who asked. Ready and sending messages are left alone.
    """
    now = timezone.now()
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update()
            .filter(
                pk__in=list(message_ids),
                state__in=[OutboxMessage.State.SENT, OutboxMessage.State.FAILED],
                # Its text is gone: sending it again would send the placeholder.
                purged_at__isnull=True,
            )
            .only("id", "key", "channel", "subject", "state", "attempts")
            .order_by("pk")
        )
        ids = [message.pk for message in messages]
        OutboxMessage.objects.filter(pk__in=ids).update(
            state=OutboxMessage.State.READY,
            attempts=0,
            next_attempt_at=now,
            lease_until=None,
            sent_at=None,
            updated_at=now,
        )
        for message in messages:
            audit_record(
                actor=actor,
                action="outbox.resent",
                obj=message,
                data={"state": [message.state, OutboxMessage.State.READY], "attempts": [message.attempts, 0]},
            )
        _outbox_send_after_commit(message_ids=ids)
    return len(ids)


# Removing texts: secrets once sent, everything after the retention period ----------------------

_SECRET_SENT = "secret"
_RETENTION = "retention"
PURGE_BATCH_SIZE = 500


def _outbox_removed(*, now: datetime, reason: str) -> dict[str, Any]:
    """The fields of a row whose text is removed; the key, recipients and subject stay."""
    if reason == _SECRET_SENT:
        text = _("This message carried a secret link or code; its text was removed once it was sent.")
    else:
        text = _("The text of this message was removed after the retention period.")
    return {"text": text, "html": "", "attachments": [], "purged_at": now}


def _outbox_attachments_delete(attachments: list[dict[str, str]]) -> None:
    # The row no longer points at them; a file already gone is no error.
    for attachment in attachments:
        default_storage.delete(attachment["path"])


def outbox_purge(
    *, now: datetime | None = None, days: int | None = None, batch_size: int = PURGE_BATCH_SIZE
) -> int:
    """Remove the text and attachments of sent or failed messages older than the retention period.

    Daily and idempotent: a purged row is never touched again. Returns how many were purged.
    """
    now = now or timezone.now()
    days = settings.OUTBOX_RETENTION_DAYS if days is None else days
    old = OutboxMessage.objects.filter(
        state__in=[OutboxMessage.State.SENT, OutboxMessage.State.FAILED],
        purged_at__isnull=True,
        created_at__lt=now - timedelta(days=days),
    )
    purged = 0
    while True:
        batch = list(old.order_by("id").values_list("id", "attachments")[:batch_size])
        if not batch:
            return purged
        with transaction.atomic():
            purged += OutboxMessage.objects.filter(
                pk__in=[pk for pk, _files in batch], purged_at__isnull=True
            ).update(updated_at=now, **_outbox_removed(now=now, reason=_RETENTION))
        for _pk, attachments in batch:
            _outbox_attachments_delete(attachments)
