"""The payment lists of the back-office (PAY-10): "all payments" and "my payments".

Both show the payments of the user's programmes ("my payments": of the sales he advises), each
row marked while this user has not read it. Nothing is added, changed or deleted through the
admin's own forms: a payment's page shows its details, its log and its refunds, and its buttons
call the services (payments.admin.views).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from payments.admin.display import amount_of, attempts_text, event_lines, provider_label, when
from payments.admin.requests import PaymentRequestViews
from payments.admin.views import (
    RECONCILE_PERMISSION,
    RECORD_PERMISSION,
    REFUND_PERMISSION,
    REQUEST_PERMISSION,
    PaymentAdminViews,
)
from payments.errors import PaymentError
from payments.models import MONEY_RECEIVED_STATUSES, OPEN_STATUSES, MyPayment, Payment, Receipt, Status
from payments.selectors import payments_for_admin_list, payments_scope
from payments.services.lists import payment_reconcile, payments_mark_read
from portal.admin_helpers import ReadOnlyAdminMixin
from portal.admin_titles import FormTitlesMixin
from programmes.admin.scoping import ProgrammeScopedAdmin, ScopedRelatedFieldListFilter
from sales.admin.unassigned import UnassignedNoticeMixin

REFUNDABLE_STATUSES = {Status.PAID, Status.PARTLY_REFUNDED, Status.REFUND_REQUESTED}


class ReconciledFilter(admin.SimpleListFilter):
    title = _("reconciled")
    parameter_name = "reconciled"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(reconciled_at__isnull=self.value() == "no")
        return queryset


class ReadFilter(admin.SimpleListFilter):
    """Read or not by the user looking at the list (the `is_read` of payments_for_admin_list)."""

    title = _("read by me")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_read=self.value() == "yes")
        return queryset


class BasePaymentAdmin(
    FormTitlesMixin,
    UnassignedNoticeMixin,
    PaymentAdminViews,
    ProgrammeScopedAdmin,
    ReadOnlyAdminMixin,
    admin.ModelAdmin,
):
    form_titles = {
        "view": _("The payment"),
        "change": _("The payment"),
    }
    # The key columns first (what, whose, how much, where it stands), so they stay in view at 1280 px.
    list_display = [
        "reference_column",
        "buyer",
        "sale_column",
        "amount_column",
        "status",
        "programme",
        "kind",
        "method",
        "attempts_column",
        "requested_at",
        "paid_at_column",
        "reconciled",
    ]
    list_display_links = ["reference_column"]
    list_filter = [
        "status",
        ("programme", ScopedRelatedFieldListFilter),
        "method",
        "kind",
        ReconciledFilter,
        ReadFilter,
        ("created_at", admin.DateFieldListFilter),
        ("paid_at", admin.DateFieldListFilter),
    ]
    search_fields = [
        "reference",
        "creditor_reference",
        "buyer__last_name",
        "buyer__first_name",
        "buyer__email",
        "sale__reference",
    ]
    search_help_text = _("Reference, transfer reference (RF…), buyer's name or email, sale reference.")
    list_select_related = ["sale", "buyer", "programme"]
    actions = ["mark_read", "mark_unread", "reconcile_selected"]
    change_list_template = "admin/payments/payment/change_list.html"
    change_form_template = "admin/payments/payment/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "creditor_reference",
                    "kind",
                    "sale_column",
                    "buyer_column",
                    "programme",
                    "amount_column",
                    "status_column",
                    "method",
                    "channel",
                    "due_on",
                ]
            },
        ),
        (
            _("Money"),
            {
                "fields": [
                    "paid_column",
                    "refunded_column",
                    "paid_at_column",
                    "provider_column",
                    "provider_payment_id",
                    "reconciled_column",
                ]
            },
        ),
        (_("Request"), {"fields": ["requested_by", "requested_at", "link_expires_column"]}),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    class Media:
        css = {"all": ["payments/admin.css"]}

    # Scope and permissions -----------------------------------------------------------------------

    def scope_queryset(self, request, queryset):
        return payments_scope(queryset, request.user)

    def get_queryset(self, request):
        return payments_for_admin_list(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        # The page also shows who asked and who reconciled, and links the receipt.
        queryset = self.get_queryset(request).select_related(
            "requested_by", "reconciled_by", "receipt__programme"
        )
        try:
            return queryset.get(pk=self.model._meta.pk.to_python(object_id))
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    # Both lists use the permissions of payments (the proxy model has none of its own in the roles).
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("payments.view_payment")

    def has_reconcile_permission(self, request):
        return request.user.has_perm(RECONCILE_PERMISSION)

    # The columns -----------------------------------------------------------------------------------

    @admin.display(description=_("reference"), ordering="reference")
    def reference_column(self, obj):
        if getattr(obj, "is_read", True):
            return obj.reference
        # Unread in words as well as in weight, so screen readers tell the rows apart too.
        return format_html(
            '<span class="payments-unread"><span class="payments-badge">{}</span>{}</span>',
            gettext("New"),
            obj.reference,
        )

    @admin.display(description=_("sale"), ordering="sale__reference")
    def sale_column(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:sales_sale_change", args=[obj.sale_id]), obj.sale.reference
        )

    @admin.display(description=_("buyer"))
    def buyer_column(self, obj):
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:sales_buyer_change", args=[obj.buyer_id]),
            obj.buyer,
            obj.buyer.email,
        )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_column(self, obj):
        return amount_of(obj, obj.amount)

    @admin.display(description=_("paid"))
    def paid_column(self, obj):
        return amount_of(obj, obj.amount_paid)

    @admin.display(description=_("refunded"))
    def refunded_column(self, obj):
        return amount_of(obj, obj.amount_refunded)

    @admin.display(description=_("status"))
    def status_column(self, obj):
        return format_html(
            "{} · {}",
            obj.get_status_display(),
            when(obj.status_changed_at, obj.programme.time_zone),
        )

    @admin.display(description=_("attempts"), ordering="attempts")
    def attempts_column(self, obj):
        return attempts_text(obj)

    @admin.display(description=_("requested at"), ordering="created_at")
    def requested_at(self, obj):
        return when(obj.created_at, obj.programme.time_zone)

    @admin.display(description=_("paid at"), ordering="paid_at")
    def paid_at_column(self, obj):
        return when(obj.paid_at, obj.programme.time_zone)

    @admin.display(description=_("processed by"))
    def provider_column(self, obj):
        return provider_label(obj.provider)

    @admin.display(description=_("link valid until"))
    def link_expires_column(self, obj):
        return when(obj.link_expires_at, obj.programme.time_zone)

    @admin.display(description=_("reconciled"), boolean=True, ordering="reconciled_at")
    def reconciled(self, obj):
        return obj.reconciled_at is not None

    @admin.display(description=_("reconciled"))
    def reconciled_column(self, obj):
        if obj.reconciled_at is None:
            return gettext("No")
        return gettext("%(moment)s by %(who)s") % {
            "moment": when(obj.reconciled_at, obj.programme.time_zone),
            "who": obj.reconciled_by or gettext("someone no longer on staff"),
        }

    # The list: export links, actions ------------------------------------------------------------

    def _url(self, view: str, *args) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        suffix = f"?{query}" if query else ""
        context = {
            "title": self.list_title,
            "export_csv_url": self._url("export", "csv") + suffix,
            "export_xlsx_url": self._url("export", "xlsx") + suffix,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    @admin.action(description=_("Mark as read"))
    def mark_read(self, request, queryset):
        self._mark(request, queryset, read=True)

    @admin.action(description=_("Mark as unread"))
    def mark_unread(self, request, queryset):
        self._mark(request, queryset, read=False)

    def _mark(self, request, queryset, *, read: bool) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        payments_mark_read(user=request.user, payment_ids=ids, read=read)
        text = (
            ngettext("%(count)d payment marked as read.", "%(count)d payments marked as read.", len(ids))
            if read
            else ngettext(
                "%(count)d payment marked as unread.", "%(count)d payments marked as unread.", len(ids)
            )
        )
        messages.success(request, text % {"count": len(ids)})

    @admin.action(description=_("Reconcile"), permissions=["reconcile"])
    def reconcile_selected(self, request, queryset):
        done = 0
        for payment in queryset.order_by("pk"):
            try:
                done += 1 if payment_reconcile(actor=request.user, payment=payment) else 0
            except PaymentError as error:
                messages.error(request, str(error))
        text = ngettext("%(count)d payment reconciled.", "%(count)d payments reconciled.", done)
        messages.add_message(request, messages.SUCCESS if done else messages.WARNING, text % {"count": done})

    # A payment's page: details, log, refunds, receipt and the buttons its status allows ---------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.payment_page_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def payment_page_context(self, request, payment) -> dict:
        user, status = request.user, payment.status
        may_request = user.has_perm(REQUEST_PERMISSION)
        may_reconcile = user.has_perm(RECONCILE_PERMISSION)
        try:
            receipt = payment.receipt
        except Receipt.DoesNotExist:
            receipt = None
        operations = {
            "cancel": may_request and status in OPEN_STATUSES,
            "renew": may_request and status in [*OPEN_STATUSES, Status.EXPIRED],
            "reconcile": may_reconcile
            and status in MONEY_RECEIVED_STATUSES
            and payment.reconciled_at is None,
            "unreconcile": may_reconcile and payment.reconciled_at is not None,
            # The reader's own mark, by a button: opening the page (a GET) writes nothing.
            "read": not payment.is_read,
            "unread": payment.is_read,
        }
        return {
            "events": event_lines(payment, payment.events.select_related("actor")),
            "refunds": list(payment.refunds.select_related("requested_by")),
            "receipt": receipt if receipt is not None and receipt.file else None,
            "receipt_url": self._url("receipt", payment.pk),
            "operation_urls": {
                name: self._url("operation", payment.pk, name)
                for name, allowed in operations.items()
                if allowed
            },
            "transfer_url": self._url("transfer", payment.pk)
            if user.has_perm(RECORD_PERMISSION)
            and status in [*OPEN_STATUSES, Status.PROCESSING, Status.EXPIRED]
            else "",
            "refund_url": self._url("refund", payment.pk)
            if user.has_perm(REFUND_PERMISSION)
            and status in REFUNDABLE_STATUSES
            and payment.refundable_amount > 0
            else "",
        }


@admin.register(Payment)
class PaymentAdmin(PaymentRequestViews, BasePaymentAdmin):
    list_title = _("All payments")


@admin.register(MyPayment)
class MyPaymentAdmin(BasePaymentAdmin):
    """The payments of the sales this user advises."""

    list_title = _("My payments")

    def scope_queryset(self, request, queryset):
        return super().scope_queryset(request, queryset).filter(sale__advisor=request.user)
