"""The accounting export page of the back-office (EXP-2): accountants and administrators choose
a period, a programme of theirs (or all of them) and a format, and download the file."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal.access import has_role, is_administrator, visible_programmes
from portal.admin_site import ExtraPage
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


# The page belongs to no model: the site lists it in the schedules app, for those who may export
# (accountants hold no permission of the app's models themselves).
admin.site.extra_page_register(  # type: ignore[attr-defined]
    ExtraPage(
        route="schedules/accounting-export/",
        view=require_safe(accounting_export_view),
        url_name="schedules_accounting_export",
        app_label="schedules",
        title=lambda: _("Accounting export"),
        visible_to=may_export,
    )
)
