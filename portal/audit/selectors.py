from django.db import models
from django.db.models import QuerySet

from portal.audit.models import AuditEntry


def audit_entries_for(obj: models.Model) -> QuerySet[AuditEntry]:
    """The timeline of one object, oldest first, with the actor fetched in the same query."""
    return (
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )
