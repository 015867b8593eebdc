"""Reads of the calls for funds (SCH-3): who a reached milestone concerns, the back-office lists."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from portal.access import Viewer, visible_programmes
from programmes.models import Milestone, Programme
from sales.models import LIVE_STAGES, Buyer, Sale, SaleBuyer, SaleLot, Stage
from schedules.models import CallBatch, CallForFunds, Tranche, Trigger

# A sale's deed is signed once its date is recorded or it has reached the deed (or delivery).
DEED_STAGES = [Stage.DEED_SIGNED, Stage.DELIVERED]


def deed_signed_q(prefix: str = "") -> Q:
    """Sales (through `prefix`, e.g. "sale__") whose deed is signed."""
    return Q(**{f"{prefix}deed_signed_on__isnull": False}) | Q(**{f"{prefix}stage__in": DEED_STAGES})


def sale_deed_signed(sale: Sale) -> bool:
    return sale.deed_signed_on is not None or sale.stage in DEED_STAGES


def call_tranches_concerned(*, programme: Programme, trigger: str) -> QuerySet[Tranche]:
    """The tranches a call for `trigger` goes to: still planned, of the programme's live sales
    whose deed is signed.

    In a VEFA (and a Polish developer agreement) the buyer owes nothing on the schedule before
    the deed: options, reservations and sales in their withdrawal period are never called. A sale
    whose deed is signed after a milestone was reached is called for it with its deed
    (`reached_tranches_of_sale`)."""
    tranches = Tranche.objects.filter(
        deed_signed_q("sale__"),
        sale__programme=programme,
        sale__stage__in=LIVE_STAGES,
        trigger=trigger,
        state=Tranche.State.PLANNED,
    )
    return tranches.order_by("sale_id", "position")


def reached_tranches_of_sale(sale: Sale) -> QuerySet[Tranche]:
    """A sale's planned tranches due by its deed: the deed's own and those of every milestone of
    its programme already reached (the buyer pays at the deed what the works allow, cumulated)."""
    reached = Milestone.objects.filter(
        programme_id=sale.programme_id,
        actual_date__isnull=False,
        kind__in=[trigger.value for trigger in Trigger if trigger != Trigger.DEED],
    ).values("kind")
    return (
        Tranche.objects.filter(sale_id=sale.pk, state=Tranche.State.PLANNED)
        .filter(Q(trigger=Trigger.DEED) | Q(trigger__in=reached))
        .order_by("position")
    )


def tranches_with_cumulated_percent(tranches: QuerySet[Tranche]) -> QuerySet[Tranche]:
    """Each tranche with `cumulated_percent`: the sum of its sale's percentages up to it."""
    up_to = (
        Tranche.objects.filter(sale=OuterRef("sale"), position__lte=OuterRef("position"))
        .order_by()
        .values("sale")
        .annotate(total=Sum("percent"))
        .values("total")
    )
    return tranches.annotate(
        cumulated_percent=Coalesce(
            Subquery(up_to, output_field=DecimalField(max_digits=7, decimal_places=2)), Decimal("0")
        )
    )


@dataclass(frozen=True)
class CallPreviewRow:
    tranche: Tranche
    sale: Sale
    buyer: Buyer | None
    lots: list[str]
    amount: Decimal
    percent: Decimal
    cumulated_percent: Decimal


@dataclass
class CallPreview:
    programme: Programme
    trigger: str
    reached_on: date | None
    milestone: Milestone | None = None
    rows: list[CallPreviewRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def total_amount(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal("0.00"))

    @property
    def currency(self) -> str:
        return self.programme.currency

    @property
    def trigger_label(self) -> str:
        return str(Trigger(self.trigger).label)


def _main_buyer(sale: Sale) -> Buyer | None:
    # sale_buyers are ordered main buyer first
    for sale_buyer in sale.sale_buyers.all():
        return sale_buyer.buyer
    return None


def calls_preview(
    *,
    milestone: Milestone | None = None,
    programme: Programme | None = None,
    trigger: str | None = None,
    reached_on: date | None = None,
) -> CallPreview:
    """What a call for a reached milestone (or `programme` and `trigger`) would ask, sale by sale.

    The caller has checked that the user may see the programme."""
    if milestone is not None:
        programme, trigger = milestone.programme, milestone.kind
        reached_on = reached_on or milestone.actual_date
    if programme is None or trigger is None:
        raise ValueError("Give a milestone, or a programme and a trigger.")
    tranches = tranches_with_cumulated_percent(
        call_tranches_concerned(programme=programme, trigger=trigger)
    ).prefetch_related(
        Prefetch("sale__sale_buyers", queryset=SaleBuyer.objects.select_related("buyer")),
        Prefetch("sale__sale_lots", queryset=SaleLot.objects.filter(live=True).select_related("lot")),
    )
    tranches = tranches.select_related("sale")
    preview = CallPreview(programme=programme, trigger=trigger, reached_on=reached_on, milestone=milestone)
    for tranche in tranches:
        sale = tranche.sale
        preview.rows.append(
            CallPreviewRow(
                tranche=tranche,
                sale=sale,
                buyer=_main_buyer(sale),
                lots=[sale_lot.lot.number for sale_lot in sale.sale_lots.all()],
                amount=tranche.amount,
                percent=tranche.percent,
                cumulated_percent=Decimal(tranche.cumulated_percent).quantize(Decimal("0.01")),  # type: ignore[attr-defined]
            )
        )
    return preview


def call_milestones_for(user: Viewer) -> QuerySet[Milestone]:
    """The reached milestones of the user's programmes that a call for funds can follow."""
    return (
        Milestone.objects.filter(
            programme__in=visible_programmes(user, Programme.objects.all()),
            actual_date__isnull=False,
            kind__in=[trigger.value for trigger in Trigger if trigger != Trigger.DEED],
        )
        .select_related("programme")
        .order_by("programme__name", "planned_date")
    )


def call_batches_for(user: Viewer) -> QuerySet[CallBatch]:
    return CallBatch.objects.filter(
        programme__in=visible_programmes(user, Programme.objects.all())
    ).select_related("programme", "milestone", "created_by")


def calls_for(user: Viewer) -> QuerySet[CallForFunds]:
    """The calls for funds of the user's programmes, with what their list shows."""
    return CallForFunds.objects.filter(
        programme__in=visible_programmes(user, Programme.objects.all())
    ).select_related("programme", "buyer", "sale", "tranche", "payment")
