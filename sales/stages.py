"""The sale's stage pipeline: which moves are allowed, and what each stage means for its lots."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from programmes.models import Lot
from sales.models import Stage

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

ALLOWED_MOVES: dict[str, set[str]] = {
    Stage.OPTION: {Stage.RESERVATION_SIGNED, Stage.CANCELLED},
    Stage.RESERVATION_SIGNED: {Stage.WITHDRAWAL_PERIOD, Stage.CANCELLED},
    Stage.WITHDRAWAL_PERIOD: {Stage.DEPOSIT_PAID, Stage.WITHDRAWN, Stage.CANCELLED},
    Stage.DEPOSIT_PAID: {Stage.FINANCING, Stage.CANCELLED},
    Stage.FINANCING: {Stage.DEED_SIGNED, Stage.CANCELLED},
    Stage.DEED_SIGNED: {Stage.DELIVERED},
    Stage.DELIVERED: set(),
    Stage.CANCELLED: set(),
    Stage.WITHDRAWN: set(),
}

# What the lots of a sale become when the sale reaches a stage.
LOT_STATUS_FOR_STAGE: dict[str, str] = {
    Stage.OPTION: Lot.Status.OPTIONED,
    Stage.RESERVATION_SIGNED: Lot.Status.RESERVED,
    Stage.WITHDRAWAL_PERIOD: Lot.Status.RESERVED,
    Stage.DEPOSIT_PAID: Lot.Status.RESERVED,
    Stage.FINANCING: Lot.Status.RESERVED,
    Stage.DEED_SIGNED: Lot.Status.SOLD,
    Stage.DELIVERED: Lot.Status.DELIVERED,
    Stage.CANCELLED: Lot.Status.AVAILABLE,
    Stage.WITHDRAWN: Lot.Status.AVAILABLE,
}

# The date field each stage stamps when it is reached.
DATE_FIELD_FOR_STAGE: dict[str, str] = {
    Stage.RESERVATION_SIGNED: "reservation_signed_on",
    Stage.DEED_SIGNED: "deed_signed_on",
    Stage.DELIVERED: "delivered_on",
    Stage.CANCELLED: "cancelled_on",
    Stage.WITHDRAWN: "cancelled_on",
}

# The main line, in order, as the buyer's timeline shows it.
PIPELINE: list[str] = [
    Stage.OPTION,
    Stage.RESERVATION_SIGNED,
    Stage.WITHDRAWAL_PERIOD,
    Stage.DEPOSIT_PAID,
    Stage.FINANCING,
    Stage.DEED_SIGNED,
    Stage.DELIVERED,
]

# What the buyer is expected to do next, shown on his purchase page.
NEXT_STEP_FOR_BUYER: dict[str, "StrPromise"] = {
    Stage.OPTION: _("Sign your reservation contract with your advisor before the hold ends."),
    Stage.RESERVATION_SIGNED: _(
        "You will receive your signed contract by registered letter; your withdrawal period starts then."
    ),
    Stage.WITHDRAWAL_PERIOD: _(
        "Your withdrawal period is running. Once it ends, pay the deposit requested in your client space."
    ),
    Stage.DEPOSIT_PAID: _("Arrange your financing and send your loan offer to your advisor."),
    Stage.FINANCING: _("Your notary will invite you to sign the notarial deed."),
    Stage.DEED_SIGNED: _(
        "Follow the works in your client space and pay each call for funds when it arrives."
    ),
    Stage.DELIVERED: _("Welcome home! Report any defect from your client space within the first year."),
    Stage.CANCELLED: _("This sale was cancelled. Contact your advisor with any question."),
    Stage.WITHDRAWN: _("You withdrew from this sale. Contact your advisor with any question."),
}


class IllegalStageMove(Exception):
    """A move the pipeline does not allow; its message is a sentence for the page."""


def stage_check_move(current: str, target: str) -> None:
    if target not in ALLOWED_MOVES[current]:
        allowed = ", ".join(str(Stage(stage).label) for stage in sorted(ALLOWED_MOVES[current])) or _("none")
        raise IllegalStageMove(
            _("A sale at stage “%(current)s” cannot move to “%(target)s”. Allowed next stages: %(allowed)s.")
            % {"current": Stage(current).label, "target": Stage(target).label, "allowed": allowed}
        )
