from django import template

from portal.money import money_format
from portal.timezones import in_zone

register = template.Library()


@register.filter
def money(amount, currency):
    """{{ sale.price|money:programme.currency }} in the current language."""
    if amount is None or amount == "":
        return ""
    return money_format(amount, currency)


@register.filter
def in_timezone(value, zone_name):
    """{{ event.at|in_timezone:programme.time_zone|date:"DATETIME_FORMAT" }}"""
    if not value:
        return value
    return in_zone(value, zone_name)
