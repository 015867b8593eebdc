import json

import pytest
from django.urls import reverse

from programmes.models import Building, Lot
from tests.factories import ProgrammeFactory, lots_make
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries, sale_make

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:programmes_lot_changelist")


def change_url(lot) -> str:
    return reverse("admin:programmes_lot_change", args=[lot.pk])


def lot_form(lot, **overrides) -> dict:
    data = {
        "building": lot.building_id or "",
        "number": lot.number,
        "type": lot.type,
        "floor": "2",
        "surface": "64.50",
        "rooms": "3",
        "price": "245000.00",
    }
    data.update(overrides)
    return data


@pytest.fixture
def lots(world):
    building_a = Building.objects.create(programme=world.a, name="Alpha")
    building_b = Building.objects.create(programme=world.b, name="Bravo")
    a = Lot.objects.create(programme=world.a, building=building_a, number="A101", price="200000.00")
    b = Lot.objects.create(programme=world.b, building=building_b, number="B202", price="300000.00")
    return a, b


def test_staff_see_only_their_programmes_lots(client, world, lots):
    client.force_login(world.anne)

    content = client.get(LIST_URL).content.decode()

    assert "A101" in content
    assert "B202" not in content


def test_the_filters_offer_only_their_programmes_and_buildings(client, world, lots):
    # A filter with a single choice is not shown: Anne works on a second programme.
    other = ProgrammeFactory(name="Programme CCC", code="ccc")
    other.staff.add(world.anne)
    client.force_login(world.anne)

    response = client.get(LIST_URL)

    [programme_filter, building_filter] = [
        spec for spec in response.context["cl"].filter_specs if str(spec.title) in {"programme", "building"}
    ]
    assert [label for _pk, label in programme_filter.lookup_choices] == [world.a.name, other.name]
    assert [label for _pk, label in building_filter.lookup_choices] == [f"{world.a.name} – Alpha"]
    content = response.content.decode()
    assert world.b.name not in content and "Bravo" not in content


def test_filtering_on_another_programme_shows_no_lot_of_it(client, world, lots):
    client.force_login(world.anne)

    response = client.get(LIST_URL, {"programme__id__exact": world.b.pk})

    assert "B202" not in response.content.decode()


def test_the_lot_autocomplete_answers_only_their_programmes(client, world, lots):
    client.force_login(world.anne)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "sales", "model_name": "salelot", "field_name": "lot", "term": ""},
    )

    assert response.status_code == 200
    assert [row["text"] for row in json.loads(response.content)["results"]] == ["AAA A101"]


def test_another_programmes_lot_does_not_open(client, world, lots):
    client.force_login(world.anne)

    response = client.get(change_url(lots[1]))
    history = client.get(reverse("admin:programmes_lot_history", args=[lots[1].pk]))

    assert (response.status_code, history.status_code) == (404, 404)
    assert "300,000" not in response.content.decode() and "Bravo" not in response.content.decode()


def test_a_lots_building_can_only_be_one_of_their_programmes(client, world, lots):
    client.force_login(world.anne)
    other_building = Building.objects.get(name="Bravo")

    page = client.get(change_url(lots[0])).content.decode()
    response = client.post(change_url(lots[0]), lot_form(lots[0], building=other_building.pk))

    assert "Bravo" not in page
    assert "Select a valid choice" in response.content.decode()
    lots[0].refresh_from_db()
    assert lots[0].building.name == "Alpha"


def test_staff_change_a_lot_but_never_its_status(client, world, lots):
    client.force_login(world.anne)

    response = client.post(change_url(lots[0]), lot_form(lots[0], status=Lot.Status.SOLD, price="250000.00"))

    assert response.status_code == 302
    lots[0].refresh_from_db()
    assert (lots[0].price, lots[0].status, lots[0].rooms) == (250000, Lot.Status.AVAILABLE, 3)


def test_the_lot_status_follows_its_sale(client, world, lots):
    sale_make(world.a, world.anne)
    client.force_login(world.anne)

    content = client.get(LIST_URL, {"status__exact": Lot.Status.OPTIONED}).content.decode()

    assert "L002" in content
    assert "A101" not in content


def test_prices_are_written_in_the_programmes_currency(client, world, lots):
    world.a.currency = "PLN"
    world.a.save()
    client.force_login(world.anne)

    content = client.get(LIST_URL).content.decode()

    assert "PLN200,000.00" in content


def test_an_administrator_sees_every_programmes_lots(client, world, lots, chief):
    client.force_login(chief)

    content = client.get(LIST_URL).content.decode()

    assert "A101" in content and "B202" in content


@pytest.mark.parametrize("persona", ["anne", "chief"])
@pytest.mark.parametrize("page", ["list", "change"])
def test_the_lot_pages_cost_the_same_few_queries_whatever_the_data(client, world, lots, chief, page, persona):
    client.force_login(world.anne if persona == "anne" else chief)
    url = LIST_URL if page == "list" else change_url(lots[0])
    lots_make(world.a, 1)
    for n in range(2):
        Building.objects.create(programme=world.a, name=f"Small {n}")
    small = count_get_queries(client, url)

    lots_make(world.a, 19)
    for n in range(20):
        Building.objects.create(programme=world.a, name=f"Large {n}")
        Building.objects.create(programme=ProgrammeFactory(), name=f"Other {n}")
    large = count_get_queries(client, url)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET
