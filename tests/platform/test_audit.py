import pytest

from portal.audit.models import AuditEntry
from portal.audit.selectors import audit_entries_for
from portal.audit.services import audit_record
from portal.request_context import client_address
from portal.users.models import User
from tests.platform.test_admin_audit_walk import form_as_posted


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


# The one shape of a change (portal.audit.changes) and the writes outside the admin's forms ----


def test_values_apply_returns_old_and_new_of_what_differs_only(sales):
    from portal.audit.changes import values_apply

    changes = values_apply(sales, {"first_name": "Samuel", "last_name": sales.last_name, "language": "pl"})

    assert changes == {"first_name": ["Sam", "Samuel"], "language": ["en", "pl"]}
    assert (sales.first_name, sales.language) == ("Samuel", "pl")


def test_values_apply_and_values_of_refuse_a_reverse_relation_by_name(sales):
    from portal.audit.changes import values_apply, values_of

    # "alerts" is the reverse side of Alert.user: not a field of the user to change or record.
    with pytest.raises(ValueError, match="reverse relation"):
        values_apply(sales, {"alerts": []})
    with pytest.raises(ValueError, match="reverse relation"):
        values_of(sales, ["alerts"])


def test_members_apply_names_the_people_added_and_removed_by_email(sales, administrator, buyer):
    from django.contrib.auth.models import Group

    from portal.audit.changes import members_apply
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    programme.staff.add(sales)

    changes = members_apply(programme, {"staff": [administrator, buyer]})

    assert changes == {
        "staff": {"added": ["admin@example.test", "buyer@example.test"], "removed": ["sales@example.test"]}
    }
    assert set(programme.staff.all()) == {administrator, buyer}
    assert members_apply(programme, {"staff": [administrator, buyer]}) == {}
    assert members_apply(sales, {"groups": list(Group.objects.filter(name="sales"))}) == {}


def test_the_account_page_saves_through_a_service_that_audits_the_change(client, buyer):
    from django.urls import reverse

    client.force_login(buyer)

    client.post(
        reverse("account"), {"first_name": "Anna", "last_name": "Buyer", "phone": "", "language": "pl"}
    )

    entry = AuditEntry.objects.get(action="account.changed")
    assert (entry.actor, entry.object_id, entry.data) == (buyer, str(buyer.pk), {"language": ["en", "pl"]})


def test_the_account_service_refuses_fields_a_person_may_not_change_himself(buyer):
    from portal.users.services import account_update

    with pytest.raises(ValueError):
        account_update(actor=buyer, values={"is_staff": True})


def test_a_resend_from_the_outbox_is_audited_with_who_asked(client, administrator, settings):
    from portal.outbox.models import OutboxMessage
    from portal.outbox.services import outbox_enqueue_email

    settings.STAFF_MFA_REQUIRED = False
    message = outbox_enqueue_email(key="k1", to="x@example.test", subject="S", text="T")
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.FAILED, attempts=6)
    client.force_login(administrator)

    client.post("/admin/outbox/outboxmessage/", {"action": "resend", "_selected_action": [message.pk]})

    entry = AuditEntry.objects.get(action="outbox.resent")
    assert (entry.actor, entry.object_id) == (administrator, str(message.pk))
    assert entry.data == {"state": ["failed", "ready"], "attempts": [6, 0]}


def test_an_administrator_changing_a_users_roles_is_audited_by_role_name(
    client, administrator, sales, settings
):
    from django.contrib.auth.models import Group
    from django.urls import reverse

    settings.STAFF_MFA_REQUIRED = False
    client.force_login(administrator)
    accountant = Group.objects.get(name="accountant")
    page = client.get(reverse("admin:users_user_change", args=[sales.pk]))
    data = form_as_posted(page, User)  # the form as a browser sends it
    data["groups"] = [accountant.pk]

    response = client.post(reverse("admin:users_user_change", args=[sales.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="user.changed")
    assert entry.data == {"groups": {"added": ["accountant"], "removed": ["sales"]}}


def test_an_administrator_setting_a_users_password_is_audited_without_the_password(
    client, administrator, sales, settings
):
    from django.urls import reverse

    settings.STAFF_MFA_REQUIRED = False
    client.force_login(administrator)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[sales.pk]),
        {"password1": "A-new-l0ng-pass!", "password2": "A-new-l0ng-pass!", "set_usable_password": "true"},
    )

    assert response.status_code == 302
    sales.refresh_from_db()
    assert sales.check_password("A-new-l0ng-pass!")
    entry = AuditEntry.objects.get(action="user.password_changed")
    assert (entry.actor, entry.object_id, entry.data) == (
        administrator,
        str(sales.pk),
        {"usable_password": True},
    )
    assert "A-new-l0ng-pass!" not in str(entry.data) and sales.password not in str(entry.data)
