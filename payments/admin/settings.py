"""How each programme takes payments, the sales' own deposits, and the read-only lists behind
the payments: refunds and the provider's webhook events."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from payments.admin.forms import DepositOverrideForm
from payments.models import DepositOverride, PaymentSettings, Refund, WebhookEvent
from payments.services.settings import (
    deposit_override_delete,
    deposit_override_save,
    payment_settings_delete,
    payment_settings_save,
)
from portal.access import is_administrator
from portal.admin_helpers import DeleteEachAdminMixin, ReadOnlyAdminMixin
from portal.admin_titles import FormTitlesMixin
from portal.audit.changes import form_values
from programmes.admin.scoping import ProgrammeScopedAdmin, ScopedRelatedFieldListFilter


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(FormTitlesMixin, DeleteEachAdminMixin, ProgrammeScopedAdmin, admin.ModelAdmin):
    """One row per programme (PAY-1, PAY-3): accountants and administrators change it, others read it."""

    form_titles = {
        "add_button": _("Set a programme's payments"),
        "add": _("Set a programme's payments"),
        "change": _("Change the payment settings"),
        "view": _("The payment settings"),
    }
    list_display = ["programme", "deposit_kind", "deposit_percent", "deposit_amount", "link_valid_days"]
    list_select_related = ["programme"]
    list_filter = [("programme", ScopedRelatedFieldListFilter), "deposit_kind"]
    fieldsets = [
        (None, {"fields": ["programme"]}),
        (
            _("Deposit"),
            {"fields": ["deposit_kind", "deposit_percent", "deposit_amount", "deposit_request_stage"]},
        ),
        (
            _("Methods of payment"),
            {
                "fields": [
                    "accept_card",
                    "accept_sepa_debit",
                    "accept_blik",
                    "accept_p24",
                    "accept_transfer",
                    "escrow_stripe_account",
                ]
            },
        ),
        (
            _("Links, reminders and refunds"),
            {"fields": ["link_valid_days", "reminder_days", "last_refundable_stage"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The programme is the row's key: a saved row stays with its programme.
        return ["programme"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        payment_settings_save(actor=request.user, rules=obj, values=form_values(form))

    def delete_model(self, request, obj):
        payment_settings_delete(actor=request.user, rules=obj)


@admin.register(DepositOverride)
class DepositOverrideAdmin(FormTitlesMixin, DeleteEachAdminMixin, ProgrammeScopedAdmin, admin.ModelAdmin):
    """A sale's own deposit, refused above the legal cap (checked by the form, rule named)."""

    form_titles = {
        "add_button": _("Give a sale its own deposit"),
        "add": _("Give a sale its own deposit"),
        "change": _("Change the sale's own deposit"),
        "view": _("The sale's own deposit"),
    }
    programme_path = "sale__programme"
    form = DepositOverrideForm
    list_display = ["sale", "programme", "amount", "reason"]
    list_select_related = ["sale__programme"]
    list_filter = [("sale__programme", ScopedRelatedFieldListFilter)]
    search_fields = ["sale__reference", "reason"]
    autocomplete_fields = ["sale"]

    def get_readonly_fields(self, request, obj=None):
        return ["sale"] if obj is not None else []

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sale__programme")

    def save_model(self, request, obj, form, change):
        deposit_override_save(actor=request.user, override=obj, values=form_values(form))

    def delete_model(self, request, obj):
        deposit_override_delete(actor=request.user, override=obj)

    @admin.display(description=_("programme"), ordering="sale__programme__name")
    def programme(self, obj):
        return obj.sale.programme


@admin.register(Refund)
class RefundAdmin(FormTitlesMixin, ProgrammeScopedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Refunds are asked for from a payment's page; here they are only listed."""

    form_titles = {
        "view": _("The refund"),
        "change": _("The refund"),
    }
    programme_path = "payment__programme"
    list_display = [
        "payment",
        "programme",
        "amount",
        "state",
        "provider",
        "requested_by",
        "created_at",
        "settled_at",
    ]
    list_filter = ["state", ("payment__programme", ScopedRelatedFieldListFilter), "provider"]
    list_select_related = ["payment__programme", "requested_by"]
    search_fields = ["payment__reference", "payment__creditor_reference", "reason"]
    fields = [
        "payment",
        "amount",
        "reason",
        "state",
        "provider",
        "provider_refund_id",
        "requested_by",
        "created_at",
        "settled_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment__programme", "requested_by")

    @admin.display(description=_("programme"), ordering="payment__programme__name")
    def programme(self, obj):
        return obj.payment.programme


@admin.register(WebhookEvent)
class WebhookEventAdmin(FormTitlesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The provider's events as received: they span every programme, so administrators only."""

    form_titles = {
        "view": _("The webhook event"),
        "change": _("The webhook event"),
    }
    # An event that came before its payment was ready waits (waiting since) and is applied when
    # the payment catches up: administrators see which ones still wait, and for which payment.
    list_display = [
        "event_id",
        "type",
        "provider",
        "payment",
        "occurred_at",
        "received_at",
        "waiting_since",
        "processed_at",
        "failed",
    ]
    list_filter = [
        "provider",
        "type",
        ("processed_at", admin.EmptyFieldListFilter),
        ("waiting_since", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["payment"]
    search_fields = ["event_id", "type", "provider_payment_id"]
    fields = [
        "provider",
        "event_id",
        "type",
        "payment",
        "occurred_at",
        "received_at",
        "waiting_since",
        "processed_at",
        "error",
        "payload",
    ]
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_module_permission(self, request):
        return is_administrator(request.user)

    @admin.display(description=_("failed"), boolean=True)
    def failed(self, obj):
        return bool(obj.error)
