from zoneinfo import available_timezones

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.admin_helpers import DeleteEachAdminMixin
from portal.audit.changes import form_values
from portal.users.models import User
from programmes.admin.saving import inline_rows_save
from programmes.admin.scoping import ProgrammeScopedAdmin
from programmes.forms import ProgrammeAdminForm
from programmes.models import Building, Lot, Milestone, Programme
from programmes.services import (
    building_delete,
    building_save,
    milestone_delete,
    milestone_save,
    programme_delete,
    programme_save,
)

TIME_ZONE_CHOICES = [(name, name) for name in sorted(available_timezones())]


class BuildingInline(ProgrammeScopedAdmin, admin.TabularInline):
    model = Building
    extra = 0
    fields = ["name"]

    @staticmethod
    def row_save(*, actor, row, values):
        return building_save(actor=actor, building=row, values=values)

    @staticmethod
    def row_delete(*, actor, row):
        building_delete(actor=actor, building=row)

    def get_queryset(self, request):
        # Each row prints its building, whose name includes the programme's.
        return super().get_queryset(request).select_related("programme")


class MilestoneInline(ProgrammeScopedAdmin, admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["kind", "planned_date", "actual_date", "note"]
    ordering = ["planned_date"]

    @staticmethod
    def row_save(*, actor, row, values):
        return milestone_save(actor=actor, milestone=row, values=values)

    @staticmethod
    def row_delete(*, actor, row):
        milestone_delete(actor=actor, milestone=row)


@admin.register(Programme)
class ProgrammeAdmin(DeleteEachAdminMixin, ProgrammeScopedAdmin, admin.ModelAdmin):
    programme_path = ""
    form = ProgrammeAdminForm
    list_display = [
        "name",
        "code",
        "city",
        "status",
        "currency",
        "delivery_date",
        "lot_count",
        "available_count",
    ]
    list_filter = ["status", "currency", "country"]
    search_fields = ["name", "code", "city", "legal_entity"]
    filter_horizontal = ["staff"]
    inlines = [BuildingInline, MilestoneInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "status", "description"]}),
        (_("Location"), {"fields": ["address", "postcode", "city", "country", "latitude", "longitude"]}),
        (
            _("Sales"),
            {
                "fields": [
                    "legal_entity",
                    "currency",
                    "time_zone",
                    "escrow_iban",
                    "escrow_bic",
                    "delivery_date",
                ]
            },
        ),
        (_("Reservations by buyers"), {"fields": ["self_reservation_enabled", "reservation_hold_days"]}),
        (_("Assigned staff"), {"fields": ["staff"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                lot_count=Count("lots", distinct=True),
                available_count=Count("lots", filter=Q(lots__status=Lot.Status.AVAILABLE), distinct=True),
            )
        )

    @admin.display(description=_("lots"), ordering="lot_count")
    def lot_count(self, obj):
        return obj.lot_count

    @admin.display(description=_("available"), ordering="available_count")
    def available_count(self, obj):
        return obj.available_count

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return forms.ChoiceField(
                label=db_field.verbose_name.capitalize(), choices=TIME_ZONE_CHOICES, initial=db_field.default
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True).order_by(
                "last_name", "first_name", "email"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Saving: through the services, which audit every change -----------------------------------

    def save_model(self, request, obj, form, change):
        # The staff list too: programme_save records who was added or removed with the rest.
        programme_save(actor=request.user, programme=obj, values=form_values(form))

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): the staff were saved by programme_save, audited.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        inline = next(inline for inline in self.inlines if inline.model is formset.model)
        inline_rows_save(request, formset, save=inline.row_save, delete=inline.row_delete)

    def delete_model(self, request, obj):
        programme_delete(actor=request.user, programme=obj)
