from django import template
from django.templatetags.tz import do_timezone

from portal.money import money_format

register = template.Library()


@register.filter
def money(amount, currency):
    """{{ sale.price|money:programme.currency }} in the current language."""
    if amount is None or amount == "":
        return ""
    return money_format(amount, currency)


@register.filter
def in_timezone(value, zone_name):
    """{{ event.at|in_timezone:programme.time_zone|date:"DATETIME_FORMAT" }}

    Django's own `timezone` filter: its result keeps its zone through `date`, where a plain
    astimezone() would be converted back to the active time zone.
    """
    if not value:
        return value
    return do_timezone(value, zone_name)
