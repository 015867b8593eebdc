import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portal.access import can, is_administrator, is_staff_member
from portal.money import money_format, money_round
from portal.pdf import pdf_render
from portal.timezones import in_zone, local_day_start


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (Decimal("1234.5"), "EUR", "fr", "1\u202f234,50\xa0€"),
        (Decimal("1234.5"), "EUR", "en", "€1,234.50"),
        (Decimal("1234.5"), "PLN", "pl", "1\xa0234,50\xa0zł"),
    ],
)
def test_money_is_formatted_per_language_and_currency(amount, currency, language, expected):
    assert money_format(amount, currency, language) == expected


def test_money_rounds_half_up_to_the_cent():
    assert money_round("10.005") == Decimal("10.01")
    assert money_round(Decimal("0.004")) == Decimal("0.00")


def test_datetimes_are_shown_in_the_programmes_zone():
    instant = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    assert in_zone(instant, "Europe/Warsaw").strftime("%Y-%m-%d %H:%M") == "2026-07-02 00:30"
    assert local_day_start(date(2026, 1, 15), "Europe/Paris").isoformat() == "2026-01-15T00:00:00+01:00"
    with pytest.raises(ValueError):
        in_zone(datetime(2026, 1, 1), "Europe/Paris")


def test_a_pdf_has_the_company_header_page_numbers_and_the_content(db):
    from portal.branding.models import CompanySettings

    CompanySettings.objects.update_or_create(pk=1, defaults={"name": "Horizon Habitat"})
    pdf = pdf_render(template_name="pdf/sample.html", context={"lines": range(120)}, language="en")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    assert "Horizon Habitat" in first
    assert f"Page 1 / {len(reader.pages)}" in first
    assert "Line 119" in reader.pages[-1].extract_text()
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4


def test_roles_answer_who_may_do_what(administrator, sales, buyer):
    assert is_administrator(administrator) and not is_administrator(sales)
    assert is_staff_member(sales) and not is_staff_member(buyer)
    assert can(sales, "sales.change_sale") and not can(sales, "users.view_user")
    assert not can(buyer, "sales.view_sale")


def test_the_roles_exist_as_groups_after_migrating(db):
    from django.contrib.auth.models import Group

    from portal.users.roles import Role

    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
    accountant = Group.objects.get(name=Role.ACCOUNTANT.value)
    assert accountant.permissions.filter(codename="view_sale").exists()
    assert not accountant.permissions.filter(codename="view_outboxmessage").exists()


def test_the_in_timezone_filter_keeps_the_programmes_zone_through_the_date_filter(settings):
    from django.template import Context, Template

    settings.TIME_ZONE = "Europe/Paris"
    rendered = Template('{% load portal %}{{ at|in_timezone:"America/New_York"|date:"H:i" }}').render(
        Context({"at": datetime(2026, 1, 15, 12, 0, tzinfo=UTC)})
    )
    assert rendered == "07:00"
