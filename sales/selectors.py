"""Reads of sales files, already scoped to who asks and fetching what the pages show."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from portal.access import is_administrator, is_staff_member
from programmes.models import Programme
from sales.models import Buyer, Sale, SaleAssignment, SaleBuyer, SaleLot


def sales_visible_to(user) -> QuerySet[Sale]:
    """The sales this user may see: staff their programmes', buyers their own, notaries and
    partners those they are assigned to. Anyone else: none."""
    sales = Sale.objects.all()
    if not (user.is_authenticated and user.is_active):
        return sales.none()
    if is_administrator(user):
        return sales
    if is_staff_member(user):
        return sales.filter(programme__staff=user)
    is_party = Exists(SaleBuyer.objects.filter(sale=OuterRef("pk"), buyer__user=user))
    is_assigned = Exists(SaleAssignment.objects.filter(sale=OuterRef("pk"), user=user))
    return sales.filter(is_party | is_assigned)


def _with_page_data(sales: QuerySet[Sale]) -> QuerySet[Sale]:
    return sales.select_related("programme", "advisor").prefetch_related(
        Prefetch(
            "sale_lots", queryset=SaleLot.objects.select_related("lot__building").order_by("lot__number")
        ),
        Prefetch(
            "sale_buyers", queryset=SaleBuyer.objects.select_related("buyer").order_by("-is_main", "pk")
        ),
        Prefetch(
            "assignments", queryset=SaleAssignment.objects.select_related("user").order_by("role", "pk")
        ),
    )


def client_sales_list(user) -> QuerySet[Sale]:
    """The client space's list of sales: a buyer's own, or a notary's or partner's assigned."""
    return _with_page_data(sales_visible_to(user)).order_by("-created_at")


def client_sale_get(user, sale_id: int) -> Sale:
    """One sale for the client space; another person's sale does not exist for this user."""
    return _with_page_data(sales_visible_to(user)).get(pk=sale_id)


def buyer_for_user(user) -> Buyer | None:
    return Buyer.objects.filter(user=user).first() if user.is_authenticated else None


def programmes_open_for_requests(user) -> QuerySet[Programme]:
    """Programmes where this buyer already has a sale and buyers may request reservations."""
    return Programme.objects.filter(
        self_reservation_enabled=True, sales__sale_buyers__buyer__user=user
    ).distinct()
