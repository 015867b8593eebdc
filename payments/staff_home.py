"""What a staff member must act on, for the back-office's home page.

Each panel is a count and the few latest rows, scoped to the reader's programmes, read in two
queries whatever the data: his unread alerts (everyone), payments whose money arrived but is not
reconciled yet (accountants and administrators), buyers' reservation requests waiting for an
answer, options whose hold ends within three days, and overdue payment requests of the sales he
advises (sales staff and administrators). A panel the reader's role has nothing to do with is
left out (None). Lives in payments, which may read alerts, programmes and sales alike.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from payments.models import MONEY_RECEIVED_STATUSES, OPEN_STATUSES, Payment
from payments.selectors import payments_scope
from payments.services.lists import RECONCILE_PERMISSION
from portal.access import can, is_administrator, is_staff_member
from portal.alerts.selectors import alerts_visible_to
from portal.users.models import User
from sales.models import Sale, Stage
from sales.selectors import holds_ending_soon, sales_visible_to

SHOWN = 5
# Answering buyers' requests and looking after options is the sellers' work.
SELLING_PERMISSION = "sales.change_sale"


@dataclass
class Panel:
    count: int
    rows: list[Any] = field(default_factory=list)


@dataclass
class StaffHome:
    alerts: Panel
    to_reconcile: Panel | None = None
    requests: Panel | None = None
    holds_ending: Panel | None = None
    overdue: Panel | None = None


def _panel(queryset: QuerySet[Any], *ordering: str) -> Panel:
    count = queryset.count()
    rows = list(queryset.order_by(*ordering)[:SHOWN]) if count else []
    return Panel(count=count, rows=rows)


def payments_to_reconcile(user: User) -> QuerySet[Payment]:
    """Money received (a receipt exists) that no accountant has checked on the bank statement yet."""
    return payments_scope(Payment.objects.all(), user).filter(
        status__in=MONEY_RECEIVED_STATUSES, reconciled_at__isnull=True
    )


def requests_pending(user: User) -> QuerySet[Sale]:
    """Reservations buyers asked for from their client space, not confirmed yet (the sales list's
    "request=pending" filter)."""
    return sales_visible_to(user).filter(
        requested_by_buyer=True, request_confirmed_at__isnull=True, stage=Stage.OPTION
    )


def payments_overdue_advised_by(user: User) -> QuerySet[Payment]:
    """Payment requests still open after their due date, on the sales this user advises."""
    return payments_scope(Payment.objects.all(), user).filter(
        sale__advisor=user, status__in=OPEN_STATUSES, due_on__lt=timezone.localdate()
    )


def staff_home(user: User) -> StaffHome | None:
    """The panels of this staff member's home page; None for anyone else."""
    if not (is_administrator(user) or is_staff_member(user)):
        return None
    home = StaffHome(
        alerts=_panel(alerts_visible_to(user).filter(read_at__isnull=True), "-created_at", "-id")
    )
    if can(user, RECONCILE_PERMISSION):
        home.to_reconcile = _panel(
            payments_to_reconcile(user).select_related("buyer"), "status_changed_at", "pk"
        )
    if can(user, SELLING_PERMISSION):
        home.requests = _panel(requests_pending(user).select_related("programme"), "created_at", "pk")
        home.holds_ending = _panel(
            holds_ending_soon(sales_visible_to(user)).select_related("programme"), "hold_until", "pk"
        )
        home.overdue = _panel(payments_overdue_advised_by(user).select_related("buyer"), "due_on", "pk")
    return home
