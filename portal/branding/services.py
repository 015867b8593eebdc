from typing import Any

from django.db import transaction

from portal.audit.services import audit_record
from portal.branding.models import CompanySettings
from portal.users.models import User


@transaction.atomic
def company_settings_save(
    *, company: CompanySettings, actor: User | None, changes: dict[str, Any]
) -> CompanySettings:
    """Save the (already validated) company settings and record who changed what: `changes` is
    {field: [old, new]} (portal.audit.changes.changes_of).

    Saving drops the cached copy, so every page shows the new settings on its next request.
    """
    company.save()
    audit_record(actor=actor, action="branding.settings_changed", obj=company, data=changes)
    return company
