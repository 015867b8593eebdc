from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpaceConfig(AppConfig):
    """The client space: buyers', notaries' and partners' pages, composed from every app."""

    name = "space"
    verbose_name = _("Client space")
