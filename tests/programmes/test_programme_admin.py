import re

import pytest
from django.urls import reverse

from portal.users.models import User
from programmes.models import Building, Milestone, Programme
from tests.conftest import make_user
from tests.factories import ProgrammeFactory
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:programmes_programme_changelist")
ADD_URL = reverse("admin:programmes_programme_add")


def change_url(programme) -> str:
    return reverse("admin:programmes_programme_change", args=[programme.pk])


def form_data(**overrides) -> dict:
    data = {
        "name": "Les Lumières",
        "code": "lum",
        "status": Programme.Status.ON_SALE,
        "description": "Thirty flats by the river.",
        "address": "12 quai Rambaud",
        "postcode": "69002",
        "city": "Lyon",
        "country": "FR",
        "latitude": "45.741200",
        "longitude": "4.818700",
        "legal_entity": "SCCV Les Lumières",
        "currency": "EUR",
        "time_zone": "Europe/Paris",
        "escrow_iban": "FR76 3000 6000 0112 3456 7890 189",
        "escrow_bic": "agrifrpp",
        "delivery_date": "2027-06-30",
        "reservation_hold_days": "7",
        "buildings-TOTAL_FORMS": "0",
        "buildings-INITIAL_FORMS": "0",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def field_errors(content: str, field: str) -> str:
    """The error list the admin writes next to one field."""
    match = re.search(rf'<div class="form-row[^"]*field-{field}[^"]*">(.*?)</div>', content, re.S)
    return match.group(1) if match else ""


def test_the_administrator_creates_a_programme_with_its_buildings_and_calendar(client, chief):
    anne = User.objects.create_user(email="anne@example.test", is_staff=True)
    client.force_login(chief)

    response = client.post(
        ADD_URL,
        form_data(
            staff=[anne.pk],
            **{
                "buildings-TOTAL_FORMS": "2",
                "buildings-0-name": "A",
                "buildings-1-name": "B",
                "milestones-TOTAL_FORMS": "1",
                "milestones-0-kind": Milestone.Kind.WORKS_START,
                "milestones-0-planned_date": "2026-03-01",
                "milestones-0-actual_date": "2026-03-15",
            },
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(code="lum")
    assert programme.escrow_iban == "FR7630006000011234567890189"
    assert programme.escrow_bic == "AGRIFRPP"
    assert list(programme.staff.all()) == [anne]
    assert sorted(Building.objects.filter(programme=programme).values_list("name", flat=True)) == ["A", "B"]
    milestone = programme.milestones.get()
    assert (str(milestone.planned_date), str(milestone.actual_date)) == ("2026-03-01", "2026-03-15")


def test_a_bad_iban_is_refused_with_its_reason_next_to_the_field(client, chief):
    client.force_login(chief)

    response = client.post(ADD_URL, form_data(escrow_iban="FR76 3000 6000 0112 3456 7890 188"))

    assert response.status_code == 200
    errors = field_errors(response.content.decode(), "escrow_iban")
    assert "This IBAN is not valid:" in errors
    assert "checksum" in errors.lower()
    assert not Programme.objects.exists()


def test_a_bad_bic_is_refused_next_to_its_field(client, chief):
    client.force_login(chief)

    response = client.post(ADD_URL, form_data(escrow_bic="NOTABIC!"))

    assert "This BIC is not valid:" in field_errors(response.content.decode(), "escrow_bic")
    assert not Programme.objects.exists()


def test_an_iban_without_its_bic_is_refused(client, chief):
    client.force_login(chief)

    response = client.post(ADD_URL, form_data(escrow_bic=""))

    assert "Give both the escrow IBAN and its BIC, or neither." in response.content.decode()
    assert not Programme.objects.exists()


def test_an_unknown_time_zone_is_refused(client, chief):
    client.force_login(chief)

    response = client.post(ADD_URL, form_data(time_zone="Europe/Atlantis"))

    assert "Select a valid choice." in field_errors(response.content.decode(), "time_zone")


def test_only_active_staff_can_be_assigned_to_a_programme(client, chief):
    programme = ProgrammeFactory()
    active = User.objects.create_user(email="active@example.test", is_staff=True, last_name="Active")
    User.objects.create_user(email="gone@example.test", is_staff=True, is_active=False)
    make_user("client@example.test")
    client.force_login(chief)

    content = client.get(change_url(programme)).content.decode()

    assert f'value="{active.pk}"' in content
    assert "gone@example.test" not in content and "client@example.test" not in content


def test_staff_see_only_their_programmes(client, world):
    client.force_login(world.anne)

    content = client.get(LIST_URL).content.decode()

    assert world.a.name in content
    assert world.b.name not in content


def test_the_change_page_of_another_programme_shows_nothing_of_it(client, world):
    world.b.description = "Secret plans of B"
    world.b.save()
    client.force_login(world.anne)

    response = client.get(change_url(world.b))

    assert response.status_code == 404
    content = response.content.decode()
    assert "Secret plans of B" not in content and world.b.name not in content


def test_an_administrator_sees_every_programme(client, world, chief):
    client.force_login(chief)

    content = client.get(LIST_URL).content.decode()

    assert world.a.name in content and world.b.name in content


def test_the_list_counts_each_programmes_lots(client, world):
    from tests.factories import lots_make

    lots_make(world.a, 3)
    client.force_login(world.anne)

    content = client.get(LIST_URL).content.decode()

    assert '<td class="field-lot_count">3</td>' in content
    assert '<td class="field-available_count">3</td>' in content


def _grow(programme, size: int) -> None:
    """`size` buildings and staff members, and as many lots spread over the buildings."""
    from tests.factories import lots_make

    start = programme.buildings.count()
    for n in range(size):
        Building.objects.create(programme=programme, name=f"Building {start + n}")
        programme.staff.add(
            User.objects.create_user(email=f"staff{start + n}-{programme.pk}@example.test", is_staff=True)
        )
    lots_make(programme, size)


@pytest.mark.parametrize("persona", ["anne", "chief"])
@pytest.mark.parametrize("page", ["list", "change"])
def test_the_programme_pages_cost_the_same_few_queries_whatever_the_data(client, world, chief, page, persona):
    client.force_login(world.anne if persona == "anne" else chief)
    url = LIST_URL if page == "list" else change_url(world.a)
    Milestone.objects.create(programme=world.a, kind=Milestone.Kind.LAUNCH, planned_date="2026-01-01")
    _grow(world.a, 2)
    extra = [ProgrammeFactory() for _ in range(2)]
    for programme in extra:
        programme.staff.add(world.anne)
    small = count_get_queries(client, url)

    _grow(world.a, 18)
    for kind in [Milestone.Kind.WORKS_START, Milestone.Kind.FOUNDATIONS, Milestone.Kind.DELIVERY]:
        Milestone.objects.create(programme=world.a, kind=kind, planned_date="2026-06-01")
    for _ in range(18):
        ProgrammeFactory().staff.add(world.anne)
    large = count_get_queries(client, url)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET
