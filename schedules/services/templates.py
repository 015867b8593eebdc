"""A programme's schedule template: saved with its tranches, checked by the law, audited (SCH-1)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypedDict

from django.db import transaction

from portal.audit.services import audit_record, audited_save
from portal.users.models import User
from schedules.models import ScheduleTemplate, TemplateTranche
from schedules.rules import schedule_check


class TranchePart(TypedDict):
    label: str
    trigger: str
    percent: Decimal


TEMPLATE_FIELDS = ["programme", "payment_days"]


def schedule_summary(parts: Sequence[Any]) -> list[str]:
    """Tranches (rows, or dicts of label, trigger and percent) as the audit trail keeps them:
    "label · trigger · percent %", and " · amount" for a sale's tranche."""
    lines = []
    for part in parts:
        values = part if isinstance(part, dict) else vars(part)
        line = f"{values['label']} · {values['trigger']} · {Decimal(values['percent']).normalize():f} %"
        if values.get("amount") is not None:
            line += f" · {values['amount']}"
        lines.append(line)
    return lines


@transaction.atomic
def schedule_template_save(
    *,
    actor: User | None,
    template: ScheduleTemplate,
    values: dict[str, Any],
    tranches: Sequence[TranchePart],
) -> ScheduleTemplate:
    """Create a programme's template (`template` not saved yet, holding its values) or change
    the fields in `values`, and give it `tranches`, in order, in place of its current ones.

    The tranches are checked first (100 % in all; CCH R261-14 in France): a refusal raises
    ScheduleRuleError and saves nothing. Sales already opened keep their own schedules."""
    programme = template.programme
    if "programme" in values:
        programme = values["programme"]
    schedule_check([(part["trigger"], part["percent"]) for part in tranches], country=programme.country)
    template = audited_save(
        actor=actor, row=template, values=values, kind="schedule_template", created_fields=TEMPLATE_FIELDS
    )
    current = list(template.tranches.order_by("position"))
    old, new = schedule_summary(current), schedule_summary(list(tranches))
    if old == new:
        return template
    TemplateTranche.objects.filter(template=template).delete()
    TemplateTranche.objects.bulk_create(
        [
            TemplateTranche(
                template=template,
                position=position,
                label=part["label"],
                trigger=part["trigger"],
                percent=Decimal(part["percent"]),
            )
            for position, part in enumerate(tranches, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="schedule_template.tranches_changed",
        obj=template,
        data={"before": old, "after": new},
    )
    return template
