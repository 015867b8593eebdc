"""How schedules follow the sales they belong to: a new sale gets its programme's schedule, a
new price re-computes the tranches not yet called. Both run in the sale's own transaction."""

from django.dispatch import receiver

from sales.errors import SaleError
from sales.signals import sale_created, sale_price_changed
from schedules.services.tranches import ScheduleError, schedule_copy_for_sale, schedule_reprice


@receiver(sale_created, dispatch_uid="schedules.sale_created")
def on_sale_created(sender, *, sale, actor, **kwargs):
    schedule_copy_for_sale(sale=sale, actor=actor)


@receiver(sale_price_changed, dispatch_uid="schedules.sale_price_changed")
def on_sale_price_changed(sender, *, sale, old_price, actor, **kwargs):
    try:
        schedule_reprice(sale=sale, old_price=old_price, actor=actor)
    except ScheduleError as error:
        # The sale's page shows a SaleError and saves nothing: the price stays as it was.
        raise SaleError(str(error)) from None
