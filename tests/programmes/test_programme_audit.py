"""Every change to a programme, its staff, buildings, calendar and lots is in the audit trail,
with the old and the new value (the staff by email address: who may see what)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.users.roles import Role
from programmes.models import Building, Milestone, Programme
from programmes.services import lot_save, programme_save
from tests.conftest import make_user
from tests.factories import ProgrammeFactory, lots_make
from tests.programmes.test_programme_admin import form_data

pytestmark = pytest.mark.django_db


def change_url(programme) -> str:
    return reverse("admin:programmes_programme_change", args=[programme.pk])


def lumieres() -> Programme:
    """The programme the admin form of form_data() describes, as saved."""
    return ProgrammeFactory(
        name="Les Lumières",
        code="lum",
        status=Programme.Status.ON_SALE,
        description="Thirty flats by the river.",
        address="12 quai Rambaud",
        postcode="69002",
        latitude=Decimal("45.741200"),
        longitude=Decimal("4.818700"),
        legal_entity="SCCV Les Lumières",
        delivery_date=date(2027, 6, 30),
    )


def programme_form(programme, **overrides) -> dict:
    return form_data(**{"staff": [user.pk for user in programme.staff.all()], **overrides})


def test_adding_staff_to_a_programme_records_who_was_added_and_removed(client, chief):
    programme = lumieres()
    anne = make_user("anne@example.test", role=Role.SALES)
    bob = make_user("bob@example.test", role=Role.SALES)
    programme.staff.add(anne)
    client.force_login(chief)

    response = client.post(change_url(programme), programme_form(programme, staff=[bob.pk]))

    assert response.status_code == 302
    assert list(programme.staff.all()) == [bob]
    entry = AuditEntry.objects.get(action="programme.changed")
    assert entry.actor == chief
    assert entry.data["staff"] == {"added": ["bob@example.test"], "removed": ["anne@example.test"]}


def test_a_programme_change_records_the_old_and_new_values(client, chief):
    programme = lumieres()
    client.force_login(chief)

    client.post(
        change_url(programme), programme_form(programme, city="Villeurbanne", reservation_hold_days="9")
    )

    entry = AuditEntry.objects.get(action="programme.changed")
    assert entry.data == {"city": ["Lyon", "Villeurbanne"], "reservation_hold_days": [7, 9]}


def test_saving_an_unchanged_programme_writes_no_entry(client, chief):
    programme = lumieres()
    client.force_login(chief)

    client.post(change_url(programme), programme_form(programme))

    assert not AuditEntry.objects.filter(action="programme.changed").exists()


def test_the_buildings_and_calendar_rows_are_audited_one_by_one(client, chief):
    programme = lumieres()
    building = Building.objects.create(programme=programme, name="A")
    milestone = Milestone.objects.create(programme=programme, kind="launch", planned_date="2026-01-10")
    client.force_login(chief)

    response = client.post(
        change_url(programme),
        programme_form(
            programme,
            **{
                "buildings-TOTAL_FORMS": "2",
                "buildings-INITIAL_FORMS": "1",
                "buildings-0-id": str(building.pk),
                "buildings-0-programme": str(programme.pk),
                "buildings-0-name": "A",
                "buildings-0-DELETE": "on",
                "buildings-1-programme": str(programme.pk),
                "buildings-1-name": "B",
                "milestones-TOTAL_FORMS": "1",
                "milestones-INITIAL_FORMS": "1",
                "milestones-0-id": str(milestone.pk),
                "milestones-0-programme": str(programme.pk),
                "milestones-0-kind": "launch",
                "milestones-0-planned_date": "2026-02-01",
            },
        ),
    )

    assert response.status_code == 302
    assert list(programme.buildings.values_list("name", flat=True)) == ["B"]
    actions = dict(AuditEntry.objects.values_list("action", "object_id"))
    assert actions["building.deleted"] == str(building.pk)
    assert "building.created" in actions
    changed = AuditEntry.objects.get(action="milestone.changed")
    assert changed.data == {"planned_date": ["2026-01-10", "2026-02-01"]}


def test_a_programme_created_in_the_admin_is_recorded_with_its_staff(client, chief):
    anne = make_user("anne@example.test", role=Role.SALES)
    client.force_login(chief)

    response = client.post(reverse("admin:programmes_programme_add"), form_data(staff=[anne.pk]))

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="programme.created")
    assert entry.object_id == str(Programme.objects.get(code="lum").pk)
    assert (entry.data["name"], entry.data["staff"]) == ("Les Lumières", ["anne@example.test"])


def test_the_service_reads_the_old_value_from_the_database_not_from_the_callers_copy(chief):
    programme = ProgrammeFactory(code="lum", city="Lyon")
    stale = Programme.objects.get(pk=programme.pk)
    Programme.objects.filter(pk=programme.pk).update(city="Grenoble")

    programme_save(actor=chief, programme=stale, values={"city": "Annecy"})

    assert AuditEntry.objects.get(action="programme.changed").data == {"city": ["Grenoble", "Annecy"]}


def test_a_lots_status_never_changes_through_lot_save(chief):
    lot = lots_make(ProgrammeFactory(), 1)[0]

    with pytest.raises(ValueError):
        lot_save(actor=chief, lot=lot, values={"status": "sold"})
