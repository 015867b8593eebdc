"""Django's model backend, with each user's permissions read from the cache between changes
(portal/users/access_cache.py)."""

from django.contrib.auth.backends import ModelBackend

from portal.users.access_cache import access_cached


class CachedPermissionsBackend(ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        attribute = f"_{from_name}_perm_cache"
        if (
            obj is not None
            or not user_obj.is_active
            or user_obj.is_anonymous
            or user_obj.is_superuser
            or hasattr(user_obj, attribute)
        ):
            return super()._get_permissions(user_obj, obj, from_name)
        permissions = access_cached(
            f"permissions-{from_name}",
            user_obj.pk,
            lambda: super(CachedPermissionsBackend, self)._get_permissions(user_obj, obj, from_name),
        )
        setattr(user_obj, attribute, permissions)
        return permissions
