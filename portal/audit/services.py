from typing import Any

from django.db import models

from portal.audit.models import AuditEntry
from portal.request_context import client_address


def audit_record(*, actor, action: str, obj: models.Model, data: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry to the audit trail. Every service that changes state calls this."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        data=data or {},
        address=client_address.get(),
    )
