"""How calls for funds follow the sales: a signed deed calls the deed tranche."""

from django.dispatch import receiver

from sales.signals import sale_stage_moved
from schedules.services.calls import call_deed_on_stage


@receiver(sale_stage_moved, dispatch_uid="schedules.calls.sale_stage_moved")
def on_sale_stage_moved(sender, *, sale, stage, actor, **kwargs):
    call_deed_on_stage(sale=sale, stage=stage, actor=actor)
