import logging
import uuid
from pathlib import Path

from django.utils import timezone

from portal.sms.base import SmsBackend

logger = logging.getLogger(__name__)


class ConsoleSmsBackend(SmsBackend):
    """Development backend: logs each SMS, and appends it to `log_path` when one is given."""

    def __init__(self, *, log_path: Path | None = None):
        self.log_path = log_path

    def send(self, to: str, text: str) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        logger.info("SMS to %s (%s): %s", to, message_id, text)
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(f"{timezone.now().isoformat()} {message_id} to {to}\n{text}\n\n")
        return message_id
