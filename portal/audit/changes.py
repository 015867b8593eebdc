"""What a save changed, in the one shape the audit trail keeps: {field: [old, new]}.

A plain field or a foreign key (by primary key) reads `"price": ["100.00", "120.00"]`; a
many-to-many field reads `"staff": {"added": [...], "removed": [...]}`, people by their email
address. Services read the row they change under lock and apply the new values here, so the old
values are those of the database, not of a form someone opened an hour ago; admin pages hand their
service `form_values(form)`, the new values of the fields the form changed.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms import BaseForm


def _plain(value: Any) -> Any:
    """A value as the trail keeps it (JSON through Django's encoder): an object by its primary
    key, a file by its name, a list of objects by their primary keys."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if hasattr(value, "read") and hasattr(value, "name"):  # a file just uploaded
        return value.name
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return [_plain(item) for item in value]
    return value


def _forward_field(obj: models.Model, name: str) -> "models.Field[Any, Any]":
    # A service sets and reads the row's own fields; a reverse relation is not one of them.
    field = obj._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{name!r} is a reverse relation of {obj._meta.label}, not a field to change.")
    return field


def _label(obj: models.Model) -> str:
    # People are known by their email address: their name may be empty or shared.
    return getattr(obj, "email", "") or str(obj)


def form_values(form: BaseForm, *, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The cleaned values of the fields a bound, valid form changed (`fields`: only those)."""
    wanted = set(fields) if fields is not None else None
    values = {}
    for name in form.changed_data:
        if name not in form.cleaned_data or (wanted is not None and name not in wanted):
            continue
        value = form.cleaned_data[name]
        values[name] = list(value) if isinstance(value, models.QuerySet) else value
    return values


def values_apply(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """Set `values` (plain fields and foreign keys) on `obj`, the row as the service read it;
    returns {field: [old, new]} of those that differ. Many-to-many fields are skipped: they
    are set once the row is saved (`members_apply`)."""
    changes = {}
    for name, value in values.items():
        field = _forward_field(obj, name)
        if field.many_to_many:
            continue
        old = _plain(field.value_from_object(obj))
        new = _plain(value)
        if old == new and not (hasattr(value, "read") and hasattr(value, "name")):
            continue
        # save_form_data, as a ModelForm does: it knows files (False clears one) and relations.
        field.save_form_data(obj, value)
        changes[name] = [old, new]
    return changes


def members_apply(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """Set the many-to-many fields among `values` on the saved row `obj`; returns, for each one
    that changed, the members added and removed (people by email address)."""
    changes = {}
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if not field.many_to_many:
            continue
        manager = getattr(obj, name)
        before = {member.pk: member for member in manager.all()}
        after = {member.pk: member for member in value}
        added = sorted(_label(after[pk]) for pk in after.keys() - before.keys())
        removed = sorted(_label(before[pk]) for pk in before.keys() - after.keys())
        if not (added or removed):
            continue
        manager.set(list(after.values()))
        changes[name] = {"added": added, "removed": removed}
    return changes


def values_of(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The current values of these fields of `obj`, as the trail keeps them (a new or deleted
    row's entry); many-to-many fields list their members."""
    data = {}
    for name in names:
        field = _forward_field(obj, name)
        if field.many_to_many:
            data[name] = sorted(_label(member) for member in getattr(obj, name).all()) if obj.pk else []
        else:
            data[name] = _plain(field.value_from_object(obj))
    return data


def changes_of(form: BaseForm) -> dict[str, Any]:
    """{field: [old, new]} of what a valid model form changed, old values from the instance as
    the form was opened: for services handed an object the form already filled in (the company
    settings, a message text; neither has a many-to-many field: those go through `members_apply`)."""
    return {
        name: [_plain(form.initial.get(name)), _plain(form.cleaned_data[name])]
        for name in form.changed_data
        if name in form.cleaned_data
    }
