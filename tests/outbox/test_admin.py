import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.outbox.models import OutboxMessage
from portal.users.models import User
from portal.users.roles import Role
from tests.conftest import make_user
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:outbox_outboxmessage_changelist")


@pytest.fixture
def superuser(client, settings):
    # The admin asks staff for TOTP first; these tests are about the outbox pages.
    settings.STAFF_MFA_REQUIRED = False
    user = User.objects.create_superuser(email="boss@example.test", password="secret-pass-42", language="en")
    client.force_login(user)
    return user


def resend(client, rows):
    return client.post(
        CHANGELIST,
        {"action": "resend", "_selected_action": [row.pk for row in rows], "index": 0},
        follow=True,
    )


def test_resend_puts_sent_and_failed_messages_back_in_line(
    client, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    failed = OutboxMessageFactory(
        state=OutboxMessage.State.FAILED, attempts=6, last_error="SMTPDataError: 451"
    )
    sent = OutboxMessageFactory(state=OutboxMessage.State.SENT, attempts=2)
    leased = OutboxMessageFactory(state=OutboxMessage.State.SENDING, attempts=1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = resend(client, [failed, sent, leased])

    assert response.status_code == 200
    assert "2 messages will be sent again." in response.content.decode()
    assert len(callbacks) == 2
    assert len(mailoutbox) == 2
    for row in (failed, sent):
        row.refresh_from_db()
        assert (row.state, row.attempts) == (OutboxMessage.State.SENT, 1)
    leased.refresh_from_db()
    assert (leased.state, leased.attempts) == (OutboxMessage.State.SENDING, 1)


def test_staff_other_than_administrators_neither_read_nor_resend_the_outbox(client, settings, mailoutbox):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(make_user("accounts@example.test", role=Role.ACCOUNTANT))
    failed = OutboxMessageFactory(state=OutboxMessage.State.FAILED, attempts=6)

    assert client.get(CHANGELIST).status_code == 403
    resend(client, [failed])

    failed.refresh_from_db()
    assert failed.state == OutboxMessage.State.FAILED
    assert mailoutbox == []


def test_messages_cannot_be_added_changed_or_deleted_by_hand(client, superuser):
    row = OutboxMessageFactory()

    assert client.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403
    assert client.get(reverse("admin:outbox_outboxmessage_delete", args=[row.pk])).status_code == 403
    detail = client.get(reverse("admin:outbox_outboxmessage_change", args=[row.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert "Hello Anna, your reservation is confirmed." in detail.content.decode()


def test_the_list_filters_and_searches_by_recipient(client, superuser):
    OutboxMessageFactory(recipients=["anna@example.test"], subject="For Anna")
    OutboxMessageFactory(recipients=["marc@example.test"], subject="For Marc")
    OutboxMessageFactory(channel=OutboxMessage.Channel.SMS, recipients=["+33612345678"], subject="")

    found = client.get(CHANGELIST, {"q": "marc@"})
    emails = client.get(CHANGELIST, {"channel__exact": "email"})

    assert [row.subject for row in found.context["cl"].result_list] == ["For Marc"]
    assert {row.channel for row in emails.context["cl"].result_list} == {"email"}
    assert emails.context["cl"].result_count == 2


def test_the_list_costs_the_same_queries_for_ten_times_more_messages(client, superuser):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHANGELIST).status_code == 200
        # The list never loads the bodies, whatever their weight.
        assert not any('"outbox_outboxmessage"."html"' in query["sql"] for query in queries.captured_queries)
        return len(queries)

    OutboxMessageFactory.create_batch(3)
    count_queries()  # the first page of a session also writes the session
    small = count_queries()
    OutboxMessageFactory.create_batch(27)
    large = count_queries()

    assert large == small
    assert small <= 12
