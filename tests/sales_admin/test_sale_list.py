import pytest
from django.urls import reverse

from portal.branding.models import CompanySettings
from tests.factories import BuyerFactory, lots_make
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db

LIST = reverse("admin:sales_sale_changelist")


def test_each_row_shows_reference_lots_main_buyer_price_stage_and_advisor(client, world):
    from sales.services import sale_create

    main, co = (
        BuyerFactory(first_name="Marie", last_name="Curie"),
        BuyerFactory(first_name="Pierre", last_name="Curie"),
    )
    sale = sale_create(
        actor=world.anne,
        programme=world.a,
        lots=lots_make(world.a, 2, price="123456.78"),
        buyers=[main, co],
        advisor=world.anne,
    )
    client.force_login(world.anne)

    response = client.get(LIST)

    row = next(line for line in response.content.decode().split("<tr") if sale.reference in line)
    assert '<td class="field-lot_list">L001, L002</td>' in row
    assert '<td class="field-main_buyer">Marie Curie</td>' in row
    assert "€246,913.56" in row
    assert "Option" in row and "Anne Staff" in row


def test_searching_by_buyer_or_lot_number_finds_the_sale(client, world):
    wanted = sale_make(world.a, world.anne)
    other = sale_make(world.a, world.anne)
    client.force_login(world.anne)

    by_email = client.get(LIST, {"q": wanted.buyers.get().email}).content.decode()
    by_lot = client.get(LIST, {"q": wanted.lots.get().number}).content.decode()

    assert wanted.reference in by_email and other.reference not in by_email
    assert wanted.reference in by_lot and other.reference not in by_lot


def test_the_list_shows_as_many_rows_as_the_company_settings_say(client, world):
    CompanySettings.objects.create(pk=CompanySettings.SINGLETON_PK, rows_per_page=10)
    for _ in range(12):
        sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.get(LIST)

    assert len(response.context["cl"].result_list) == 10
