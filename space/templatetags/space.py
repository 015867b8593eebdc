from django import template

from space.presenters import next_step_for_buyer

register = template.Library()


@register.filter
def next_step(sale):
    """{{ sale|next_step }}: what the buyer is expected to do next, in words."""
    return next_step_for_buyer(sale)
