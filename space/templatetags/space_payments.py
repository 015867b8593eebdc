from django import template

from payments.models import OPEN_STATUSES
from payments.selectors import payments_of_buyer

register = template.Library()


@register.simple_tag
def payments_to_pay(user) -> int:
    """{% payments_to_pay user as count %}: the buyer's requests still to pay (one query)."""
    return payments_of_buyer(user).filter(status__in=OPEN_STATUSES).count()
