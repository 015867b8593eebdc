"""Every write to programmes, their buildings, calendars and lots, each with its audit entry.

The back-office forms check what staff type; these functions lock the row, apply the new values
and record the old and new ones (portal.audit.changes). A programme's staff decides what its
staff members may see, so who was added or removed is recorded by email address.
"""

from typing import Any, TypeVar

from django.db import models, transaction

from portal.audit.changes import members_apply, values_apply, values_of
from portal.audit.services import audit_record, audited_save
from portal.users.models import User
from programmes.models import Building, Lot, Milestone, Programme

RowT = TypeVar("RowT", Building, Lot, Milestone)


def _editable_names(model: type[models.Model]) -> list[str]:
    # What a new row's entry records: what staff may type, not ids and timestamps.
    return [
        field.name
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.editable and not field.primary_key
    ]


@transaction.atomic
def programme_save(*, actor: User | None, programme: Programme, values: dict[str, Any]) -> Programme:
    """Create `programme` (not saved yet: it holds its values) or change the fields in `values`
    of the saved one; `values` may hold `staff`, the complete list of its staff members."""
    if programme.pk is None:
        members = {name: value for name, value in values.items() if name == "staff"}
        programme.save()
        members_apply(programme, members)
        audit_record(
            actor=actor,
            action="programme.created",
            obj=programme,
            data=values_of(programme, _editable_names(Programme)),
        )
        return programme
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    changes = values_apply(current, values)
    if changes:
        current.save(update_fields=[*changes, "updated_at"])
    changes |= members_apply(current, values)
    if changes:
        audit_record(actor=actor, action="programme.changed", obj=current, data=changes)
    return current


@transaction.atomic
def programme_delete(*, actor: User | None, programme: Programme) -> None:
    """Delete a programme without lots or sales (the database refuses one that has some)."""
    audit_record(actor=actor, action="programme.deleted", obj=programme, data={"code": programme.code})
    programme.delete()


def _row_save(*, actor: User | None, row: RowT, values: dict[str, Any], kind: str) -> RowT:
    # Buildings, milestones and lots: the same steps, each under its own action names.
    return audited_save(
        actor=actor, row=row, values=values, kind=kind, created_fields=_editable_names(type(row))
    )


def _row_delete(*, actor: User | None, row: models.Model, kind: str) -> None:
    data = values_of(row, _editable_names(type(row)))
    audit_record(actor=actor, action=f"{kind}.deleted", obj=row, data=data)
    row.delete()


@transaction.atomic
def lot_save(*, actor: User | None, lot: Lot, values: dict[str, Any]) -> Lot:
    """Create `lot` (not saved yet) or change the fields in `values`; never its status, which
    follows its sales (sales.stages)."""
    if "status" in values and lot.pk is not None:
        raise ValueError("A lot's status follows its sales; lot_save cannot change it.")
    return _row_save(actor=actor, row=lot, values=values, kind="lot")


@transaction.atomic
def lot_delete(*, actor: User | None, lot: Lot) -> None:
    """Delete a lot no sale holds (the database refuses one that a sale holds)."""
    _row_delete(actor=actor, row=lot, kind="lot")


@transaction.atomic
def building_save(*, actor: User | None, building: Building, values: dict[str, Any]) -> Building:
    return _row_save(actor=actor, row=building, values=values, kind="building")


@transaction.atomic
def building_delete(*, actor: User | None, building: Building) -> None:
    _row_delete(actor=actor, row=building, kind="building")


@transaction.atomic
def milestone_save(*, actor: User | None, milestone: Milestone, values: dict[str, Any]) -> Milestone:
    """Create or change a step of the programme's calendar, which its buyers see."""
    return _row_save(actor=actor, row=milestone, values=values, kind="milestone")


@transaction.atomic
def milestone_delete(*, actor: User | None, milestone: Milestone) -> None:
    _row_delete(actor=actor, row=milestone, kind="milestone")
