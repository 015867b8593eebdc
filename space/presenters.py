"""What the client-space pages show, worked out from objects the selectors already fetched.

Plain functions without queries: the stage timeline, the viewer's role on a sale, the next step.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from portal.access import has_role
from portal.users.roles import Role
from sales.models import Sale, Stage
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
        return STATE_LABELS[self.state]


def is_external(user) -> bool:
    """Notaries and partner agencies: they see the sales files they work on, not purchases."""
    return has_role(user, Role.NOTARY) or has_role(user, Role.PARTNER)


def viewer_role(user, sale: Sale) -> str:
    """How `user` sees `sale`: as one of its buyers, or in the role he is assigned with."""
    if any(link.buyer.user_id == user.pk for link in sale.sale_buyers.all()):
        return BUYER
    for assignment in sale.assignments.all():
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

        return [TimelineStep(Stage(stage).label, state(i), on(stage)) for i, stage in enumerate(PIPELINE)]
    reached = _reached_index(sale)
    steps = [
        TimelineStep(Stage(stage).label, "done" if i <= reached else "skipped", on(stage))
        for i, stage in enumerate(PIPELINE)
    ]
    steps.append(TimelineStep(Stage(sale.stage).label, "ended", sale.cancelled_on))
    return steps


def next_step_for_buyer(sale: Sale) -> str:
    return NEXT_STEP_FOR_BUYER[sale.stage]


def notaries(sale: Sale) -> list:
    return [assignment.user for assignment in sale.assignments.all() if assignment.role == NOTARY]


def partners(sale: Sale) -> list:
    return [assignment.user for assignment in sale.assignments.all() if assignment.role == PARTNER]
