import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from portal.outbox.models import OutboxMessage
from tests.conftest import make_user
from tests.totp import totp_activate

PASSWORD = "secret-pass-42"


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_buyer_logs_in_by_email_and_password(client, buyer):
    response = login(client, buyer.email)
    assert response.status_code == 302
    assert client.get(reverse("account")).status_code == 200


def test_a_wrong_password_is_refused_in_words(client, buyer):
    response = login(client, buyer.email, "wrong")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()


def test_the_sixth_wrong_password_in_a_row_is_refused_by_the_rate_limit(client, buyer):
    for _attempt in range(5):
        response = login(client, buyer.email, "wrong")
        assert "Too many failed login attempts" not in response.content.decode()
    response = login(client, buyer.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_page_has_no_usernames_and_labelled_fields(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert 'name="login"' in html and 'type="email"' in html
    assert re.search(r'<label for="id_login"', html)
    assert 'href="#main"' in html  # skip link


def test_login_by_code_sends_the_code_through_the_outbox_in_the_users_language(client, buyer):
    buyer.language = "en"
    buyer.save()
    response = client.post(reverse("account_request_login_code"), {"email": buyer.email})
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.recipients == [buyer.email]
    assert "Here is your code" in message.text
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", message.text).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(buyer.pk)


def test_a_password_reset_email_goes_out_in_the_users_language(
    client, buyer, mailoutbox, django_capture_on_commit_callbacks
):
    buyer.language = "pl"
    buyer.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": buyer.email})
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert "hasł" in (mailoutbox[0].subject + mailoutbox[0].body).lower()


def test_a_staff_member_without_totp_cannot_open_the_admin(client, sales):
    client.force_login(sales)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_a_staff_member_with_totp_opens_the_admin(client, sales):
    totp_activate(sales)
    assert Authenticator.objects.filter(user=sales, type=Authenticator.Type.TOTP).exists()
    client.force_login(sales)
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_buyer_cannot_open_the_admin(client, buyer):
    client.force_login(buyer)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


@pytest.fixture
def short_staff_sessions(settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 30 * 60
    settings.STAFF_SESSION_MAX_SECONDS = 60 * 60
    settings.STAFF_MFA_REQUIRED = False


def test_a_staff_session_ends_after_thirty_idle_minutes(client, sales, short_staff_sessions):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as traveller:
        client.force_login(sales)
        assert client.get("/admin/").status_code == 200
        traveller.shift(29 * 60)
        assert client.get("/admin/").status_code == 200
        traveller.shift(31 * 60)
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_staff_session_ends_after_its_maximum_length_even_when_active(client, sales, short_staff_sessions):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as traveller:
        client.force_login(sales)
        for _step in range(3):
            assert client.get("/admin/").status_code == 200
            traveller.shift(20 * 60)
        assert client.get("/admin/").status_code == 200  # 60 minutes in: still the limit
        traveller.shift(2 * 60)
        response = client.get("/admin/")
    assert response.status_code == 302


def test_a_buyers_session_is_not_cut_after_thirty_minutes(client, buyer):
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as traveller:
        client.force_login(buyer)
        traveller.shift(2 * 60 * 60)
        assert client.get(reverse("account")).status_code == 200


def test_a_user_sees_his_sessions_and_can_end_the_others(client, buyer):
    other = type(client)()
    login(other, buyer.email)
    login(client, buyer.email)
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert page.content.decode().count("<tr") >= 3  # header + two sessions
    client.post(reverse("usersessions_list"), {})
    assert other.get(reverse("account")).status_code == 302
    assert client.get(reverse("account")).status_code == 200


def test_the_language_of_the_user_drives_his_pages(client, db):
    user = make_user("pl@example.test", language="pl")
    client.force_login(user)
    html = client.get(reverse("account")).content.decode()
    assert '<html lang="pl">' in html
    assert "Moje konto" in html
