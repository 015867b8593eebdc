"""The access policy: which programmes a user may see, and whether he may do something.

Every selector and admin queryset of the project scopes itself through these functions, so
the rules live in one place. Object-level rules for buyers, notaries and partners (the sales
they are parties to or assigned to) live in the sales selectors, which build on these.
"""

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from portal.users.access_cache import access_cached
from portal.users.models import User
from portal.users.roles import STAFF_ROLES, Role

# Whoever asks: `request.user`, a logged-in account or an anonymous visitor. Selectors take it
# as it comes and decide here what it may see.
Viewer = User | AnonymousUser

ModelT = TypeVar("ModelT", bound=Model)


def user_roles(user: Viewer) -> frozenset[str]:
    """The user's role names, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = access_cached(
            "roles", user.pk, lambda: frozenset(user.groups.values_list("name", flat=True))
        )
        user._portal_roles = cached  # type: ignore[attr-defined]  # a per-request cache, not a field
    return cached


def has_role(user: Viewer, role: Role) -> bool:
    return role.value in user_roles(user)


def is_administrator(user: Viewer) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))
    )


def is_staff_member(user: Viewer) -> bool:
    """Staff of the developer: may open the back-office, scoped to their programmes."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or bool(user_roles(user) & {role.value for role in STAFF_ROLES})


def can(user: Viewer, permission: str) -> bool:
    """May this user do X? `permission` is "app_label.codename", held through his role."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(permission))


def visible_programmes(user: Viewer, programmes: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """Which programmes may this user see in the back-office.

    Administrators see them all; other staff only those they are assigned to (the programme's
    `staff` relation); nobody else sees programmes through the back-office.
    """
    if is_administrator(user):
        return programmes
    if is_staff_member(user):
        return programmes.filter(staff=user)
    return programmes.none()
