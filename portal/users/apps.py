from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "portal.users"
    label = "users"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from portal.users import signals  # noqa: F401
