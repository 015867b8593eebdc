"""Aware datetimes, shown in the programme's own time zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone


def in_zone(value: datetime, zone_name: str) -> datetime:
    """The same instant, seen from the given zone (for example the programme's)."""
    if timezone.is_naive(value):
        raise ValueError("Refusing a naive datetime: the portal stores aware datetimes only.")
    return value.astimezone(ZoneInfo(zone_name))


def local_day_start(day: date, zone_name: str) -> datetime:
    """Midnight of `day` in the zone, as an aware datetime (deadlines end at local midnight)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone_name))


def local_today(zone_name: str) -> date:
    return timezone.now().astimezone(ZoneInfo(zone_name)).date()
