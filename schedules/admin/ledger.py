"""The ledger in the back-office (SCH-4): accountants and administrators read every movement of
money of their programmes' sales, and move an entry's money between tranches with a reason.

Entries are written by the services only (payments arriving, refunds, bank statements): the list
and the entry's page read; the re-allocation page calls `ledger_reallocate`.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import has_role, is_administrator
from portal.admin_helpers import ReadOnlyAdminMixin
from portal.admin_titles import FormTitlesMixin
from portal.money import money_format
from portal.users.roles import Role
from programmes.admin.scoping import ProgrammeScopedAdmin, ScopedRelatedFieldListFilter
from schedules.models import LedgerEntry
from schedules.selectors import ledger_entries_with_allocated, ledger_entry_allocations
from schedules.services.ledger import LedgerError, ledger_reallocate, may_reallocate


def may_read_ledger(user) -> bool:
    """Accountants and administrators read the ledger (accountants: their programmes' only)."""
    return is_administrator(user) or (user.is_active and user.is_staff and has_role(user, Role.ACCOUNTANT))


class ReallocationForm(forms.Form):
    """One amount per tranche of the entry's sale, and why the money moves."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("Kept in the sale's history with the old and the new split."),
    )

    def __init__(self, *args, tranches, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.tranches = tranches
        refund = entry.amount < 0
        fields = {}
        for tranche in tranches:
            fields[f"tranche_{tranche.pk}"] = forms.DecimalField(
                label=f"{tranche.position}. {tranche.label}",
                max_digits=12,
                decimal_places=2,
                min_value=Decimal("0.00"),
                required=False,
                initial=abs(tranche.entry_part),
                help_text=_("Amount %(amount)s, paid %(paid)s.")
                % {
                    "amount": money_format(tranche.amount, entry.currency),
                    "paid": money_format(tranche.paid, entry.currency),
                },
            )
        # The tranches first, the reason last.
        self.fields = {**fields, "reason": self.fields["reason"]}
        self.sign = Decimal("-1") if refund else Decimal("1")

    def allocations(self) -> dict[int, Decimal]:
        return {
            tranche.pk: self.cleaned_data[f"tranche_{tranche.pk}"] * self.sign
            for tranche in self.tranches
            if self.cleaned_data.get(f"tranche_{tranche.pk}")
        }


@admin.register(LedgerEntry)
class LedgerEntryAdmin(FormTitlesMixin, ProgrammeScopedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    form_titles = {"list": gettext_lazy("Ledger"), "view": gettext_lazy("The ledger entry")}
    list_display = [
        "booked_on",
        "kind",
        "amount_column",
        "allocated_column",
        "sale_column",
        "programme",
        "reference",
    ]
    list_display_links = ["booked_on"]
    list_filter = [
        ("programme", ScopedRelatedFieldListFilter),
        "kind",
        ("booked_on", admin.DateFieldListFilter),
    ]
    search_fields = ["sale__reference", "reference"]
    search_help_text = gettext_lazy("Sale reference or payment reference.")
    list_select_related = ["sale", "programme"]
    ordering = ["-booked_on", "-pk"]
    date_hierarchy = None
    change_form_template = "admin/schedules/ledgerentry/change_form.html"
    fields = [
        "sale_column",
        "programme",
        "kind",
        "amount_column",
        "booked_on",
        "reference",
        "payment_column",
        "source_key",
        "created_by",
        "created_at",
        "allocations_column",
    ]
    readonly_fields = fields

    # Scope and permissions -----------------------------------------------------------------------

    def get_queryset(self, request):
        return ledger_entries_with_allocated(super().get_queryset(request)).select_related(
            "sale", "programme", "payment", "created_by"
        )

    def has_module_permission(self, request):
        return may_read_ledger(request.user)

    def has_view_permission(self, request, obj=None):
        return may_read_ledger(request.user)

    # The columns -----------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("amount"), ordering="amount")
    def amount_column(self, entry):
        return money_format(entry.amount, entry.currency)

    @admin.display(description=gettext_lazy("on the schedule"))
    def allocated_column(self, entry):
        allocated = money_format(entry.allocated, entry.currency)
        left = entry.amount - entry.allocated
        if not left:
            return allocated
        return format_html(
            "{} <small>({})</small>",
            allocated,
            _("%(amount)s unallocated") % {"amount": money_format(left, entry.currency)},
        )

    @admin.display(description=gettext_lazy("sale"), ordering="sale__reference")
    def sale_column(self, entry):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:sales_sale_change", args=[entry.sale_id]),
            entry.sale.reference,
        )

    @admin.display(description=gettext_lazy("payment"))
    def payment_column(self, entry):
        if entry.payment_id is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:payments_payment_change", args=[entry.payment_id]),
            entry.payment.reference,
        )

    @admin.display(description=gettext_lazy("allocations"))
    def allocations_column(self, entry):
        tranches = ledger_entry_allocations(entry)
        if not tranches:
            return _("This sale has no schedule yet: the money waits, unallocated.")
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("Tranche"),
            _("Amount"),
            _("From this entry"),
            _("Paid in all"),
        )
        rows = format_html_join(
            "",
            "<tr><td>{}. {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    tranche.position,
                    tranche.label,
                    money_format(tranche.amount, entry.currency),
                    money_format(tranche.entry_part, entry.currency),
                    money_format(tranche.paid, entry.currency),
                )
                for tranche in tranches
            ),
        )
        left = entry.amount - sum((tranche.entry_part for tranche in tranches), Decimal("0.00"))
        footer = format_html(
            '<tr><td colspan="2">{}</td><td>{}</td><td></td></tr>',
            _("Unallocated"),
            money_format(left, entry.currency),
        )
        return format_html('<table id="ledger-allocations">{}{}{}</table>', header, rows, footer)

    # The entry's page and its re-allocation --------------------------------------------------------

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/reallocate/",
                self.admin_site.admin_view(self.reallocate_view),
                name=f"{info}_reallocate",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_reallocate"] = obj is not None and may_reallocate(request.user)
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def reallocate_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404
        if not may_reallocate(request.user):
            raise PermissionDenied
        tranches = ledger_entry_allocations(entry)
        form = ReallocationForm(request.POST or None, tranches=tranches, entry=entry)
        change_url = reverse("admin:schedules_ledgerentry_change", args=[entry.pk])
        if request.method == "POST" and form.is_valid():
            try:
                ledger_reallocate(
                    entry=entry,
                    allocations=form.allocations(),
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except LedgerError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The entry's money was re-allocated."))
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Re-allocate %(entry)s") % {"entry": entry},
            "opts": self.opts,
            "entry": entry,
            "form": form,
            "change_url": change_url,
            "intro": _(
                "%(amount)s booked on %(date)s for the sale %(sale)s; what you leave out stays unallocated."
            )
            % {
                "amount": money_format(abs(entry.amount), entry.currency),
                "date": date_format(entry.booked_on, "SHORT_DATE_FORMAT"),
                "sale": entry.sale.reference,
            },
        }
        return TemplateResponse(request, "admin/schedules/ledgerentry/reallocate.html", context)
