from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sales.models import Stage


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
