"""The legal checks of an instalment schedule: a template's tranches or a sale's.

A schedule is a list of (trigger, percent). Its percentages add up to exactly 100 %. In France
(VEFA, CCH R261-14) the share of the price called up to and including each stage is capped: 35 %
by the foundations, 70 % once weather-tight, 95 % at completion, the balance at delivery. The
cumulated share counts every earlier trigger in `TRIGGER_ORDER`, so tranches due at the deed or
at the works start weigh on the foundations' ceiling. A Polish programme follows the stages of
its prospectus: the total only.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from schedules.models import TRIGGER_ORDER, Trigger

HUNDRED = Decimal("100")

# Statutory maxima of the cumulated percentage called, by stage (CCH art. R261-14).
FR_CEILINGS: dict[str, Decimal] = {
    Trigger.FOUNDATIONS: Decimal("35"),
    Trigger.WEATHER_TIGHT: Decimal("70"),
    Trigger.COMPLETION: Decimal("95"),
}


class ScheduleRuleError(Exception):
    """A schedule the law or arithmetic refuses; `problems` are sentences the page shows."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def percent_format(value: Decimal) -> str:
    """35 → "35", 35.5 → "35.5" ("35,5" in French): no trailing zeros, the reader's separator."""
    text = format(Decimal(value).normalize(), "f")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(Decimal(value), decimal_pos=decimals)


def _ceiling_refusal(trigger: str, ceiling: Decimal, called: Decimal) -> str:
    figures = {"ceiling": percent_format(ceiling), "called": percent_format(called)}
    if trigger == Trigger.FOUNDATIONS:
        text = _(
            "CCH art. R261-14: at most %(ceiling)s %% may be called by foundations; this schedule "
            "calls %(called)s %%."
        )
    elif trigger == Trigger.WEATHER_TIGHT:
        text = _(
            "CCH art. R261-14: at most %(ceiling)s %% may be called by the weather-tight stage; this "
            "schedule calls %(called)s %%."
        )
    else:
        text = _(
            "CCH art. R261-14: at most %(ceiling)s %% may be called by completion of works; this "
            "schedule calls %(called)s %%."
        )
    return text % figures


def schedule_problems(parts: Iterable[tuple[str, Decimal]], *, country: str) -> list[str]:
    """What is wrong with the schedule `parts` (trigger, percent) of a programme of `country`;
    an empty list when it is legal."""
    parts = [(trigger, Decimal(percent)) for trigger, percent in parts]
    problems = []
    unknown = {trigger for trigger, _percent in parts} - set(TRIGGER_ORDER)
    if unknown:
        problems.append(_("Unknown stage: %(stages)s.") % {"stages": ", ".join(sorted(unknown))})
        return problems
    if any(percent <= 0 for _trigger, percent in parts):
        problems.append(_("Every tranche must call a share of the price above zero."))
    total = sum((percent for _trigger, percent in parts), Decimal("0"))
    if total != HUNDRED:
        problems.append(
            _("The tranches must add up to exactly 100 %%; these add up to %(total)s %%.")
            % {"total": percent_format(total)}
        )
    if country == "FR":
        for trigger, ceiling in FR_CEILINGS.items():
            rank = TRIGGER_ORDER.index(trigger)
            called = sum(
                (percent for stage, percent in parts if TRIGGER_ORDER.index(stage) <= rank), Decimal("0")
            )
            if called > ceiling:
                problems.append(_ceiling_refusal(trigger, ceiling, called))
    return problems


def schedule_check(parts: Iterable[tuple[str, Decimal]], *, country: str) -> None:
    """Raise ScheduleRuleError naming every problem of the schedule, if any."""
    problems = schedule_problems(parts, country=country)
    if problems:
        raise ScheduleRuleError(problems)
