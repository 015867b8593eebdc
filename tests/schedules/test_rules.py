"""The legal check of schedules: 100 % in all, and in France the CCH R261-14 ceilings."""

from decimal import Decimal

import pytest
from django.utils import translation

from schedules.models import Trigger
from schedules.rules import ScheduleRuleError, schedule_check, schedule_problems


def vefa(deed="20", works="0", foundations="15", weather="35", completion="25", delivery="5"):
    parts = [
        (Trigger.DEED, deed),
        (Trigger.WORKS_START, works),
        (Trigger.FOUNDATIONS, foundations),
        (Trigger.WEATHER_TIGHT, weather),
        (Trigger.COMPLETION, completion),
        (Trigger.DELIVERY, delivery),
    ]
    return [(trigger, Decimal(percent)) for trigger, percent in parts if Decimal(percent)]


def test_a_french_schedule_within_the_ceilings_passes():
    assert schedule_problems(vefa(), country="FR") == []


@pytest.mark.parametrize(
    ("schedule", "stage_words", "called"),
    [
        (vefa(deed="20", foundations="15.01", weather="34.99"), "by foundations", "35.01"),
        (vefa(weather="35.01", completion="24.99"), "by the weather-tight stage", "70.01"),
        (vefa(completion="25.01", delivery="4.99"), "by completion of works", "95.01"),
    ],
)
def test_one_hundredth_above_a_french_ceiling_is_refused_naming_the_rule_and_stage(
    schedule, stage_words, called
):
    with pytest.raises(ScheduleRuleError) as refused:
        schedule_check(schedule, country="FR")
    assert str(refused.value).startswith("CCH art. R261-14: at most")
    assert stage_words in str(refused.value)
    assert f"this schedule calls {called} %." in str(refused.value)


@pytest.mark.parametrize(
    "schedule",
    [
        vefa(deed="35", foundations="0", weather="35", completion="25", delivery="5"),  # all three exactly
        vefa(deed="30", foundations="5", weather="35", completion="25", delivery="5"),  # 70 weather-tight
        vefa(deed="20", foundations="10", weather="30", completion="35", delivery="5"),  # 95 at completion
    ],
)
def test_exactly_at_the_french_ceilings_passes(schedule):
    assert schedule_problems(schedule, country="FR") == []


def test_the_deed_and_works_start_count_towards_the_foundations_ceiling():
    problems = schedule_problems(vefa(deed="30", works="6", foundations="0", weather="34"), country="FR")
    assert problems == [
        "CCH art. R261-14: at most 35 % may be called by foundations; this schedule calls 36 %."
    ]


def test_a_polish_programme_may_call_40_percent_at_foundations():
    schedule = vefa(deed="20", foundations="20", weather="30", completion="25", delivery="5")
    assert schedule_problems(schedule, country="PL") == []
    assert schedule_problems(schedule, country="FR") != []


@pytest.mark.parametrize("country", ["FR", "PL"])
@pytest.mark.parametrize("delivery", ["4.99", "5.01"])
def test_the_tranches_must_add_up_to_exactly_100_percent(country, delivery):
    problems = schedule_problems(vefa(delivery=delivery), country=country)
    total = "99.99" if delivery == "4.99" else "100.01"
    assert f"The tranches must add up to exactly 100 %; these add up to {total} %." in problems


def test_a_tranche_of_nothing_is_refused():
    problems = schedule_problems([*vefa(), (Trigger.DELIVERY, Decimal("0"))], country="PL")
    assert "Every tranche must call a share of the price above zero." in problems


def test_the_refusal_reads_in_french_with_the_french_decimal_separator():
    with translation.override("fr"), pytest.raises(ScheduleRuleError) as refused:
        schedule_check(vefa(deed="20", foundations="15.5", weather="34.5"), country="FR")
    assert "R261-14" in str(refused.value)
    assert "35,5" in str(refused.value)
