"""The payments block of a sale's back-office page: its payments and the buttons to ask for money.

Read in one query, so the sale's page costs one query more whatever the number of payments.
"""

from django import template

from payments.models import Payment, Status

register = template.Library()


@register.inclusion_tag("admin/payments/sale_payments.html", takes_context=True)
def sale_payments(context, sale):
    user = context["request"].user
    if not user.has_perm("payments.view_payment"):
        return {"shown": False}
    payments = list(Payment.objects.filter(sale=sale).select_related("buyer").order_by("-pk"))
    live_deposit = any(
        payment.kind == Payment.Kind.DEPOSIT and payment.status not in {Status.CANCELLED, Status.EXPIRED}
        for payment in payments
    )
    may_request = sale.is_live and user.has_perm("payments.add_payment")
    return {
        "shown": True,
        "sale": sale,
        "payments": payments,
        "zone": sale.programme.time_zone,
        "may_request": may_request,
        "may_request_deposit": may_request and not live_deposit,
        "channels": Payment.Channel.choices,
        "csrf_token": context.get("csrf_token"),
    }
