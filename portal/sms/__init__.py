"""Sending SMS: one small interface (`SmsBackend`), chosen by settings.SMS_BACKEND."""

from pathlib import Path

from django.conf import settings

from portal.sms.base import SmsBackend
from portal.sms.console import ConsoleSmsBackend


def get_sms_backend() -> SmsBackend:
    """The backend the settings ask for: "twilio" in production, "console" otherwise."""
    if settings.SMS_BACKEND == "twilio":
        # Imported here so the console backend, and the quick start, never load the Twilio client.
        from portal.sms.twilio import TwilioSmsBackend

        return TwilioSmsBackend(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            sender=settings.SMS_SENDER,
        )
    # The quick start keeps a file of the SMS it "sent", so a developer can read the codes.
    log_path = Path(settings.VAR_DIR) / "sms.log" if settings.QUICKSTART else None
    return ConsoleSmsBackend(log_path=log_path)


__all__ = ["ConsoleSmsBackend", "SmsBackend", "get_sms_backend"]
