from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_helpers import DeleteEachAdminMixin
from portal.audit.changes import form_values
from portal.money import money_format
from programmes.admin.scoping import ProgrammeScopedAdmin, ScopedRelatedFieldListFilter
from programmes.models import Lot
from programmes.services import lot_delete, lot_save


@admin.register(Lot)
class LotAdmin(DeleteEachAdminMixin, ProgrammeScopedAdmin, admin.ModelAdmin):
    list_display = [
        "number",
        "programme",
        "building_name",
        "type",
        "floor",
        "surface",
        "rooms",
        "price_display",
        "status",
    ]
    list_filter = [
        ("programme", ScopedRelatedFieldListFilter),
        "type",
        "status",
        ("building", ScopedRelatedFieldListFilter),
    ]
    list_select_related = ["programme", "building"]
    search_fields = ["number", "programme__name", "programme__code", "building__name"]
    ordering = ["programme__name", "number"]
    fields = ["programme", "building", "number", "type", "floor", "surface", "rooms", "price", "status"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("programme", "building__programme")

    def get_readonly_fields(self, request, obj=None):
        # A lot's status follows its sales (sales.stages); its programme is fixed once it exists.
        return ["status"] if obj is None else ["programme", "status"]

    @admin.display(description=_("building"), ordering="building__name")
    def building_name(self, obj):
        return obj.building.name if obj.building else ""

    @admin.display(description=_("price incl. tax"), ordering="price")
    def price_display(self, obj):
        return money_format(obj.price, obj.programme.currency)

    # Saving: through the services, which audit every change ---------------------------------

    def save_model(self, request, obj, form, change):
        lot_save(actor=request.user, lot=obj, values=form_values(form))

    def delete_model(self, request, obj):
        lot_delete(actor=request.user, lot=obj)
