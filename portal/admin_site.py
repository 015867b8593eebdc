"""The back-office's admin site: Django's, with the list of apps worked out only when a page
shows it.

Django's `each_context` builds the app list for every admin page, checking the user's
permissions on every registered model, for the navigation sidebar alone. The sidebar is cached
per session (templates/admin/base_site.html), so most pages never read the list; building it
lazily spares that work. Installed in place of `django.contrib.admin` (INSTALLED_APPS).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.functional import SimpleLazyObject


class PortalAdminSite(admin.AdminSite):
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
