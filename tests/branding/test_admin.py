import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get
from portal.users.roles import Role
from tests.branding.test_views import png_file
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("admin:branding_companysettings_change", args=[1])
ADD_URL = reverse("admin:branding_companysettings_add")
LIST_URL = reverse("admin:branding_companysettings_changelist")


@pytest.fixture(autouse=True)
def _no_totp_needed(settings, tmp_path):
    settings.STAFF_MFA_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(client, administrator):
    administrator.language = "en"  # pages follow the user's language; the assertions read English
    administrator.save()
    client.force_login(administrator)
    return client


def form_data(**overrides) -> dict:
    data = {
        "name": "Horizon Promotion",
        "legal_details": "SAS · RCS Lyon 812 345 678 · VAT FR12812345678 · 4 quai Saint-Vincent, 69001 Lyon",
        "primary_colour": "#1f4e79",
        "on_primary_colour": "#ffffff",
        "page_background_colour": "#ffffff",
        "page_text_colour": "#1a1a1a",
        "password_reset_link_enabled": "on",
        "rows_per_page": "50",
        "languages": ["fr", "en"],
    }
    data.update(overrides)
    return data


def test_the_list_leads_to_the_add_page_before_the_first_save(admin_client):
    assert admin_client.get(LIST_URL).url == ADD_URL


def test_the_list_leads_to_the_one_page_once_saved(admin_client):
    CompanySettings().save()

    assert admin_client.get(LIST_URL).url == CHANGE_URL


def test_the_page_renders_for_a_superuser(admin_client):
    CompanySettings(name="Horizon Promotion").save()

    response = admin_client.get(CHANGE_URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Horizon Promotion" in content
    assert "Colours" in content and "Login page" in content


def test_there_is_no_second_row_and_no_delete(admin_client):
    CompanySettings().save()

    assert admin_client.get(ADD_URL).status_code == 403
    assert admin_client.get(reverse("admin:branding_companysettings_delete", args=[1])).status_code == 403


def test_saving_changes_the_settings_every_page_reads(admin_client):
    CompanySettings().save()
    assert company_settings_get().rows_per_page == 25

    response = admin_client.post(CHANGE_URL, form_data(signup_enabled="on"))

    assert response.status_code == 302
    company = company_settings_get()
    assert (company.name, company.rows_per_page, company.signup_enabled) == ("Horizon Promotion", 50, True)
    assert company.languages == ["fr", "en"]
    entry = AuditEntry.objects.get(action="branding.settings_changed")
    assert entry.data["signup_enabled"] == [False, True]


def test_a_low_contrast_pair_is_refused_with_its_ratio(admin_client):
    CompanySettings().save()

    response = admin_client.post(CHANGE_URL, form_data(page_text_colour="#aaaaaa"))

    assert response.status_code == 200
    assert "Contrast between text and background is 2.32:1" in response.content.decode()
    assert CompanySettings.objects.get().page_text_colour == "#1a1a1a"


def test_rows_per_page_out_of_bounds_are_refused(admin_client):
    CompanySettings().save()

    response = admin_client.post(CHANGE_URL, form_data(rows_per_page="351"))

    assert "Rows per page must be between 10 and 350." in response.content.decode()
    assert CompanySettings.objects.get().rows_per_page == 25


def test_an_administrator_without_superuser_status_may_change_it(client):
    CompanySettings().save()
    client.force_login(make_user("admin-role@example.test", role=Role.ADMINISTRATOR))

    assert client.get(CHANGE_URL).status_code == 200


def test_sales_staff_may_not_open_it(client, sales):
    CompanySettings().save()
    client.force_login(sales)

    assert client.get(CHANGE_URL).status_code == 403


def test_the_first_save_creates_the_one_row(admin_client):
    page = admin_client.get(ADD_URL).content.decode()
    # Every language is offered until someone says otherwise.
    assert re.search(r'value="pl"[^>]* checked', page)

    response = admin_client.post(ADD_URL, form_data())

    assert response.url == CHANGE_URL
    assert CompanySettings.objects.get().name == "Horizon Promotion"


def test_a_logo_that_is_not_an_image_is_refused(admin_client):
    CompanySettings().save()
    fake = SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png")

    response = admin_client.post(CHANGE_URL, form_data(logo=fake))

    assert response.status_code == 200
    assert not CompanySettings.objects.get().logo


def test_an_uploaded_logo_is_served(admin_client):
    CompanySettings().save()

    admin_client.post(CHANGE_URL, form_data(logo=png_file()))

    assert admin_client.get(company_settings_get().logo_url).status_code == 200


def test_the_email_sender_name_is_set_on_the_page_and_falls_back_to_the_company_name(admin_client):
    CompanySettings(name="Horizon Promotion").save()
    assert company_settings_get().sender_name == "Horizon Promotion"

    response = admin_client.post(CHANGE_URL, form_data(email_sender_name="Horizon – Service clients"))

    assert response.status_code == 302
    assert company_settings_get().sender_name == "Horizon – Service clients"
    assert 'name="email_sender_name"' in admin_client.get(CHANGE_URL).content.decode()
