"""What the client-space pages show (SAL-7, SAL-8, PRG-3)."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from portal.branding.models import CompanySettings
from sales.models import SaleAssignment, Stage
from sales.services import sale_cancel, sale_move_stage
from tests.space import factories

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's words, tags stripped and spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_a_buyer_with_one_sale_sees_its_card_on_his_dashboard(client, anna, anna_sale):
    client.force_login(anna.user)
    response = client.get(reverse("space:dashboard"))
    assert response.status_code == 200
    words = text_of(response)
    assert "Les Jardins du Canal" in words
    assert "Apartment A001, Apartment A002" in words
    assert "Option" in words
    assert "Sign your reservation contract with your advisor before the hold ends." in words
    assert reverse("space:sale", args=[anna_sale.pk]) in response.content.decode()


def test_a_buyer_with_no_sale_is_told_so(client, boris):
    client.force_login(boris.user)
    assert "no purchase in your client space yet" in text_of(client.get(reverse("space:dashboard")))


def test_the_purchase_page_shows_lots_price_contract_and_contacts(client, anna, anna_sale, notary):
    client.force_login(anna.user)
    response = client.get(reverse("space:sale", args=[anna_sale.pk]))
    words = text_of(response)
    assert "My purchase at Les Jardins du Canal" in words
    assert "A001 Apartment — 1 45.50 m² 2" in words  # number, type, building, floor, surface, rooms
    assert "€420,000.00" in words  # both lots' prices, in the programme's currency
    assert "Off-plan sale (VEFA)" in words
    assert "RES-2025-0142" in words
    assert "Sam Advisor sam@example.test +33612345678" in words
    assert "Notary Paul Notaire notaire@example.test" in words
    assert "Anna Kowalska, Anna Kowalska" in words  # Bought by: Anna and Piotr (same test names)


def test_the_purchase_page_says_what_the_buyer_does_next(client, anna, anna_sale):
    sale_move_stage(actor=None, sale=anna_sale, target=Stage.RESERVATION_SIGNED, on_date=date(2025, 3, 4))
    client.force_login(anna.user)
    words = text_of(client.get(reverse("space:sale", args=[anna_sale.pk])))
    assert "What happens next" in words
    assert "You will receive your signed contract by registered letter" in words
    assert "Option Done Reservation signed Current stage · March 4, 2025 Withdrawal period To come" in words
    assert "Reservation signed on March 4, 2025" in words


def test_a_cancelled_sale_shows_where_it_stopped(client, anna, anna_sale):
    sale_move_stage(actor=None, sale=anna_sale, target=Stage.RESERVATION_SIGNED, on_date=date(2025, 3, 4))
    sale_cancel(actor=None, sale=anna_sale)
    client.force_login(anna.user)
    words = text_of(client.get(reverse("space:sale", args=[anna_sale.pk])))
    assert "Reservation signed Done · March 4, 2025 Withdrawal period Not reached" in words
    assert "Cancelled Sale ended" in words
    assert "This sale was cancelled." in words


def test_the_hold_is_shown_in_the_programmes_time_zone(client, anna, programme, anna_sale):
    programme.time_zone = "America/Guadeloupe"  # four hours behind UTC, six behind Paris in summer
    programme.save()
    anna_sale.hold_until = datetime(2025, 7, 1, 16, 0, tzinfo=UTC)
    anna_sale.save()
    client.force_login(anna.user)
    words = text_of(client.get(reverse("space:sale", args=[anna_sale.pk])))
    assert "Lot held until July 1, 2025, noon" in words
    assert "6 p.m." not in words


def test_a_notary_sees_the_file_with_the_buyers_contacts_and_no_advice_for_buyers(client, notary, anna_sale):
    client.force_login(notary)
    response = client.get(reverse("space:sale", args=[anna_sale.pk]))
    words = text_of(response)
    assert f"Sales file {anna_sale.reference}" in words
    assert "anna@example.test +33611111111" in words
    assert "piotr@example.test" in words
    assert "What happens next" not in words
    assert "Sign your reservation contract" not in words


def test_a_notary_lists_his_sales_files_page_by_page(client, programme, anna, other_notary):
    CompanySettings.objects.create(pk=1, name="Horizon", rows_per_page=10)
    lots = factories.lots_make(programme, 12)
    sales = [factories.sale_make(programme, [lot], [anna]) for lot in lots]
    factories.assign(sales, other_notary, SaleAssignment.Role.NOTARY)
    client.force_login(other_notary)

    first = client.get(reverse("space:dashboard"))
    second = client.get(reverse("space:dashboard"), {"page": 2})

    assert first.content.decode().count("<tr>") == 1 + 10
    assert "Page 1 of 2" in text_of(first)
    assert second.content.decode().count("<tr>") == 1 + 2
    assert "Anna Kowalska" in text_of(second)


@time_machine.travel(datetime(2025, 8, 15, 10, 0, tzinfo=UTC), tick=False)
def test_the_calendar_says_done_expected_or_planned_and_never_to_come_for_a_past_date(
    client, anna, programme, anna_sale
):
    factories.milestones_make(programme, reached=2)  # planned on the 1st of every other month from January
    client.force_login(anna.user)
    response = client.get(reverse("space:calendar", args=[anna_sale.pk]))
    words = text_of(response)
    assert '<ol class="milestones">' in response.content.decode()
    assert (
        "Sales launch Done Done on Jan. 5, 2025 "
        "Works start Done Done on March 5, 2025 "
        "Foundations completed Not confirmed yet Expected on May 1, 2025, not confirmed yet "
        "Weather-tight Not confirmed yet Expected on July 1, 2025, not confirmed yet "
        "Completion of works To come Planned for Sept. 1, 2025 "
        "Delivery To come Planned for Nov. 1, 2025"
    ) in words


def test_the_calendar_gives_one_delivery_date_the_milestone_s_over_the_programme_s(
    client, anna, programme, anna_sale
):
    programme.delivery_date = date(2026, 6, 30)
    programme.save(update_fields=["delivery_date"])
    client.force_login(anna.user)
    url = reverse("space:calendar", args=[anna_sale.pk])
    assert "Planned delivery: June 30, 2026." in text_of(client.get(url))
    factories.milestones_make(programme, reached=0)  # delivery planned on Nov. 1, 2025
    words = text_of(client.get(url))
    assert "Delivery" in words and "Nov. 1, 2025" in words
    assert "June 30, 2026" not in words
    # The purchase page gives the same date as the calendar.
    words = text_of(client.get(reverse("space:sale", args=[anna_sale.pk])))
    assert "Planned delivery Nov. 1, 2025" in words
    assert "June 30, 2026" not in words


def test_every_page_links_the_account_page(client, anna, anna_sale):
    client.force_login(anna.user)
    for url in [
        reverse("space:dashboard"),
        reverse("space:sale", args=[anna_sale.pk]),
        reverse("space:reserve"),
    ]:
        assert f'href="{reverse("account")}"' in client.get(url).content.decode()
