import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.branding.models import CompanySettings

pytestmark = pytest.mark.django_db


def errors_of(company: CompanySettings) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        company.full_clean()
    return caught.value.message_dict


def test_the_defaults_are_valid():
    CompanySettings().full_clean()


def test_low_contrast_page_text_is_refused_with_the_measured_ratio():
    errors = errors_of(CompanySettings(page_text_colour="#aaaaaa", page_background_colour="#ffffff"))

    assert errors["page_text_colour"] == [
        "Contrast between text and background is 2.32:1; it must be at least 4.5:1."
    ]


def test_low_contrast_text_on_primary_is_refused_with_the_measured_ratio():
    errors = errors_of(CompanySettings(primary_colour="#777777", on_primary_colour="#ffffff"))

    assert "4.47:1" in errors["on_primary_colour"][0]
    assert "page_text_colour" not in errors


def test_enough_contrast_is_accepted():
    CompanySettings(primary_colour="#767676", on_primary_colour="#ffffff").full_clean()


def test_a_colour_must_be_written_as_rrggbb():
    errors = errors_of(CompanySettings(primary_colour="blue"))

    assert errors["primary_colour"] == ["Enter a colour as #rrggbb, for example #1f4e79."]


@pytest.mark.parametrize("rows", [9, 351])
def test_rows_per_page_outside_10_to_350_are_refused(rows):
    errors = errors_of(CompanySettings(rows_per_page=rows))

    assert errors["rows_per_page"] == ["Rows per page must be between 10 and 350."]


@pytest.mark.parametrize("rows", [10, 350])
def test_rows_per_page_at_the_bounds_are_accepted(rows):
    CompanySettings(rows_per_page=rows).full_clean()


def test_at_least_one_language_is_offered():
    assert errors_of(CompanySettings(languages=[]))["languages"] == ["Offer at least one language."]


def test_only_languages_of_the_installation_are_offered():
    assert errors_of(CompanySettings(languages=["fr", "de"]))["languages"] == ["Unknown language: de."]


def test_there_is_only_ever_one_row():
    CompanySettings(name="First").save()
    CompanySettings(name="Second").save()

    assert list(CompanySettings.objects.values_list("pk", "name")) == [(1, "Second")]


def test_a_logo_larger_than_2_mb_is_refused():
    big = SimpleUploadedFile("logo.png", b"x" * (2 * 1024 * 1024 + 1), content_type="image/png")

    assert errors_of(CompanySettings(logo=big))["logo"] == ["The file is too large: at most 2 MB."]


def test_a_logo_must_be_an_image_every_browser_shows():
    svg = SimpleUploadedFile("logo.svg", b"<svg/>", content_type="image/svg+xml")

    assert "logo" in errors_of(CompanySettings(logo=svg))
