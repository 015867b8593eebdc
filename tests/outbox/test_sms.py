import json

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response

from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_enqueue_sms
from portal.sms import ConsoleSmsBackend, get_sms_backend
from portal.sms.twilio import TwilioSmsBackend

ACCOUNT_SID = "AC" + "0" * 32
MESSAGE_SID = "SM" + "1" * 32


class RecordingHttpClient(HttpClient):
    """Twilio's HTTP seam: records each request and answers what Twilio answers, offline."""

    def __init__(self, status=201, body=None):
        super().__init__(logger=None, is_async=False)
        self.requests = []
        self.status = status
        self.body = body

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        body = self.body or {
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "body": data["Body"],
            "date_created": "Mon, 02 Mar 2026 09:00:00 +0000",
            "date_sent": None,
            "date_updated": "Mon, 02 Mar 2026 09:00:00 +0000",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": data["From"],
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "EUR",
            "sid": MESSAGE_SID,
            "status": "queued",
            "to": data["To"],
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MESSAGE_SID}.json",
        }
        return Response(self.status, json.dumps(body))


def twilio_backend(http_client):
    return TwilioSmsBackend(
        account_sid=ACCOUNT_SID, auth_token="token-42", sender="+33700000000", http_client=http_client
    )


def test_the_twilio_backend_posts_the_message_and_returns_its_sid():
    http = RecordingHttpClient()

    message_id = twilio_backend(http).send("+33612345678", "Your code: 123456")

    assert message_id == MESSAGE_SID
    [request] = http.requests
    assert request["method"] == "POST"
    assert request["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["auth"] == (ACCOUNT_SID, "token-42")
    assert request["data"] == {"From": "+33700000000", "To": "+33612345678", "Body": "Your code: 123456"}


def test_the_twilio_backend_raises_when_twilio_refuses_the_number():
    refusal = {"code": 21211, "message": "The 'To' number +3361 is not a valid phone number.", "status": 400}
    http = RecordingHttpClient(status=400, body=refusal)

    with pytest.raises(TwilioRestException) as error:
        twilio_backend(http).send("+3361", "Hi")

    assert error.value.code == 21211


def test_the_settings_choose_twilio(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT_SID, "token-42"
    settings.SMS_SENDER = "+33700000000"

    backend = get_sms_backend()

    assert isinstance(backend, TwilioSmsBackend)
    assert backend.sender == "+33700000000"
    assert backend.client.username == ACCOUNT_SID
    # A hung connection must not hold a worker forever.
    assert backend.client.http_client.timeout == 30


def test_the_quick_start_console_backend_logs_and_keeps_a_file(settings, caplog):
    settings.SMS_BACKEND, settings.QUICKSTART = "console", True
    backend = get_sms_backend()

    with caplog.at_level("INFO", logger="portal.sms.console"):
        message_id = backend.send("+33612345678", "Your code: 123456")

    assert isinstance(backend, ConsoleSmsBackend)
    assert message_id.startswith("console-")
    assert "+33612345678" in caplog.text and "Your code: 123456" in caplog.text
    log = (settings.VAR_DIR / "sms.log").read_text()
    assert message_id in log and "to +33612345678\nYour code: 123456" in log


def test_the_console_backend_keeps_no_file_outside_the_quick_start(settings):
    settings.SMS_BACKEND, settings.QUICKSTART = "console", False

    get_sms_backend().send("+33612345678", "Hi")

    assert not (settings.VAR_DIR / "sms.log").exists()


@pytest.mark.django_db
def test_an_sms_goes_out_through_the_configured_backend(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue_sms(key="code:1", to="+33612345678", text="Your code: 123456")

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.provider_id.startswith("console-")
    assert message.provider_id in (settings.VAR_DIR / "sms.log").read_text()
