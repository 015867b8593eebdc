"""Email backends for the outbox tests, named in settings.EMAIL_BACKEND."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class CountingBackend(LocmemBackend):
    """Opens and closes like the SMTP backend, delivers to mail.outbox, and counts connections."""

    created = opened = closed = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).created += 1
        self.is_open = False

    @classmethod
    def reset(cls):
        cls.created = cls.opened = cls.closed = 0

    def open(self):
        if self.is_open:
            return False
        type(self).opened += 1
        self.is_open = True
        return True

    def close(self):
        if self.is_open:
            type(self).closed += 1
            self.is_open = False

    def send_messages(self, messages):
        # Like the SMTP backend: a connection opened here is closed here.
        created = self.open()
        try:
            return super().send_messages(messages)
        finally:
            if created:
                self.close()


class FailingBackend(LocmemBackend):
    """A mail server that accepts the connection and refuses every message for now."""

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
