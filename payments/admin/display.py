"""How the payments back-office words things: amounts, moments, the lines of a payment's log."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments.models import Method, Payment, PaymentEvent, Status
from portal.money import money_format
from sales.admin.display import moment

# The providers by the names staff know them by (their codes are "stripe", "simulated", "manual").
PROVIDER_LABELS = {
    "stripe": gettext_lazy("Stripe"),
    "simulated": gettext_lazy("Simulated payment (demonstration)"),
    "manual": gettext_lazy("Recorded by hand (transfer or cheque)"),
}


def provider_label(code: str) -> str:
    return str(PROVIDER_LABELS.get(code, code or "–"))


def when(value: datetime | None, zone: str) -> str:
    """A moment in the programme's time zone, or a dash."""
    return moment(value, zone) if value else "–"


def amount_of(payment: Payment, value) -> str:
    return money_format(value, payment.currency)


def attempts_text(payment: Payment) -> str:
    """ "Paid at attempt 2": how many checkouts it took, in words, once there was more than one."""
    if payment.status == Status.PAID and payment.attempts > 1:
        return _("Paid at attempt %(number)d") % {"number": payment.attempts}
    return str(payment.attempts)


@dataclass
class EventLine:
    when: str
    who: str
    what: str
    status: str
    amount: str
    detail: str


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _detail(event: PaymentEvent) -> str:
    data = event.data or {}
    if event.kind == PaymentEvent.Kind.STATUS_CHANGED:
        detail = f"{_label(Status, data.get('from'))} → {_label(Status, data.get('to'))}"
        return f"{detail} · {data['reason']}" if data.get("reason") else detail
    if event.kind == PaymentEvent.Kind.SENT:
        return _label(Payment.Channel, data.get("channel"))
    if event.kind == PaymentEvent.Kind.METHOD_CHOSEN:
        return _label(Method, data.get("method"))
    if event.kind == PaymentEvent.Kind.MONEY_RECEIVED:
        parts = [data.get("received_on", ""), data.get("note", "")]
        return " · ".join(part for part in parts if part)
    if event.kind in {PaymentEvent.Kind.REFUND_REQUESTED, PaymentEvent.Kind.REFUND_FAILED}:
        return str(data.get("reason") or data.get("error") or "")
    return ""


def event_lines(payment: Payment, events) -> list[EventLine]:
    """The payment's log as the lines of its page: when, who, what, status after, amount."""
    zone = payment.programme.time_zone
    return [
        EventLine(
            when=when(event.created_at, zone),
            who=str(event.actor) if event.actor else _("Automatic"),
            what=event.get_kind_display(),
            status=event.get_status_display(),
            amount=amount_of(payment, event.amount) if event.amount is not None else "",
            detail=_detail(event),
        )
        for event in events
    ]
