"""The production SMS backend. This is the only module that imports `twilio`."""

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from portal.sms.base import SmsBackend

# Without a timeout a hung connection would hold a worker, and the message's lease, forever.
TIMEOUT_SECONDS = 30


class TwilioSmsBackend(SmsBackend):
    def __init__(
        self, *, account_sid: str, auth_token: str, sender: str, http_client: HttpClient | None = None
    ):
        self.sender = sender
        self.client = Client(
            account_sid, auth_token, http_client=http_client or TwilioHttpClient(timeout=TIMEOUT_SECONDS)
        )

    def send(self, to: str, text: str) -> str:
        # Raises TwilioRestException when Twilio refuses the message; the outbox retries it.
        message = self.client.messages.create(to=to, from_=self.sender, body=text)
        return message.sid
