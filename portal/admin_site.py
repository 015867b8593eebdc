"""The back-office's admin site: Django's, with the list of apps worked out only when a page
shows it.

Django's `each_context` builds the app list for every admin page, checking the user's
permissions on every registered model, for the navigation sidebar alone. The sidebar is cached
per session (templates/admin/base_site.html), so most pages never read the list; building it
lazily spares that work. Installed in place of `django.contrib.admin` (INSTALLED_APPS).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class ExtraPage:
    """A back-office page that belongs to no model, listed in its app beside the models."""

    route: str
    view: Callable
    url_name: str
    app_label: str
    title: Callable[[], str]  # read per request, in its language
    visible_to: Callable  # user -> bool: who finds it in the app list


class PortalAdminSite(admin.AdminSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._extra_pages: list[ExtraPage] = []

    def extra_page_register(self, page: ExtraPage) -> None:
        """Add a page of an app (the accounting export, say) to the site's URLs and, for who may
        open it, to its app in the home page and the sidebar."""
        self._extra_pages.append(page)

    def get_urls(self):
        extra = [
            path(page.route, self.admin_view(page.view), name=page.url_name) for page in self._extra_pages
        ]
        return [*extra, *super().get_urls()]

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for page in self._extra_pages:
            if app_label in (None, page.app_label) and page.visible_to(request.user):
                app_list = _with_page(app_list, page, sorted_=app_label is None)
        return app_list

    def each_context(self, request):
        # Django's own context, but for the app list (read on first use).
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if self.site_url == "/" and script_name else self.site_url
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(lambda: self.get_app_list(request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
        }


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"


def _with_page(app_list: list[dict], page: ExtraPage, *, sorted_: bool) -> list[dict]:
    url = reverse(f"admin:{page.url_name}")
    entry = {
        "name": page.title(),
        "object_name": page.url_name,
        "admin_url": url,
        "add_url": None,
        "view_only": True,
        "perms": {"view": True},
    }
    for app in app_list:
        if app["app_label"] == page.app_label:
            app["models"].append(entry)
            return app_list
    app_list.append(
        {
            "name": apps.get_app_config(page.app_label).verbose_name,
            "app_label": page.app_label,
            "app_url": url,
            "has_module_perms": True,
            "models": [entry],
        }
    )
    return sorted(app_list, key=lambda app: str(app["name"]).lower()) if sorted_ else app_list
