"""Webhook events handled per second (PAY-6): signed `checkout.session.completed` events POSTed to
the running portal, each for its own payment with an open simulated checkout session.

The payments and their sessions are made through the services before the load (the same steps
as a buyer opening the checkout); the events are signed just before they are sent, with the
webhook secret the server derives from the same settings, so none is stale. Each event pays its
payment: the server stores it, takes the receipt number, logs and queues the alerts, as it would
for Stripe. The server this is measured on queues its tasks (bench/settings_webhooks.py), as
production hands them to Celery: rendering the receipt PDF is a task, not part of the webhook.
"""

import http.client
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from bench import build_data, load
from payments.links import payment_link_url
from payments.models import CheckoutSession, Method, Payment
from payments.providers import stripe_configured
from payments.services.checkout import payment_checkout_open
from payments.services.requests import payment_method_choose, payment_request_create
from payments.simulated_events import event_make, event_payload, session_object
from portal.celery import tasks_queued
from portal.users.models import User
from sales.models import LIVE_STAGES, Sale

PATH = "/payments/stripe/webhook/"
EVENTS = 300
CONNECTIONS = 4
REFERENCE = "BENCH-WEBHOOK"


@dataclass
class Result:
    sent: int = 0
    elapsed: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return self.statuses.get(200, 0) / self.elapsed if self.elapsed else 0.0


def sessions_open(count: int = EVENTS) -> list[int]:
    """Ask `count` buyers for a payment by card and open its checkout session; their payment ids.

    New payments every run (a paid payment cannot be paid again), spread over the live sales of
    other buyers than the benchmark buyer, whose pages are measured. One transaction, and the
    request emails queued rather than written to the quick start's mail folder.
    """
    if stripe_configured():
        raise RuntimeError(
            "STRIPE_SECRET_KEY is set: the benchmark pays through the simulated provider only."
        )
    admin = User.objects.get(email=build_data.ADMIN_EMAIL)
    sales = list(
        Sale.objects.filter(stage__in=LIVE_STAGES, sale_buyers__is_main=True)
        .exclude(sale_buyers__buyer__user__email=build_data.BUYER_EMAIL)
        .select_related("programme")
        .order_by("pk")[:count]
    )
    run = int(time.time())
    ids = []
    with tasks_queued(), transaction.atomic():
        for index in range(count):
            payment = payment_request_create(
                actor=admin,
                sale=sales[index % len(sales)],
                amount=Decimal("150.00"),
                reference=f"{REFERENCE}-{run}-{index + 1}",
                channel=Payment.Channel.EMAIL,
            )
            payment_method_choose(payment=payment, method=Method.CARD, actor=admin)
            page = payment_link_url(payment)
            payment_checkout_open(payment=payment, success_url=f"{page}?done=1", cancel_url=page)
            ids.append(payment.pk)
    return ids


def events_signed(payment_ids: list[int]) -> list[tuple[bytes, str]]:
    """(body, Stripe-Signature) of the completed-and-paid event of each payment's open session."""
    sessions = (
        CheckoutSession.objects.filter(payment_id__in=payment_ids, state=CheckoutSession.State.OPEN)
        .select_related("payment__sale")
        .order_by("payment_id")
    )
    return [
        event_payload(
            event_make(
                "checkout.session.completed",
                session_object(
                    session=session, payment=session.payment, status="complete", payment_status="paid"
                ),
            )
        )
        for session in sessions
    ]


def _post_loop(port: int, queue: list, lock: threading.Lock, result: Result) -> None:
    conn = http.client.HTTPConnection(load.HOST, port, timeout=60)
    statuses, errors = {}, 0
    while True:
        with lock:
            if not queue:
                break
            body, signature = queue.pop()
        try:
            conn.request(
                "POST",
                PATH,
                body=body,
                headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            )
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            continue
        statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()
    with lock:
        result.errors += errors
        for status, count in statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + count


def post_all(port: int, events: list[tuple[bytes, str]], connections: int = CONNECTIONS) -> Result:
    """POST every event once, on `connections` keep-alive connections at once."""
    queue, lock, result = list(reversed(events)), threading.Lock(), Result(sent=len(events))
    threads = [
        threading.Thread(target=_post_loop, args=(port, queue, lock, result)) for _ in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def paid_count(payment_ids: list[int]) -> int:
    return Payment.objects.filter(pk__in=payment_ids, status="paid").count()


def report(result: Result, paid: int) -> None:
    bad = {status: n for status, n in result.statuses.items() if status != 200}
    notes = f"  (non-200 answers: {bad})" if bad else ""
    if result.errors:
        notes += f"  ({result.errors} connection errors)"
    print(
        f"\n{'webhooks':<18} {'events':>8} {'paid':>8} {'s':>8} {'events/s':>9}\n"
        f"{'checkout.completed':<18} {result.sent:8d} {paid:8d} {result.elapsed:8.2f} "
        f"{result.per_second:9.1f}{notes}"
    )
