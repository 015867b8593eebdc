from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programmes.admin.scoping import ScopedRelatedFieldListFilter
from programmes.selectors import programmes_visible_to, staff_of_programmes_visible_to
from sales.models import Stage


class ProgrammeListFilter(ScopedRelatedFieldListFilter):
    """The user's programmes, read as their keys and names only: all the filter shows."""

    def field_choices(self, field, request, model_admin):
        programmes = programmes_visible_to(request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            programmes = programmes.order_by(*ordering)
        return list(programmes.values_list("pk", "name"))  # a programme's label is its name


class AdvisorListFilter(admin.RelatedFieldListFilter):
    """The sales' advisor, among the staff of the user's programmes.

    Offering only the advisors some sale has (Django's RelatedOnlyFieldListFilter) takes a
    DISTINCT over every sale the user sees, on every page of the list; the staff of his
    programmes are the people a sale of his may be given to, read from a small table.
    """

    def field_choices(self, field, request, model_admin):
        staff = staff_of_programmes_visible_to(request.user).only("first_name", "last_name", "email")
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            staff = staff.order_by(*ordering)
        return [(user.pk, str(user)) for user in staff]


class RequestFilter(admin.SimpleListFilter):
    """Reservations asked for by buyers from their client space (SAL-4)."""

    title = _("reservation request")
    parameter_name = "request"

    def lookups(self, request, model_admin):
        return [("pending", _("Pending")), ("confirmed", _("Confirmed")), ("held", _("Lots held by staff"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(
                requested_by_buyer=True, request_confirmed_at__isnull=True, stage=Stage.OPTION
            )
        if self.value() == "confirmed":
            return queryset.filter(requested_by_buyer=True, request_confirmed_at__isnull=False)
        if self.value() == "held":
            return queryset.filter(requested_by_buyer=False, stage=Stage.OPTION, hold_until__isnull=False)
        return queryset
