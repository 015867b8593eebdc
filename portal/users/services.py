from django.contrib.auth.models import Group

from portal.users.roles import Role


def user_role_grant(*, user, role: Role) -> None:
    """Put the user in the role's group.

    The migrations create every group with its permissions; get_or_create only matters to
    transactional tests, whose flush empties the tables the migrations filled.
    """
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
