import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get

pytestmark = pytest.mark.django_db

ONE_YEAR = "max-age=31536000"


def png_file(name: str = "logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "#1f4e79").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_stylesheet_shows_the_company_colours(client):
    CompanySettings(
        primary_colour="#123456",
        on_primary_colour="#ffffff",
        page_background_colour="#fafafa",
        page_text_colour="#222222",
    ).save()

    response = client.get("/branding.css")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    assert "--brand-primary: #123456;" in css
    assert "--brand-on-primary: #ffffff;" in css
    assert "--page-bg: #fafafa;" in css
    assert "--page-text: #222222;" in css
    assert "--login-bg-image: none;" in css


def test_the_current_stylesheet_may_be_kept_a_year(client):
    company = company_settings_get()

    response = client.get(f"/branding.css?v={company.version}")

    assert ONE_YEAR in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


def test_an_unversioned_stylesheet_is_kept_only_minutes(client):
    response = client.get("/branding.css")

    assert "max-age=300" in response["Cache-Control"]


def test_the_stylesheet_costs_no_query_once_cached(client, django_assert_num_queries):
    CompanySettings(primary_colour="#123456").save()
    company_settings_get()

    with django_assert_num_queries(0):
        response = client.get("/branding.css")

    assert "#123456" in response.content.decode()


def test_the_login_background_reaches_the_stylesheet(client):
    CompanySettings(login_background=png_file("background.png")).save()
    company = company_settings_get()

    css = client.get("/branding.css").content.decode()

    assert f'--login-bg-image: url("/branding/background?v={company.version}");' in css


def test_the_logo_is_served_from_private_storage_without_a_query(client, django_assert_num_queries):
    upload = png_file()
    CompanySettings(logo=upload).save()
    company = company_settings_get()
    assert company.logo_url == f"/branding/logo?v={company.version}"

    with django_assert_num_queries(0):
        response = client.get(company.logo_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert ONE_YEAR in response["Cache-Control"]
    upload.seek(0)
    assert b"".join(response.streaming_content) == upload.read()


def test_the_background_is_served(client):
    CompanySettings(login_background=png_file("background.png")).save()

    response = client.get("/branding/background")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_without_a_logo_there_is_nothing_to_serve(client):
    CompanySettings().save()

    assert client.get("/branding/logo").status_code == 404
    assert company_settings_get().logo_url == ""


def test_a_logo_missing_from_storage_answers_404(client):
    CompanySettings(logo="branding/gone.png").save()

    assert client.get("/branding/logo").status_code == 404
