"""Reads of programmes and lots for the back-office, scoped to the staff member who asks."""

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.access import ModelT, Viewer, is_administrator, visible_programmes
from portal.users.models import User
from portal.users.roles import Role
from programmes.models import Lot, Milestone, Programme


def programmes_visible_to(user: Viewer) -> QuerySet[Programme]:
    return visible_programmes(user, Programme.objects.all())


def programmes_scope(queryset: QuerySet[ModelT], user: Viewer, path: str) -> QuerySet[ModelT]:
    """Keep the rows of `queryset` whose programme, reached through `path`, this user may see.

    `path` is a lookup from the queryset's model to its programme ("programme",
    "sale__programme"), or "" when the queryset holds programmes. The filter is a subquery, so
    scoping costs no query of its own.
    """
    if is_administrator(user):
        return queryset
    lookup = f"{path}__in" if path else "pk__in"
    return queryset.filter(**{lookup: programmes_visible_to(user).values("pk")})


def lots_available_to(user: Viewer, *, programme: Programme | None = None) -> QuerySet[Lot]:
    """The available lots a staff member may put in a new sale, labelled with their programme."""
    lots = programmes_scope(Lot.objects.filter(status=Lot.Status.AVAILABLE), user, "programme")
    if programme is not None:
        lots = lots.filter(programme=programme)
    return lots.select_related("programme", "building").order_by("programme__name", "number")


def staff_of_programmes_visible_to(user: Viewer) -> QuerySet[User]:
    """The staff, active or not, assigned to this user's programmes (to every programme, for an
    administrator): the advisors his sales may have. Read through the programmes' staff table,
    so the cost does not grow with the number of sales or of accounts."""
    assigned = Programme.staff.through.objects.all()
    if not is_administrator(user):
        assigned = assigned.filter(programme__in=programmes_visible_to(user).values("pk"))
    return User.objects.filter(is_staff=True, pk__in=assigned.values("user_id"))


ADVISOR_ROLES = [Role.SALES.value, Role.ADMINISTRATOR.value]


def advisors_available_to(user: Viewer) -> QuerySet[User]:
    """The staff a sale of this user's programmes may be given to as its advisor: sales staff and
    administrators (accountants and customer service work on a programme but sell nothing)."""
    staff = (
        User.objects.filter(is_staff=True, is_active=True, groups__name__in=ADVISOR_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
    if is_administrator(user):
        return staff
    return staff.filter(assigned_programmes__in=programmes_visible_to(user).values("pk")).distinct()


def programme_delivery_milestone(programme_ref: str = "programme_id") -> Subquery:
    """For a query whose rows have a programme (`programme_ref`): its delivery milestone's date,
    the actual one once known, else the planned one; NULL without such a milestone."""
    return Subquery(
        Milestone.objects.filter(programme_id=OuterRef(programme_ref), kind=Milestone.Kind.DELIVERY)
        .annotate(day=Coalesce("actual_date", "planned_date"))
        .order_by()
        .values("day")[:1]
    )


def programme_delivery_date(programme: Programme, milestone_day: date | None) -> date | None:
    """The one delivery date buyers are shown: the delivery milestone's
    (programme_delivery_milestone), else the programme's planned delivery."""
    return milestone_day or programme.delivery_date
