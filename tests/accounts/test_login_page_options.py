from django.urls import reverse

from portal.branding.models import CompanySettings
from portal.outbox.models import OutboxMessage


def login_page(client) -> str:
    return client.get(reverse("account_login")).content.decode()


def test_the_login_page_follows_the_company_options(client, db):
    html = login_page(client)
    assert reverse("account_reset_password") in html
    assert reverse("account_signup") not in html

    CompanySettings.objects.update_or_create(
        pk=1, defaults={"signup_enabled": True, "password_reset_link_enabled": False}
    )
    html = login_page(client)
    assert reverse("account_reset_password") not in html
    assert reverse("account_signup") in html


def test_self_sign_up_is_closed_unless_the_company_opens_it(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert "closed" in response.content.decode().lower()
    assert not OutboxMessage.objects.exists()


def test_a_new_account_must_verify_its_email_through_an_outbox_message(client, db):
    CompanySettings.objects.update_or_create(pk=1, defaults={"signup_enabled": True})
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.recipients == ["new@example.test"]
    assert "/accounts/confirm-email/" in message.text
    assert "_auth_user_id" not in client.session  # not until the address is confirmed
