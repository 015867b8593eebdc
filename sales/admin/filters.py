from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programmes.admin.scoping import ScopedRelatedFieldListFilter
from programmes.selectors import programmes_visible_to, staff_of_programmes_visible_to
from sales.models import Stage
from sales.selectors import ADVISOR_FIELDS, PROGRAMME_FIELDS, holds_ending_soon


def list_programmes(request, ordering=()) -> dict:
    """The user's programmes, read once per request for the sales list, by key: the programme
    filter offers them and the rows show them (their name and currency)."""
    cached = getattr(request, "_sales_list_programmes", None)
    if cached is None:
        programmes = programmes_visible_to(request.user).only(*PROGRAMME_FIELDS)
        if ordering:
            programmes = programmes.order_by(*ordering)
        cached = request._sales_list_programmes = {programme.pk: programme for programme in programmes}
    return cached


def list_advisors(request, ordering=()) -> dict:
    """The staff of the user's programmes, read once per request for the sales list, by key:
    the advisor filter offers them and the rows show them."""
    cached = getattr(request, "_sales_list_advisors", None)
    if cached is None:
        staff = staff_of_programmes_visible_to(request.user).only(*ADVISOR_FIELDS)
        if ordering:
            staff = staff.order_by(*ordering)
        cached = request._sales_list_advisors = {user.pk: user for user in staff}
    return cached


class ProgrammeListFilter(ScopedRelatedFieldListFilter):
    """The user's programmes (list_programmes, which the rows use too)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(pk, str(programme)) for pk, programme in list_programmes(request, ordering).items()]


class AdvisorListFilter(admin.RelatedFieldListFilter):
    """The sales' advisor, among the staff of the user's programmes (list_advisors).

    Offering only the advisors some sale has (Django's RelatedOnlyFieldListFilter) takes a
    DISTINCT over every sale the user sees, on every page of the list; the staff of his
    programmes are the people a sale of his may be given to, read from a small table.
    """

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(pk, str(user)) for pk, user in list_advisors(request, ordering).items()]


class HoldEndingFilter(admin.SimpleListFilter):
    """Options whose hold ends soon: the staff home page's panel opens the list with it."""

    title = _("option")
    parameter_name = "hold"

    def lookups(self, request, model_admin):
        return [("ending", _("Ending within 3 days"))]

    def queryset(self, request, queryset):
        return holds_ending_soon(queryset) if self.value() == "ending" else queryset


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
