"""Reads of sales files, already scoped to who asks and fetching what the pages show."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from portal.access import is_administrator, is_staff_member
from programmes.models import Lot, Programme
from programmes.selectors import programmes_scope, programmes_visible_to
from sales.models import Buyer, Invitation, Sale, SaleAssignment, SaleBuyer, SaleLot


def sales_visible_to(user) -> QuerySet[Sale]:
    """The sales this user may see: staff their programmes', buyers their own, notaries and
    partners those they are assigned to. Anyone else: none."""
    sales = Sale.objects.all()
    if not (user.is_authenticated and user.is_active):
        return sales.none()
    if is_administrator(user) or is_staff_member(user):
        return programmes_scope(sales, user, "programme")
    # One IN over a union of two indexed lookups: an OR of two EXISTS would read every sale.
    party_of = SaleBuyer.objects.filter(buyer__user=user).order_by().values("sale_id")
    assigned_to = SaleAssignment.objects.filter(user=user).order_by().values("sale_id")
    return sales.filter(pk__in=party_of.union(assigned_to))


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


def client_sales_overview(user) -> QuerySet[Sale]:
    """The client-space dashboard's sales, with their programme, lots and buyers only."""
    return (
        sales_visible_to(user)
        .select_related("programme")
        .prefetch_related(
            Prefetch("sale_lots", queryset=SaleLot.objects.select_related("lot").order_by("lot__number")),
            Prefetch(
                "sale_buyers", queryset=SaleBuyer.objects.select_related("buyer").order_by("-is_main", "pk")
            ),
        )
        .order_by("-created_at", "-pk")
    )


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


def client_sale_calendar_get(user, sale_id: int) -> Sale:
    """One sale of this user with its programme's calendar (`programme.milestones`, in order)."""
    return (
        sales_visible_to(user)
        .select_related("programme")
        .prefetch_related("programme__milestones")
        .get(pk=sale_id)
    )


def lots_open_for_requests(user) -> QuerySet[Lot]:
    """The available lots this buyer may ask to hold, in programmes open to his requests."""
    return (
        Lot.objects.filter(programme__in=programmes_open_for_requests(user), status=Lot.Status.AVAILABLE)
        .select_related("programme", "building")
        .order_by("programme__name", "number")
    )


def lot_for_request_get(user, lot_id: int) -> Lot:
    """A lot of a programme open to this buyer's requests, whatever its status (DoesNotExist else)."""
    return (
        Lot.objects.filter(programme__in=programmes_open_for_requests(user))
        .select_related("programme")
        .get(pk=lot_id)
    )


# The back-office (sales admin) -------------------------------------------------------------


def buyers_scope(buyers: QuerySet[Buyer], user) -> QuerySet[Buyer]:
    """The buyers a staff member may see: those with a sale in his programmes, and those with
    no sale yet (a new buyer is recorded before his sale is opened)."""
    if is_administrator(user):
        return buyers
    if not is_staff_member(user):
        return buyers.none()
    links = SaleBuyer.objects.filter(buyer=OuterRef("pk"))
    in_my_programmes = Exists(links.filter(sale__programme__in=programmes_visible_to(user).values("pk")))
    return buyers.filter(in_my_programmes | ~Exists(links))


def sales_with_parties(sales: QuerySet[Sale]) -> QuerySet[Sale]:
    """Sales with what the back-office shows of them, in a fixed number of queries: programme,
    advisor, the sales linked by reactivation, lots, and buyers with their login account and
    the expiry of their pending access link (`invited_until`)."""
    pending = Invitation.objects.pending().filter(buyer=OuterRef("buyer")).order_by("-expires_at")
    buyers = (
        SaleBuyer.objects.select_related("buyer__user")
        .annotate(invited_until=Subquery(pending.values("expires_at")[:1]))
        .order_by("-is_main", "pk")
    )
    return sales.select_related(
        "programme", "advisor", "reactivated_from", "reactivated_as"
    ).prefetch_related(
        Prefetch(
            "sale_lots", queryset=SaleLot.objects.select_related("lot__programme").order_by("lot__number")
        ),
        Prefetch("sale_buyers", queryset=buyers),
    )


def sales_for_admin_list(sales: QuerySet[Sale]) -> QuerySet[Sale]:
    """The rows of the back-office sales list: the main buyer's name in the same query, the
    lots in one more, whatever the number of rows."""
    main_buyer = (
        SaleBuyer.objects.filter(sale=OuterRef("pk"), is_main=True)
        .annotate(name=Concat("buyer__first_name", Value(" "), "buyer__last_name"))
        .values("name")[:1]
    )
    return (
        sales.prefetch_related(None)
        .annotate(main_buyer_name=Subquery(main_buyer))
        .prefetch_related(
            Prefetch("sale_lots", queryset=SaleLot.objects.select_related("lot").order_by("lot__number"))
        )
    )
