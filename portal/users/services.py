from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import models, transaction

from portal.audit.changes import members_apply, values_apply, values_of
from portal.audit.services import audit_record, audited_save
from portal.users.models import User
from portal.users.roles import Role


def user_role_grant(*, user: User, role: Role) -> None:
    """Put the user in the role's group.

    The migrations create every group with its permissions; get_or_create only matters to
    transactional tests, whose flush empties the tables the migrations filled.
    """
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)


# What a person may change about himself on his account page.
ACCOUNT_FIELDS = ("first_name", "last_name", "phone", "language")
# What the back-office's user page changes; the password only through its own forms, never
# recorded.
USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "language",
    "is_active",
    "is_staff",
    "is_superuser",
)


@transaction.atomic
def account_update(*, actor: User, values: dict[str, Any]) -> User:
    """The actor changes his own name, phone or language (his account page); audited."""
    refused = set(values) - set(ACCOUNT_FIELDS)
    if refused:
        raise ValueError(f"account_update cannot change {sorted(refused)}.")
    user = User.objects.select_for_update().get(pk=actor.pk)
    changes = values_apply(user, values)
    if changes:
        user.save(update_fields=list(changes))
        audit_record(actor=actor, action="account.changed", obj=user, data=changes)
    return user


@transaction.atomic
def user_save(*, actor: User | None, user: User, values: dict[str, Any]) -> User:
    """An administrator opens an account (`user` not saved yet, its password already set by the
    form) or changes the details, access flags and roles (`groups`) in `values`; audited with
    old and new values, roles by name, never the password."""
    if user.pk is None:
        user.save()
        members_apply(user, {name: value for name, value in values.items() if name == "groups"})
        data = values_of(user, [*USER_FIELDS, "groups"])
        audit_record(actor=actor, action="user.created", obj=user, data=data)
        return user
    refused = set(values) - {*USER_FIELDS, "groups"}
    if refused:
        raise ValueError(f"user_save cannot change {sorted(refused)}.")
    current = User.objects.select_for_update().get(pk=user.pk)
    changes = values_apply(current, values)
    if changes:
        current.save(update_fields=list(changes))
    changes |= members_apply(current, values)
    if changes:
        audit_record(actor=actor, action="user.changed", obj=current, data=changes)
    return current


# The parts of an account allauth keeps (email addresses, second factors, sessions), as an
# administrator looks after them from the back-office.


@transaction.atomic
def account_record_save(*, actor: User | None, record: models.Model, values: dict[str, Any]) -> models.Model:
    """Add `record` (not saved yet) or change the fields in `values` of a saved one; audited
    with old and new values ("emailaddress.changed"…)."""
    names = [field.name for field in record._meta.concrete_fields if not field.primary_key]
    return audited_save(
        actor=actor, row=record, values=values, kind=str(record._meta.model_name), created_fields=names
    )


@transaction.atomic
def account_record_delete(
    *, actor: User | None, record: models.Model, end: Callable[[], object] | None = None
) -> None:
    """Delete an account's email address, second factor or session (`end`: how the record is
    ended when deleting the row is not enough, as a session's); audited."""
    audit_record(
        actor=actor,
        action=f"{record._meta.model_name}.deleted",
        obj=record,
        data={"user": getattr(record, "user_id", None)},
    )
    (end or record.delete)()


@transaction.atomic
def email_address_verify(*, actor: User | None, email_address: EmailAddress) -> bool:
    """An administrator vouches for an address: marked verified (allauth's own step); audited."""
    if email_address.verified or not email_address.set_verified():
        return False
    audit_record(
        actor=actor, action="emailaddress.changed", obj=email_address, data={"verified": [False, True]}
    )
    return True


@transaction.atomic
def user_delete(*, actor: User | None, user: User) -> None:
    """An administrator deletes an account; the trail keeps who it was."""
    audit_record(actor=actor, action="user.deleted", obj=user, data=values_of(user, [*USER_FIELDS, "groups"]))
    user.delete()


@transaction.atomic
def user_password_set(*, actor: User | None, user: User) -> User:
    """Save the password an administrator set (or disabled) on `user`'s page, its hash already
    computed on `user`; the trail says it changed, never what it is."""
    User.objects.filter(pk=user.pk).update(password=user.password)
    audit_record(
        actor=actor,
        action="user.password_changed",
        obj=user,
        data={"usable_password": user.has_usable_password()},
    )
    return user
