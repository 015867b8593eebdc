"""Attachments of outbox emails, copied into storage so a message can be sent again identically."""

from dataclasses import dataclass

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename


@dataclass(frozen=True)
class OutboxAttachment:
    """A file to attach: either its `content`, or the `storage_path` of a file in default storage."""

    filename: str
    mimetype: str
    content: bytes | None = None
    storage_path: str = ""

    def __post_init__(self) -> None:
        if (self.content is None) == (not self.storage_path):
            raise ValueError("An attachment needs either content or a storage_path, not both.")


def outbox_attachment_store(*, message_id: int, attachment: OutboxAttachment) -> dict[str, str]:
    """Copy the attachment under outbox/<message_id>/ and describe it for the message row."""
    content = attachment.content
    if content is None:
        # A copy, not a reference: the original may change or go away before a resend.
        with default_storage.open(attachment.storage_path, "rb") as source:
            content = source.read()
    path = default_storage.save(
        f"outbox/{message_id}/{_storage_name(attachment.filename)}", ContentFile(content)
    )
    return {"filename": attachment.filename, "mimetype": attachment.mimetype, "path": path}


def _storage_name(filename: str) -> str:
    # The name the recipient sees stays untouched in the row; only the stored name is cleaned.
    try:
        return get_valid_filename(filename)
    except SuspiciousFileOperation:
        return "attachment"


def outbox_attachment_read(*, path: str) -> bytes:
    with default_storage.open(path, "rb") as stored:
        return stored.read()
