from django.conf import settings
from django.contrib import admin
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.admin_helpers import DeleteEachAdminMixin
from portal.admin_titles import FormTitlesMixin
from portal.audit.changes import form_values
from programmes.admin.scoping import ProgrammeScopedAdmin
from sales.admin.display import access_state
from sales.admin.unassigned import UnassignedNoticeMixin
from sales.forms import BuyerAdminForm
from sales.models import Buyer, Invitation, SaleBuyer
from sales.selectors import buyers_scope, sales_visible_to
from sales.services import buyer_delete, buyer_save


@admin.register(Buyer)
class BuyerAdmin(
    FormTitlesMixin, UnassignedNoticeMixin, DeleteEachAdminMixin, ProgrammeScopedAdmin, admin.ModelAdmin
):
    form_titles = {
        "add_button": _("Add a buyer"),
        "list": _("Buyers"),
        "add": _("Add a buyer"),
        "change": _("Change the buyer"),
        "view": _("The buyer"),
    }
    form = BuyerAdminForm
    list_display = ["last_name", "first_name", "email", "phone", "language", "sale_list"]
    list_filter = ["language", "civility"]
    search_fields = ["last_name", "first_name", "email", "phone"]
    readonly_fields = ["sale_list", "access", "created_at"]
    fieldsets = [
        (None, {"fields": ["civility", "first_name", "last_name", "email", "phone", "language"]}),
        (_("Address"), {"fields": ["address", "postcode", "city", "country"]}),
        (_("Sales and access"), {"fields": ["sale_list", "access", "created_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        # A buyer being added has no sales and no access yet.
        return self.fieldsets if obj is not None else self.fieldsets[:2]

    def scope_queryset(self, request, queryset):
        return buyers_scope(queryset, request.user)

    def get_queryset(self, request):
        pending = Invitation.objects.pending().filter(buyer=OuterRef("pk")).order_by("-expires_at")
        # Only the sales this user may see, even of a buyer who also buys elsewhere.
        links = (
            SaleBuyer.objects.filter(sale__in=sales_visible_to(request.user).values("pk"))
            .select_related("sale")
            .order_by("sale__reference")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(invited_until=Subquery(pending.values("expires_at")[:1]))
            .prefetch_related(Prefetch("sale_buyers", queryset=links, to_attr="visible_links"))
        )

    @admin.display(description=_("sales"))
    def sale_list(self, obj):
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:sales_sale_change", args=[link.sale_id]), link.sale.reference)
                    for link in obj.visible_links
                ),
            )
            or "–"
        )

    @admin.display(description=_("access to the client space"))
    def access(self, obj):
        return format_html("{}", access_state(obj, obj.invited_until, settings.TIME_ZONE))

    # Saving: through the services, which audit every change ---------------------------------

    def save_model(self, request, obj, form, change):
        buyer_save(actor=request.user, buyer=obj, values=form_values(form))

    def delete_model(self, request, obj):
        buyer_delete(actor=request.user, buyer=obj)
