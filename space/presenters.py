"""What the client-space pages show, worked out from objects the selectors already fetched.

Plain functions without queries: the stage timeline, the viewer's role on a sale, the next step.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from payments.models import MONEY_RECEIVED_STATUSES, Payment
from portal.access import has_role
from portal.money import money_format
from portal.timezones import in_zone
from portal.users.roles import Role
from programmes.models import Lot
from sales.models import Sale, Stage
from sales.selectors import SalePage, is_buyer_among
from sales.stages import DATE_FIELD_FOR_STAGE, NEXT_STEP_FOR_BUYER, PIPELINE

BUYER = "buyer"
NOTARY = "notary"
PARTNER = "partner"

# Words beside each step, so the state never rests on colour alone.
STATE_LABELS = {
    "done": _("Done"),
    "current": _("Current stage"),
    "upcoming": _("To come"),
    "skipped": _("Not reached"),
    "ended": _("Sale ended"),
}


@dataclass(frozen=True)
class TimelineStep:
    label: str
    state: str  # a key of STATE_LABELS
    on: date | None = None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def is_current(self) -> bool:
        """The step the sale is at: the current one, or where an ended sale stopped."""
        return self.state in {"current", "ended"}


def choice_label(choices: type[models.Choices], value) -> str:
    """What `get_<field>_display()` shows for a value of these choices (the value itself when it
    is none of them), without rebuilding the field's choices on every call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def is_external(user) -> bool:
    """Notaries and partner agencies: they see the sales files they work on, not purchases."""
    return has_role(user, Role.NOTARY) or has_role(user, Role.PARTNER)


def viewer_role(user, page: SalePage) -> str:
    """How `user` sees the sale of this page: as one of its buyers, or in the role he is
    assigned with."""
    if is_buyer_among(user, page.buyers):
        return BUYER
    for assignment in page.assignments:
        if assignment.user_id == user.pk:
            return NOTARY if assignment.role == NOTARY else PARTNER
    return PARTNER


def _reached_index(sale: Sale) -> int:
    """For an ended sale: the last step of the pipeline we know it reached, from its dates."""
    if sale.stage == Stage.WITHDRAWN or sale.withdrawal_ends_on:
        return PIPELINE.index(Stage.WITHDRAWAL_PERIOD)
    if sale.reservation_signed_on:
        return PIPELINE.index(Stage.RESERVATION_SIGNED)
    return PIPELINE.index(Stage.OPTION)


def stage_timeline(sale: Sale) -> list[TimelineStep]:
    """The pipeline, each step done, current or to come; an ended sale shows where it stopped."""

    def on(stage):
        field = DATE_FIELD_FOR_STAGE.get(stage)
        return getattr(sale, field) if field else None

    if sale.is_live:
        current = PIPELINE.index(sale.stage)

        def state(index):
            return "done" if index < current else "current" if index == current else "upcoming"

        return [
            TimelineStep(str(Stage(stage).label), state(i), on(stage)) for i, stage in enumerate(PIPELINE)
        ]
    reached = _reached_index(sale)
    steps = [
        TimelineStep(str(Stage(stage).label), "done" if i <= reached else "skipped", on(stage))
        for i, stage in enumerate(PIPELINE)
    ]
    steps.append(TimelineStep(str(Stage(sale.stage).label), "ended", sale.cancelled_on))
    return steps


# The dates of a sale in the order its page lists them, with their words.
KEY_DATES = [
    ("reservation_signed_on", _("Reservation signed on")),
    ("withdrawal_ends_on", _("Withdrawal period ends on")),
    ("deed_planned_on", _("Deed planned on")),
    ("deed_signed_on", _("Deed signed on")),
    ("programme.delivery_date", _("Planned delivery")),
    ("delivered_on", _("Delivered on")),
    ("cancelled_on", _("Ended on")),
]


def key_dates(sale: Sale, *, delivery_date: date | None) -> list[tuple[str, str]]:
    """(words, date) for each date the sale has, the moments in the programme's time zone;
    `delivery_date` is the programme's one delivery date (the calendar's)."""
    zone = sale.programme.time_zone
    rows = [(_("Sale file opened on"), formats.date_format(in_zone(sale.created_at, zone), "DATE_FORMAT"))]
    if sale.stage == Stage.OPTION and sale.hold_until:
        rows.append(
            (_("Lot held until"), formats.date_format(in_zone(sale.hold_until, zone), "DATETIME_FORMAT"))
        )
    for name, words in KEY_DATES:
        day = delivery_date if name == "programme.delivery_date" else getattr(sale, name)
        if day:
            rows.append((words, formats.date_format(day, "DATE_FORMAT")))
    return [(str(words), value) for words, value in rows]


def lots(page: SalePage) -> list[tuple]:
    """The sale's lots, each with the words for its type: (lot, type)."""
    return [(link.lot, choice_label(Lot.Type, link.lot.type)) for link in page.lots]


def is_pending_request(sale: Sale) -> bool:
    """The buyer's own reservation request, still waiting: he may withdraw it."""
    return sale.requested_by_buyer and sale.stage == Stage.OPTION


@dataclass(frozen=True)
class NextStep:
    """What the buyer is expected to do next, and where to do it (the payments page)."""

    text: str
    to_pay: bool = False

    def __str__(self) -> str:
        return self.text


# Stages at which the deposit is still awaited: once it is received, the step after it applies.
_BEFORE_DEPOSIT = set(PIPELINE[: PIPELINE.index(Stage.DEPOSIT_PAID)])


def _pay_words(payment: Payment) -> str:
    amount = money_format(payment.amount, payment.currency)
    values = {"amount": amount, "reference": payment.reference}
    if payment.due_on:
        values["date"] = formats.date_format(payment.due_on, "DATE_FORMAT")
        if payment.kind == Payment.Kind.DEPOSIT:
            return _("Pay your deposit of %(amount)s by %(date)s.") % values
        return _("Pay %(amount)s for %(reference)s by %(date)s.") % values
    if payment.kind == Payment.Kind.DEPOSIT:
        return _("Pay your deposit of %(amount)s.") % values
    return _("Pay %(amount)s for %(reference)s.") % values


def next_step_for_buyer(sale: Sale, payments: list[Payment] | tuple[Payment, ...] = ()) -> NextStep:
    """The stage's next step, corrected by the sale's payments: a request still open comes first
    (the earliest due), and a deposit already received moves the buyer to the step after it."""
    if sale.is_live:
        payments = [payment for payment in payments if payment.sale_id == sale.pk]
        open_requests = [payment for payment in payments if payment.is_open]
        if open_requests:
            first = min(open_requests, key=lambda payment: (payment.due_on or date.max, payment.pk))
            return NextStep(_pay_words(first), to_pay=True)
        deposit_received = any(
            payment.kind == Payment.Kind.DEPOSIT and payment.status in MONEY_RECEIVED_STATUSES
            for payment in payments
        )
        if deposit_received and sale.stage in _BEFORE_DEPOSIT:
            return NextStep(
                str(
                    _(
                        "Your deposit is received. Arrange your financing and send your loan offer to your advisor."
                    )
                )
            )
    return NextStep(str(NEXT_STEP_FOR_BUYER[sale.stage]))


def notaries(page: SalePage) -> list:
    return [assignment.user for assignment in page.assignments if assignment.role == NOTARY]


def partners(page: SalePage) -> list:
    return [assignment.user for assignment in page.assignments if assignment.role == PARTNER]


@dataclass(frozen=True)
class CalendarRow:
    """One milestone as the calendar shows it: its state in words, never "to come" once past."""

    title: str
    state: str  # "done", "unconfirmed" (planned date past, not confirmed) or "planned"
    state_label: str
    date_words: str
    note: str


def calendar_rows(milestones: list, *, today: date) -> list[CalendarRow]:
    rows = []
    for milestone in milestones:
        title = choice_label(type(milestone).Kind, milestone.kind)
        planned = formats.date_format(milestone.planned_date, "DATE_FORMAT")
        if milestone.actual_date:
            actual = formats.date_format(milestone.actual_date, "DATE_FORMAT")
            row = ("done", _("Done"), _("Done on %(date)s") % {"date": actual})
        elif milestone.planned_date < today:
            row = (
                "unconfirmed",
                _("Not confirmed yet"),
                _("Expected on %(date)s, not confirmed yet") % {"date": planned},
            )
        else:
            row = ("planned", _("To come"), _("Planned for %(date)s") % {"date": planned})
        state, label, words = row
        rows.append(CalendarRow(title, state, str(label), str(words), milestone.note))
    return rows
