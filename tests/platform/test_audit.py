import pytest

from portal.audit.models import AuditEntry
from portal.audit.selectors import audit_entries_for
from portal.audit.services import audit_record
from portal.request_context import client_address


def test_an_audit_entry_records_actor_action_object_data_and_address(sales, buyer):
    token = client_address.set("203.0.113.7")
    try:
        entry = audit_record(actor=sales, action="user.language_changed", obj=buyer, data={"to": "pl"})
    finally:
        client_address.reset(token)
    entry.refresh_from_db()
    assert (entry.actor, entry.action, entry.object_id, entry.data, entry.address) == (
        sales,
        "user.language_changed",
        str(buyer.pk),
        {"to": "pl"},
        "203.0.113.7",
    )
    assert list(audit_entries_for(buyer)) == [entry]


def test_audit_entries_cannot_be_changed_or_deleted(sales, buyer):
    entry = audit_record(actor=sales, action="x", obj=buyer)
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="y")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_the_audit_trail_is_read_only_in_the_admin(client, administrator, buyer, settings):
    settings.STAFF_MFA_REQUIRED = False
    entry = audit_record(actor=administrator, action="x", obj=buyer)
    client.force_login(administrator)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
