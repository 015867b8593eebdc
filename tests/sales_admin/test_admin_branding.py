"""The back-office in the company's name, logo and colours (templates/admin/base_site.html)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get
from portal.templatetags.admin_brand import brand_links_readable

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def company(**fields) -> CompanySettings:
    CompanySettings.objects.update_or_create(pk=CompanySettings.SINGLETON_PK, defaults=fields)
    return company_settings_get()


def test_the_back_office_is_titled_and_headed_with_the_company_name(client, world):
    company(name="Horizon Habitat")
    client.force_login(world.anne)

    page = client.get(reverse("admin:index")).text

    assert "<title>Site administration | Horizon Habitat · Back-office</title>" in page
    assert '<span class="brand-company">Horizon Habitat</span>' in page
    assert reverse("branding_css") + "?v=" in page
    assert "/static/css/admin.css" in page


def test_the_logo_shows_in_the_header_once_uploaded(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.anne)
    assert 'class="brand-logo"' not in client.get(reverse("admin:index")).text

    settings_row = company(name="Horizon Habitat")
    settings_row.logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    settings_row.save()

    page = client.get(reverse("admin:index")).text
    assert f'<img class="brand-logo" src="{company_settings_get().logo_url}" alt="">' in page


@pytest.mark.parametrize(
    "primary,readable",
    [("#1f4e79", True), ("#7a1f3d", True), ("#f5dd5d", False), ("#79aec8", False), ("nonsense", False)],
)
def test_links_take_the_primary_colour_only_if_it_reads_on_white(primary, readable):
    assert brand_links_readable(CompanySettings(primary_colour=primary)) is readable
