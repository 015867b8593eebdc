from allauth.mfa.signals import authenticator_removed
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

from portal.middleware import MFA_OK_KEY
from portal.users.access_cache import access_cache_clear
from portal.users.models import User


@receiver(authenticator_removed)
def forget_mfa_enrolment(sender, request, user, authenticator, **kwargs):
    # The back-office guard remembers enrolment in the session; removing TOTP must reset it.
    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_OK_KEY, None)


# Roles and permissions are cached between changes (portal/users/access_cache.py): any change
# to who is in which group, or to what a group or a user may do, starts the cache afresh.
def _access_changed(sender, **kwargs):
    if kwargs.get("action", "post_").startswith("post_"):
        access_cache_clear()


for _relation in (User.groups.through, User.user_permissions.through, Group.permissions.through):
    m2m_changed.connect(_access_changed, sender=_relation, dispatch_uid=f"access-cache-{_relation.__name__}")
for _model in (Group, Permission):
    post_save.connect(_access_changed, sender=_model, dispatch_uid=f"access-cache-save-{_model.__name__}")
    post_delete.connect(_access_changed, sender=_model, dispatch_uid=f"access-cache-delete-{_model.__name__}")
post_migrate.connect(_access_changed, dispatch_uid="access-cache-migrate")
