"""Reads of payments, scoped to who asks and fetching what the pages show."""

from django.db.models import Exists, OuterRef, QuerySet

from payments.links import payment_link_parse
from payments.models import (
    MONEY_RECEIVED_STATUSES,
    ONLINE_METHODS_FOR_CURRENCY,
    OPEN_STATUSES,
    Method,
    Payment,
    PaymentRead,
    PaymentSettings,
)
from payments.providers import online_payments_available
from portal.access import Viewer, is_administrator, is_staff_member
from portal.users.models import User
from programmes.models import Programme
from programmes.selectors import programmes_scope
from sales.selectors import sale_ids_bought_by


def payment_settings_for(programme: Programme) -> PaymentSettings:
    """The programme's payment settings; the defaults while staff have saved none."""
    return PaymentSettings.objects.filter(programme=programme).first() or PaymentSettings(programme=programme)


def payment_methods_for(payment: Payment, rules: PaymentSettings) -> list[str]:
    """The methods this request may be paid with, in the order the buyer sees them.

    A French deposit must reach the escrow account: online only when the programme names the
    escrow holder's Stripe account (a destination charge), otherwise by transfer to its IBAN.
    Without Stripe (outside the quick start and tests) every request is paid by transfer.
    """
    if not online_payments_available():
        return [Method.TRANSFER]
    offered = [*ONLINE_METHODS_FOR_CURRENCY.get(payment.currency, []), Method.TRANSFER]
    methods = [method for method in rules.accepted_methods() if method in offered]
    if (
        payment.kind == Payment.Kind.DEPOSIT
        and payment.programme.country == Programme.Country.FR
        and not rules.escrow_stripe_account
    ):
        methods = [Method.TRANSFER]
    return methods


def payment_for_link(token: str) -> Payment | None:
    """The payment a portal link points to, while the link is the current one."""
    parsed = payment_link_parse(token)
    if parsed is None:
        return None
    payment_id, nonce = parsed
    return (
        Payment.objects.select_related("programme", "sale", "buyer")
        .filter(pk=payment_id, link_nonce=nonce)
        .first()
    )


# The client space ---------------------------------------------------------------------------


def payments_of_buyer(user: Viewer) -> QuerySet[Payment]:
    """Payments of the sales this user is a buyer of (co-buyers share their purchase's payments)."""
    if not (user.is_authenticated and user.is_active):
        return Payment.objects.none()
    return Payment.objects.filter(sale_id__in=sale_ids_bought_by(user)).exclude(status="cancelled")


def client_payments(user: Viewer) -> tuple[list[Payment], list[Payment]]:
    """(open requests, history) for the buyer's payments page, in one query."""
    payments = list(
        payments_of_buyer(user)
        .select_related("programme", "sale", "receipt__programme")
        .order_by("-created_at", "-pk")
    )
    open_requests = [payment for payment in payments if payment.status in OPEN_STATUSES]
    history = [payment for payment in payments if payment.status not in OPEN_STATUSES]
    return open_requests, history


def client_payments_of_sales(user: Viewer, sale_ids: list[int]) -> list[Payment]:
    """The buyer's payments of these sales (cancelled ones left out), in one query: what his
    purchase pages say about the next step (a deposit paid, a request to pay by its due date)."""
    if not sale_ids:
        return []
    return list(
        payments_of_buyer(user)
        .filter(sale_id__in=sale_ids)
        .only("sale_id", "kind", "amount", "currency", "reference", "status", "due_on", "link_expires_at")
        .order_by("due_on", "pk")
    )


def client_payments_to_pay_count(user: Viewer, *, every_payment: list[Payment] | None = None) -> int:
    """The buyer's requests still to pay. `every_payment`: his payments of all his sales, already
    read (client_payments_of_sales over a page that holds every sale): counted without a query."""
    if every_payment is not None:
        return sum(1 for payment in every_payment if payment.status in OPEN_STATUSES)
    return payments_of_buyer(user).filter(status__in=OPEN_STATUSES).count()


def client_receipt_payment_get(user: Viewer, payment_id: int) -> Payment:
    """A payment of this buyer that holds a receipt (DoesNotExist otherwise)."""
    return (
        payments_of_buyer(user)
        .filter(status__in=MONEY_RECEIVED_STATUSES, receipt__isnull=False)
        .select_related("receipt__programme")
        .get(pk=payment_id)
    )


# The back-office -----------------------------------------------------------------------------


def payments_scope(payments: QuerySet[Payment], user: Viewer) -> QuerySet[Payment]:
    if not (is_administrator(user) or is_staff_member(user)):
        return payments.none()
    return programmes_scope(payments, user, "programme")


def payments_for_admin_list(payments: QuerySet[Payment], user: User) -> QuerySet[Payment]:
    """Rows of the payment lists: sale, buyer, programme and whether this user has read each."""
    return payments.select_related("sale", "buyer", "programme").annotate(
        is_read=Exists(PaymentRead.objects.filter(payment=OuterRef("pk"), user=user))
    )
