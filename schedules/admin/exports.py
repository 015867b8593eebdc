"""The accounting export page of the back-office (EXP-2): accountants and administrators choose
a period, a programme of theirs (or all of them) and a format, and download the file."""

from django import forms
from django.apps import apps as apps_registry
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal.access import has_role, is_administrator, visible_programmes
from portal.users.roles import Role
from programmes.models import Programme
from schedules.exports import accounting_export_response, default_period

MAX_DAYS = 366


def may_export(user) -> bool:
    return is_administrator(user) or (user.is_staff and has_role(user, Role.ACCOUNTANT))


class AccountingExportForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my programmes"),
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("csv", gettext_lazy("CSV")), ("xlsx", gettext_lazy("Excel"))],
        initial="xlsx",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = visible_programmes(user, Programme.objects.order_by("name"))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end of the period comes before its start."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("date_to", _("Export at most one year at a time."))
        return data


def accounting_export_view(request):
    if not may_export(request.user):
        raise PermissionDenied
    if "date_from" in request.GET:
        form = AccountingExportForm(request.GET, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            programmes = form.fields["programme"].queryset
            if data["programme"] is not None:
                programmes = programmes.filter(pk=data["programme"].pk)
            return accounting_export_response(
                programmes=programmes,
                date_from=data["date_from"],
                date_to=data["date_to"],
                file_format=data["file_format"],
            )
    else:
        start, end = default_period()
        form = AccountingExportForm(user=request.user, initial={"date_from": start, "date_to": end})
    context = {
        **admin.site.each_context(request),
        "title": _("Accounting export"),
        "form": form,
    }
    return TemplateResponse(request, "admin/schedules/accounting_export.html", context)


# The page belongs to no model: it joins the site's own URLs, as the staff home page does.
_site_urls = admin.site.get_urls


def _get_urls():
    return [
        path(
            "schedules/accounting-export/",
            admin.site.admin_view(require_safe(accounting_export_view)),
            name="schedules_accounting_export",
        ),
        *_site_urls(),
    ]


admin.site.get_urls = _get_urls  # type: ignore[method-assign]


# Found where staff look for it: in the schedules app of the home page and the side menu, for
# those who may export (accountants hold no permission of the app's models themselves).
_site_app_list = admin.site.get_app_list


def _get_app_list(request, app_label=None):
    apps = _site_app_list(request, app_label)
    if app_label not in (None, "schedules") or not may_export(request.user):
        return apps
    url = reverse("admin:schedules_accounting_export")
    entry = {
        "name": _("Accounting export"),
        "object_name": "AccountingExport",
        "admin_url": url,
        "add_url": None,
        "view_only": True,
        "perms": {"view": True},
    }
    for app in apps:
        if app["app_label"] == "schedules":
            app["models"].append(entry)
            return apps
    apps.append(
        {
            "name": apps_registry.get_app_config("schedules").verbose_name,
            "app_label": "schedules",
            "app_url": url,
            "has_module_perms": True,
            "models": [entry],
        }
    )
    return sorted(apps, key=lambda app: str(app["name"]).lower()) if app_label is None else apps


admin.site.get_app_list = _get_app_list  # type: ignore[method-assign]
