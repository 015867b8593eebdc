"""Reads of sales files, already scoped to who asks and fetching what the pages show."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from portal.access import ModelT, Viewer, is_administrator, is_staff_member
from portal.users.models import User
from programmes.models import Lot, Programme
from programmes.selectors import programme_delivery_milestone, programmes_scope, programmes_visible_to
from sales.models import Buyer, Invitation, Sale, SaleAssignment, SaleBuyer, SaleLot, Stage

# Who is a party to a sale: one of its buyers (through his buyer record's login account), or a
# notary or partner agency assigned to it. Written here once; every selector of the client space
# (sales, calendar, payments, requests) builds on these.


def sale_ids_bought_by(user: User) -> QuerySet[Any, Any]:
    """The ids (`sale_id`) of the sales this user is one of the buyers of."""
    return SaleBuyer.objects.filter(buyer__user=user).order_by().values("sale_id")


def sales_party_to(user: User) -> QuerySet[Any, Any]:
    """The ids (`sale_id`) of the sales this user is a party to: as a buyer, or as the notary or
    partner agency assigned. One IN over a union of two indexed lookups: an OR of two EXISTS
    would read every sale."""
    assigned_to = SaleAssignment.objects.filter(user=user).order_by().values("sale_id")
    return sale_ids_bought_by(user).union(assigned_to)


def is_buyer_among(user: User, buyers: Iterable[SaleBuyer]) -> bool:
    """The rule on a sale's buyers already read (each with its buyer)."""
    return any(link.buyer.user_id == user.pk for link in buyers)


def is_party_among(user: User, *, buyers: Iterable[SaleBuyer], assignments: Iterable[SaleAssignment]) -> bool:
    """The rule on a sale's buyers and assignments already read, sparing a query."""
    return is_buyer_among(user, buyers) or any(assignment.user_id == user.pk for assignment in assignments)


def sales_visible_to(user: Viewer) -> QuerySet[Sale]:
    """The sales this user may see: staff their programmes', buyers their own, notaries and
    partners those they are assigned to. Anyone else: none."""
    sales = Sale.objects.all()
    if not (user.is_authenticated and user.is_active):
        return sales.none()
    if is_administrator(user) or is_staff_member(user):
        return programmes_scope(sales, user, "programme")
    return sales.filter(pk__in=sales_party_to(user))


# An option whose hold ends within this delay is shown to its sellers (staff home page, sales list).
HOLD_WARNING = timedelta(days=3)


def holds_ending_soon(sales: QuerySet[Sale]) -> QuerySet[Sale]:
    """Options among `sales` whose hold ends within HOLD_WARNING from now."""
    now = timezone.now()
    return sales.filter(stage=Stage.OPTION, hold_until__gte=now, hold_until__lte=now + HOLD_WARNING)


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


def client_sales_list(user: Viewer) -> QuerySet[Sale]:
    """The client space's list of sales: a buyer's own, or a notary's or partner's assigned."""
    return _with_page_data(sales_visible_to(user)).order_by("-created_at")


def client_sales_overview(user: Viewer) -> QuerySet[Sale]:
    """The client-space dashboard's sales, with their programme (their lots and buyers: see
    sales_summaries)."""
    return sales_visible_to(user).select_related("programme").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class SaleSummary:
    """What a list of the client space shows of a sale's lots and buyers."""

    lots: str  # "Apartment A12, Parking P03", by lot number
    buyers: list[str]  # the main buyer first


def sales_summaries(sale_ids: list[int]) -> dict[int, SaleSummary]:
    """The lots and buyers of these sales (already scoped by the caller), in two queries of plain
    values: a list shows them on every row, and prefetched rows cost several times as much."""
    lots: dict[int, list[str]] = {sale_id: [] for sale_id in sale_ids}
    buyers: dict[int, list[str]] = {sale_id: [] for sale_id in sale_ids}
    if sale_ids:
        type_labels = dict(Lot.Type.choices)
        lot_rows = (
            SaleLot.objects.filter(sale_id__in=sale_ids)
            .order_by("lot__number")
            .values_list("sale_id", "lot__type", "lot__number")
        )
        for sale_id, lot_type, number in lot_rows:
            lots[sale_id].append(f"{type_labels.get(lot_type, lot_type)} {number}")
        buyer_rows = (
            SaleBuyer.objects.filter(sale_id__in=sale_ids)
            .order_by("-is_main", "pk")
            .values_list("sale_id", "buyer__first_name", "buyer__last_name")
        )
        for sale_id, first_name, last_name in buyer_rows:
            buyers[sale_id].append(str(Buyer(first_name=first_name, last_name=last_name)))
    return {sale_id: SaleSummary(", ".join(lots[sale_id]), buyers[sale_id]) for sale_id in sale_ids}


# What the purchase page (space/templates/space/sale.html) shows of a sale and its parties.
SALE_PAGE_FIELDS = [
    "reference",
    "stage",
    "price",
    "contract_type",
    "contract_number",
    "partner_agency",
    "hold_until",
    "requested_by_buyer",
    "reservation_signed_on",
    "withdrawal_ends_on",
    "deed_planned_on",
    "deed_signed_on",
    "delivered_on",
    "cancelled_on",
    "created_at",
    "programme__name",
    "programme__currency",
    "programme__time_zone",
    "programme__delivery_date",
    "advisor__first_name",
    "advisor__last_name",
    "advisor__email",
    "advisor__phone",
]
PERSON_FIELDS = ["first_name", "last_name", "email", "phone"]


@dataclass
class SalePage:
    """A sale as its client-space page shows it, its lots, buyers and notaries or partners read
    in one query each (programme and advisor come with the sale)."""

    sale: Sale
    lots: list[SaleLot]  # in the order of their numbers, each with its lot and building
    buyers: list[SaleBuyer]  # the main buyer first, each with his buyer
    assignments: list[SaleAssignment]  # by role, each with its account


def client_sale_page(user: Viewer, sale_id: int) -> SalePage:
    """One sale for the client space; another person's sale does not exist for this user
    (Sale.DoesNotExist), whatever he asks.

    Who may see it is the rule of sales_visible_to. For its buyers, notaries and partners (who
    open this page) the rule is checked on the buyers and assignments the page reads anyway,
    which spares building a subquery on every view; staff go through sales_visible_to itself."""
    if not (user.is_authenticated and user.is_active):
        raise Sale.DoesNotExist
    sale = (
        Sale.objects.select_related("programme", "advisor")
        .only(*SALE_PAGE_FIELDS)
        .annotate(delivery_milestone_day=programme_delivery_milestone())
        .get(pk=sale_id)
    )
    buyers = list(
        SaleBuyer.objects.filter(sale=sale)
        .select_related("buyer")
        .only("sale", "is_main", "buyer__user", *[f"buyer__{name}" for name in PERSON_FIELDS])
        .order_by("-is_main", "pk")
    )
    assignments = list(
        SaleAssignment.objects.filter(sale=sale)
        .select_related("user")
        .only("sale", "role", *[f"user__{name}" for name in PERSON_FIELDS])
        .order_by("role", "pk")
    )
    if is_administrator(user) or is_staff_member(user):
        allowed = sales_visible_to(user).filter(pk=sale.pk).exists()
    else:
        allowed = is_party_among(user, buyers=buyers, assignments=assignments)
    if not allowed:
        raise Sale.DoesNotExist
    lots = list(
        SaleLot.objects.filter(sale=sale)
        .select_related("lot__building")
        .only(
            "sale",
            "lot__number",
            "lot__type",
            "lot__floor",
            "lot__surface",
            "lot__rooms",
            "lot__building__name",
        )
        .order_by("lot__number")
    )
    return SalePage(sale=sale, lots=lots, buyers=buyers, assignments=assignments)


def buyer_for_user(user: Viewer) -> Buyer | None:
    return Buyer.objects.filter(user=user).first() if user.is_authenticated else None


def programmes_open_for_requests(user: User) -> QuerySet[Programme]:
    """Programmes where this buyer already has a sale and buyers may request reservations."""
    bought = Sale.objects.filter(pk__in=sale_ids_bought_by(user)).values("programme_id")
    return Programme.objects.filter(self_reservation_enabled=True, pk__in=bought)


def client_sale_calendar_get(user: Viewer, sale_id: int) -> Sale:
    """One sale of this user with its programme's calendar (`programme.milestones`, in order)."""
    return (
        sales_visible_to(user)
        .select_related("programme")
        .prefetch_related("programme__milestones")
        .get(pk=sale_id)
    )


def lots_open_for_requests(user: User) -> QuerySet[Lot]:
    """The available lots this buyer may ask to hold, in programmes open to his requests."""
    return (
        Lot.objects.filter(programme__in=programmes_open_for_requests(user), status=Lot.Status.AVAILABLE)
        .select_related("programme", "building")
        .order_by("programme__name", "number")
    )


def buyer_pending_requests(buyer: Buyer) -> QuerySet[Sale]:
    """The buyer's own reservation requests that still hold a lot (options he asked for)."""
    return Sale.objects.filter(sale_buyers__buyer=buyer, requested_by_buyer=True, stage=Stage.OPTION)


def lot_for_request_get(user: User, lot_id: int) -> Lot:
    """A lot of a programme open to this buyer's requests, whatever its status (DoesNotExist else)."""
    return (
        Lot.objects.filter(programme__in=programmes_open_for_requests(user))
        .select_related("programme")
        .get(pk=lot_id)
    )


# The back-office (sales admin) -------------------------------------------------------------


def buyers_scope(buyers: QuerySet[Buyer], user: Viewer) -> QuerySet[Buyer]:
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


# The columns of the back-office sales list, and what its rows show of a programme and an advisor.
ADMIN_LIST_FIELDS = ["reference", "price", "stage", "updated_at", "programme", "advisor"]
PROGRAMME_FIELDS = ["name", "currency"]
ADVISOR_FIELDS = ["first_name", "last_name", "email"]


def sales_for_admin_list(sales: QuerySet[Sale]) -> QuerySet[Sale]:
    """The rows of the back-office sales list, to count, filter and cut into pages;
    `sales_list_page` reads one page of them."""
    return sales.prefetch_related(None).only(*ADMIN_LIST_FIELDS)


def sales_list_page(
    page: QuerySet[Sale], *, programmes: dict[int, Programme], advisors: dict[int, User]
) -> list[Sale]:
    """One page of `sales_for_admin_list` (sliced or not), each sale with its programme and
    advisor, `main_buyer_name` (None without a main buyer) and `lot_numbers`, its lots' numbers
    in order: two queries whatever the length of the page.

    The programmes and advisors come from those the list's filters read already ({key: object},
    the user's programmes and their staff); one more query reads any the page has beyond them
    (an advisor no longer on a programme's staff). The main buyer comes through a join on the
    page's query only (a sale has at most one), so counting the whole list does not pay for it."""
    main_buyer = FilteredRelation("sale_buyers", condition=Q(sale_buyers__is_main=True))
    sales = list(
        page.annotate(
            main_buyer_link=main_buyer,
            main_buyer_first_name=F("main_buyer_link__buyer__first_name"),
            main_buyer_last_name=F("main_buyer_link__buyer__last_name"),
        )
    )
    programme_ids = {sale.programme_id for sale in sales}
    advisor_ids = {sale.advisor_id for sale in sales if sale.advisor_id}
    programmes = programmes | _missing(Programme, PROGRAMME_FIELDS, programmes, programme_ids)
    advisors = advisors | _missing(User, ADVISOR_FIELDS, advisors, advisor_ids)
    numbers: dict[int, list[str]] = {sale.pk: [] for sale in sales}
    if numbers:
        links = SaleLot.objects.filter(sale__in=list(numbers)).order_by("lot__number", "pk")
        for sale_id, number in links.values_list("sale_id", "lot__number"):
            numbers[sale_id].append(number)
    for sale in sales:
        sale.programme = programmes[sale.programme_id]
        sale.advisor = advisors[sale.advisor_id] if sale.advisor_id else None
        first, last = sale.main_buyer_first_name, sale.main_buyer_last_name
        sale.main_buyer_name = None if first is None and last is None else f"{first or ''} {last or ''}"
        sale.lot_numbers = numbers[sale.pk]
    return list(sales)


def _missing(
    model: type[ModelT], fields: list[str], known: dict[int, ModelT], keys: set[int]
) -> dict[int, ModelT]:
    """The objects of these keys that `known` does not hold, read in one query (none if all are)."""
    missing = keys - known.keys()
    if not missing:
        return {}
    return {obj.pk: obj for obj in model._default_manager.filter(pk__in=missing).only(*fields)}
