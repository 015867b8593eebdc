"""Invoices in the back-office (SCH-6): issued from lines or uploaded, shared with the buyer.

An invoice is never edited once issued (its number and PDF are final); staff share or unshare it
from the list. The add page has the line inline for a generated invoice and a file and amounts
for an uploaded one; the service numbers, renders and stores it.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from portal.money import money_format
from programmes.admin.scoping import ProgrammeScopedAdmin, ScopedRelatedFieldListFilter
from sales.selectors import sales_visible_to
from schedules.models import Invoice, InvoiceLine
from schedules.services.invoices import (
    Amounts,
    LineInput,
    invoice_create_generated,
    invoice_create_uploaded,
    invoice_share,
    pdf_check,
)

SHARE_PERMISSION = "schedules.change_invoice"


def invoice_file_response(invoice: Invoice) -> FileResponse:
    """The stored PDF as an attachment under its number (staff and buyer alike)."""
    if not invoice.file or not default_storage.exists(invoice.file.name):
        raise Http404(_("This invoice has no file."))
    return FileResponse(
        default_storage.open(invoice.file.name, "rb"),
        as_attachment=True,
        filename=f"{invoice.number}.pdf",
        content_type="application/pdf",
    )


class InvoiceAddForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["sale", "source", "issued_on", "due_on", "file", "amount_net", "amount_vat", "amount_total"]
        help_texts = {
            "file": gettext_lazy("For an uploaded invoice only: the PDF as issued."),
            "amount_net": gettext_lazy("For an uploaded invoice only; a generated one adds up its lines."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sale"].queryset = sales_visible_to(user).select_related("programme").order_by("-pk")
        for name in ["amount_net", "amount_vat", "amount_total"]:
            self.fields[name].required = False
        self.fields["file"].widget.attrs["accept"] = "application/pdf"

    def clean(self):
        data = super().clean()
        if data.get("source") == Invoice.Source.UPLOADED:
            if not data.get("file"):
                self.add_error("file", _("Upload the invoice's PDF."))
            else:
                try:
                    pdf_check(data["file"])
                except ValidationError as error:
                    self.add_error("file", error)
            for name in ["amount_net", "amount_vat", "amount_total"]:
                if data.get(name) is None:
                    self.add_error(name, _("Give the invoice's amounts."))
        elif data.get("source") == Invoice.Source.GENERATED:
            # Placeholders: the service writes the sums of the lines.
            data.update(amount_net=Decimal("0"), amount_vat=Decimal("0"), amount_total=Decimal("0"))
            if data.get("file"):
                self.add_error("file", _("A generated invoice gets its PDF from its lines."))
        return data

    def _post_clean(self):
        # The model's checks (number, issuer) belong to the service; nothing to check here yet.
        pass


class LineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        lines = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if self.instance.source == Invoice.Source.GENERATED and not lines:
            raise ValidationError(_("A generated invoice needs at least one line."))
        if self.instance.source == Invoice.Source.UPLOADED and lines:
            raise ValidationError(_("An uploaded invoice has no lines: its PDF says what it is for."))


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    formset = LineFormSet
    fields = ["label", "quantity", "unit_price", "vat_rate"]
    extra = 3

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)


@admin.register(Invoice)
class InvoiceAdmin(ProgrammeScopedAdmin, admin.ModelAdmin):
    list_display = [
        "number",
        "sale_column",
        "programme",
        "issued_on",
        "due_on",
        "total_column",
        "source",
        "shared_with_buyer",
        "pdf_column",
    ]
    list_filter = ["shared_with_buyer", "source", ("programme", ScopedRelatedFieldListFilter)]
    search_fields = ["number", "sale__reference"]
    date_hierarchy = "issued_on"
    actions = ["share", "unshare"]
    inlines = [InvoiceLineInline]
    readonly_fields = [
        "number",
        "legal_entity",
        "sale",
        "programme",
        "source",
        "issued_on",
        "due_on",
        "amount_net",
        "amount_vat",
        "amount_total",
        "currency",
        "shared_with_buyer",
        "pdf_column",
        "created_by",
        "created_at",
    ]

    # Scope (ProgrammeScopedAdmin): the staff's programmes, on the list, the pages and the
    # downloads alike; another programme's invoice answers 404.
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sale", "programme")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = InvoiceAddForm

        class RequestForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return RequestForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return InvoiceAddForm.Meta.fields
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        # Issued invoices are final; their page is read-only, sharing is an action of the list.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_share_permission(self, request):
        return request.user.has_perm(SHARE_PERMISSION)

    def save_model(self, request, obj, form, change):
        # Written by the service once the lines are read (save_related): it numbers the invoice.
        pass

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        if data["source"] == Invoice.Source.UPLOADED:
            invoice = invoice_create_uploaded(
                sale=data["sale"],
                file=data["file"],
                amounts=Amounts(net=data["amount_net"], vat=data["amount_vat"], total=data["amount_total"]),
                issued_on=data["issued_on"],
                due_on=data["due_on"],
                actor=request.user,
            )
        else:
            lines = [
                LineInput(
                    label=line["label"],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                    vat_rate=line["vat_rate"],
                )
                for formset in formsets
                for line in formset.cleaned_data
                if line and not line.get("DELETE")
            ]
            invoice = invoice_create_generated(
                sale=data["sale"],
                lines=lines,
                issued_on=data["issued_on"],
                due_on=data["due_on"],
                actor=request.user,
            )
        # The admin goes on with the form's object (history entry, redirect): it becomes the
        # invoice; the lines were written by the service, not by the formsets.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        form.instance.__dict__.update({k: v for k, v in invoice.__dict__.items() if k != "_state"})
        form.instance._state.adding = False

    # Columns ---------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("sale"), ordering="sale__reference")
    def sale_column(self, obj):
        return obj.sale.reference

    @admin.display(description=gettext_lazy("amount including VAT"), ordering="amount_total")
    def total_column(self, obj):
        return money_format(obj.amount_total, obj.currency)

    @admin.display(description=gettext_lazy("PDF"))
    def pdf_column(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        url = reverse("admin:schedules_invoice_pdf", args=[obj.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download"))

    # Actions: share with the buyer or not --------------------------------------------------------

    @admin.action(description=gettext_lazy("Share with the buyer"), permissions=["share"])
    def share(self, request, queryset):
        self._share(request, queryset, shared=True)

    @admin.action(description=gettext_lazy("Stop sharing with the buyer"), permissions=["share"])
    def unshare(self, request, queryset):
        self._share(request, queryset, shared=False)

    def _share(self, request, queryset, *, shared: bool) -> None:
        count = 0
        for invoice in queryset:
            invoice_share(invoice=invoice, shared=shared, actor=request.user)
            count += 1
        if shared:
            message = ngettext(
                "%(count)s invoice shared with the buyer.", "%(count)s invoices shared with the buyer.", count
            )
        else:
            message = ngettext(
                "%(count)s invoice no longer shared with the buyer.",
                "%(count)s invoices no longer shared with the buyer.",
                count,
            )
        messages.success(request, message % {"count": count})

    # The PDF, access-checked ---------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/pdf/",
                self.admin_site.admin_view(require_safe(self.pdf_view)),
                name="schedules_invoice_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = self.get_object(request, unquote(object_id))
        if invoice is None:
            raise Http404
        return invoice_file_response(invoice)
