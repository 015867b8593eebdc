from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from portal.audit.models import AuditEntry
from portal.request_context import client_address
from portal.users.models import User


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
