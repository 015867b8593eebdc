import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.branding.models import CompanySettings
from portal.texts.models import MessageTemplate
from portal.texts.services import texts_render

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:texts_messagetemplate_add")


@pytest.fixture(autouse=True)
def _no_totp_needed(settings):
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture
def admin_client(client, administrator):
    administrator.language = "en"  # pages follow the user's language; the assertions read English
    administrator.save()
    client.force_login(administrator)
    return client


@pytest.fixture
def edited():
    CompanySettings(name="Horizon Promotion").save()
    return MessageTemplate.objects.create(
        kind="payment_request",
        language="en",
        channel="email",
        subject="Please pay {amount}",
        text="Dear {buyer_name}, pay {reference} here: {link}",
        html="<p>Dear {buyer_name}, <a href='{link}'>pay</a></p>",
    )


def post_data(**overrides) -> dict:
    return {
        "kind": "login_code",
        "language": "en",
        "channel": "email",
        "subject": "Code",
        "text": "{code}",
        "html": "",
    } | overrides


def test_an_unknown_placeholder_is_refused_on_the_add_form(admin_client):
    response = admin_client.post(ADD_URL, post_data(text="Your code is {foo}"))

    assert response.status_code == 200
    assert (
        "Unknown placeholder {foo}. Available: {user_name}, {code}, {link}, {company_name}, {button}."
        in response.content.decode()
    )
    assert not MessageTemplate.objects.exists()


def test_a_valid_text_is_saved_audited_and_used(admin_client):
    response = admin_client.post(ADD_URL, post_data(subject="Your code, {user_name}"))

    assert response.status_code == 302
    template = MessageTemplate.objects.get()
    assert AuditEntry.objects.filter(action="texts.template_created", object_id=str(template.pk)).exists()
    assert (
        texts_render(kind="login_code", language="en", values={"user_name": "Anna"}).subject
        == "Your code, Anna"
    )


def test_the_change_page_lists_the_placeholders_and_previews_with_the_samples(admin_client, edited):
    response = admin_client.get(reverse("admin:texts_messagetemplate_change", args=[edited.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<code>{reference}</code>" in content
    assert "Reference of the request (invoice or contract number)" in content
    assert "Please pay 2 500,00 €" in content
    assert "Dear Anna Kowalska, pay RES-2025-0142 here: https://portal.example.com/l/3F9kQ2" in content
    assert reverse("admin:texts_messagetemplate_preview", args=[edited.pk]) in content


def test_the_preview_follows_the_text_being_edited(admin_client, edited):
    url = reverse("admin:texts_messagetemplate_change", args=[edited.pk])

    response = admin_client.post(url, {"subject": "Pay now {buyer_name}", "text": "{nope}", "html": ""})

    content = response.content.decode()
    assert "Unknown placeholder {nope}." in content
    assert "Pay now Anna Kowalska" in content


def test_the_html_preview_is_a_sandboxed_page(admin_client, edited):
    response = admin_client.get(reverse("admin:texts_messagetemplate_preview", args=[edited.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    # The body staff wrote, with the samples, inside the company's email layout.
    assert "Dear Anna Kowalska, <a " in content
    assert "href='https://portal.example.com/l/3F9kQ2'>pay</a></p>" in content
    assert 'class="email-footer"' in content
    assert "sandbox" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none' forbids scripts
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_create_from_default_fills_the_add_form(admin_client):
    response = admin_client.get(ADD_URL, {"kind": "login_code", "language": "pl", "channel": "email"})

    content = response.content.decode()
    assert "Twój kod logowania – {company_name}" in content
    assert "Create from default" in content


def test_the_add_form_starts_empty_without_a_default_chosen(admin_client):
    content = admin_client.get(ADD_URL).content.decode()

    assert "Twój kod" not in content and "Your login code" not in content


def test_which_text_a_row_replaces_cannot_change(admin_client, edited):
    url = reverse("admin:texts_messagetemplate_change", args=[edited.pk])

    admin_client.post(url, {"kind": "login_code", "language": "fr", "subject": "{amount}", "text": "{link}"})

    edited.refresh_from_db()
    assert (edited.kind, edited.language, edited.subject) == ("payment_request", "en", "{amount}")


def test_deleting_a_text_brings_the_default_back(admin_client, edited):
    texts_render(kind="payment_request", language="en", values={})
    url = reverse("admin:texts_messagetemplate_delete", args=[edited.pk])

    admin_client.post(url, {"post": "yes"})

    assert not MessageTemplate.objects.exists()
    assert texts_render(kind="payment_request", language="en", values={}).subject.startswith(
        "Payment request"
    )
    assert AuditEntry.objects.filter(action="texts.template_deleted").exists()


def test_sales_staff_may_not_edit_texts(client, sales, edited):
    client.force_login(sales)

    assert client.get(reverse("admin:texts_messagetemplate_change", args=[edited.pk])).status_code == 403
    assert client.get(reverse("admin:texts_messagetemplate_preview", args=[edited.pk])).status_code == 403
