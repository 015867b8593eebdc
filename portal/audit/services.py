from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models

from portal.audit.changes import values_apply, values_of
from portal.audit.models import AuditEntry
from portal.request_context import client_address
from portal.users.models import User

RowT = TypeVar("RowT", bound=models.Model)


def audit_record(
    *, actor: User | AnonymousUser | None, action: str, obj: models.Model, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry to the audit trail. Every service that changes state calls this."""
    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, User) and actor.pk else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        data=data or {},
        address=client_address.get(),
    )


def audited_save(
    *, actor: User | None, row: RowT, values: dict[str, Any], kind: str, created_fields: Iterable[str]
) -> RowT:
    """Create `row` (not saved yet: it holds its values), recorded as "<kind>.created" with the
    values of `created_fields`; or lock the saved row, apply the plain fields and foreign keys
    in `values` and record "<kind>.changed" with old and new values, if any differ. The caller
    holds the transaction."""
    if row.pk is None:
        row.save()
        audit_record(actor=actor, action=f"{kind}.created", obj=row, data=values_of(row, created_fields))
        return row
    current = type(row)._default_manager.select_for_update().get(pk=row.pk)
    changes = values_apply(current, values)
    if changes:
        current.save(update_fields=list(changes))
        audit_record(actor=actor, action=f"{kind}.changed", obj=current, data=changes)
    return current
