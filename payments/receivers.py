"""How payments follow the sales they belong to."""

from django.dispatch import receiver

from payments.models import OPEN_STATUSES, Payment
from payments.services.requests import deposit_request_at_stage, payment_cancel
from sales.models import LIVE_STAGES
from sales.signals import sale_stage_moved


@receiver(sale_stage_moved, dispatch_uid="payments.sale_stage_moved")
def on_sale_stage_moved(sender, *, sale, stage, actor, **kwargs):
    if stage not in LIVE_STAGES:
        # A sale that falls through asks for nothing more; money already paid stays for refunds.
        for payment in Payment.objects.filter(sale=sale, status__in=OPEN_STATUSES):
            payment_cancel(actor=actor, payment=payment)
        return
    deposit_request_at_stage(sale=sale, stage=stage, actor=actor)
