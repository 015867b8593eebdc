"""The daily scans: reminders to buyers who have not paid, expiry of links that ran out.

Each is idempotent per payment and day: reminders carry their link and number in the outbox key, an
expired payment is no longer open.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from payments.alerts import alert_buyer_request, alert_staff
from payments.models import OPEN_STATUSES, Payment, PaymentEvent, Status
from payments.selectors import payment_settings_for
from payments.services.core import payment_lock, payment_log, payment_move


def payments_send_reminders(*, now: datetime | None = None) -> int:
    """Remind buyers of requests still open N days after their link went out (3 and 7 by default).

    Counted from the latest sending: a fresh link (a renewed or expired request sent again)
    gets its own reminders.
    """
    now = now or timezone.now()
    sent = 0
    open_payments = (
        Payment.objects.filter(status__in=OPEN_STATUSES, link_expires_at__gt=now)
        .annotate(link_sent_at=Max("events__created_at", filter=Q(events__kind=PaymentEvent.Kind.SENT)))
        .select_related("programme", "buyer", "sale")
    )
    settings_by_programme = {}
    for payment in open_payments.iterator(chunk_size=500):
        if payment.programme_id not in settings_by_programme:
            settings_by_programme[payment.programme_id] = payment_settings_for(payment.programme)
        rules = settings_by_programme[payment.programme_id]
        link_sent_at = payment.link_sent_at or payment.created_at
        age_days = (now - link_sent_at).days
        due = [number for number, days in enumerate(rules.reminder_day_list(), start=1) if age_days >= days]
        if not due:
            continue
        number = due[-1]
        with transaction.atomic():
            locked = payment_lock(payment.pk)
            if locked.status not in OPEN_STATUSES:
                continue
            reminded = locked.events.filter(
                kind=PaymentEvent.Kind.REMINDED, data__number=number, created_at__gte=link_sent_at
            )
            if reminded.exists():
                continue
            alert_buyer_request(
                locked,
                key=f"payment-reminder:{locked.pk}:{locked.link_nonce}:{number}",
                kind="payment_reminder",
            )
            payment_log(payment=locked, kind=PaymentEvent.Kind.REMINDED, data={"number": number})
            sent += 1
    return sent


def payments_expire(*, now: datetime | None = None) -> int:
    """Requests whose link ran out unpaid become expired; the advisor is told."""
    now = now or timezone.now()
    expired = 0
    ids = list(
        Payment.objects.filter(status__in=OPEN_STATUSES, link_expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for payment_id in ids:
        with transaction.atomic():
            payment = payment_lock(payment_id)
            if payment_move(payment=payment, to=Status.EXPIRED, strict=False):
                alert_staff(
                    payment, event="expired", key=f"payment-expired:{payment.pk}:{payment.link_nonce}"
                )
                expired += 1
    return expired
