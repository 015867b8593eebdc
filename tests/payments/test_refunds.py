"""Refunds (PAY-9): accountants and administrators only, up to the programme's last refundable
stage, never more than paid minus refunded minus what is pending; transfers recorded at once,
online payments refunded through their provider; two refunds at once cannot exceed the payment."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import translation

from payments.errors import PaymentError
from payments.models import Payment, PaymentEvent, Refund, Status
from payments.services.money import payment_record_transfer
from payments.services.refunds import refund_request
from portal.alerts.models import Alert
from portal.outbox.models import OutboxMessage
from portal.users.roles import Role
from sales.models import Stage
from sales.services import sale_move_stage
from tests.conftest import make_user
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import (
    event_send,
    payment_settings_make,
    sale_with_buyer_make,
    session_object,
    session_open,
    stage_reach,
)

pytestmark = pytest.mark.django_db


def paid_by_transfer(advisor, accountant, *, amount="1000.00", **sale_fields) -> Payment:
    sale = sale_with_buyer_make(advisor=advisor, first_name="Anna", last_name="Buyer", **sale_fields)
    payment = request_make(actor=advisor, sale=sale, amount=amount, reference="INV-9")
    return payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal(amount), received_on=date(2026, 1, 5)
    )


def paid_by_card(advisor, *, amount="1000.00") -> Payment:
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor), amount=amount)
    event_send("checkout.session.completed", session_object(session_open(payment), intent="pi_test_card"))
    return Payment.objects.get(pk=payment.pk)


def fresh(payment: Payment) -> Payment:
    return Payment.objects.get(pk=payment.pk)


# Who may refund -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SALES, Role.CUSTOMER_SERVICE, Role.BUYER])
def test_only_accountants_and_administrators_may_refund(advisor, accountant, role):
    payment = paid_by_transfer(advisor, accountant)
    user = make_user(f"{role.value}@example.test", role=role)

    with pytest.raises(PaymentError) as refused:
        refund_request(actor=user, payment=payment, amount=Decimal("100.00"))

    assert str(refused.value) == "Only accountants and administrators may refund a payment."
    assert Refund.objects.count() == 0
    assert fresh(payment).status == Status.PAID


def test_an_administrator_may_refund(advisor, accountant, administrator):
    payment = paid_by_transfer(advisor, accountant)

    refund = refund_request(actor=administrator, payment=payment, amount=Decimal("100.00"))

    assert (refund.state, refund.requested_by) == ("succeeded", administrator)


# Until which stage --------------------------------------------------------------------------------


def test_by_default_refunds_stop_once_the_deed_is_signed(advisor, accountant):
    payment = paid_by_transfer(advisor, accountant)
    stage_reach(payment.sale, Stage.DEED_SIGNED, actor=advisor)

    with pytest.raises(PaymentError) as refused:
        refund_request(actor=accountant, payment=payment, amount=Decimal("100.00"))

    assert (
        str(refused.value)
        == "Refunds stop at the stage “Financing” for this programme; this sale is at “Deed signed”."
    )
    assert Refund.objects.count() == 0


def test_by_default_refunds_are_allowed_up_to_the_financing_stage(advisor, accountant):
    payment = paid_by_transfer(advisor, accountant)
    stage_reach(payment.sale, Stage.FINANCING, actor=advisor)

    refund = refund_request(actor=accountant, payment=payment, amount=Decimal("100.00"))

    assert refund.state == "succeeded"


def test_a_programme_may_stop_refunds_earlier_but_a_cancelled_sale_is_always_refunded(advisor, accountant):
    programme = ProgrammeFactory()
    payment_settings_make(programme, last_refundable_stage=Stage.RESERVATION_SIGNED)
    payment = paid_by_transfer(advisor, accountant, programme=programme)
    sale = stage_reach(payment.sale, Stage.DEPOSIT_PAID, actor=advisor)

    with pytest.raises(PaymentError) as refused:
        refund_request(actor=accountant, payment=payment, amount=Decimal("100.00"))
    assert str(refused.value) == (
        "Refunds stop at the stage “Reservation signed” for this programme; this sale is at “Deposit paid”."
    )

    sale_move_stage(actor=advisor, sale=sale, target=Stage.CANCELLED)
    refund = refund_request(actor=accountant, payment=payment, amount=Decimal("1000.00"))

    assert refund.state == "succeeded"
    assert fresh(payment).status == Status.REFUNDED


def test_a_withdrawn_buyer_is_refunded(advisor, accountant):
    programme = ProgrammeFactory()
    payment_settings_make(programme, last_refundable_stage=Stage.OPTION)
    payment = paid_by_transfer(advisor, accountant, programme=programme)
    sale = stage_reach(payment.sale, Stage.WITHDRAWAL_PERIOD, actor=advisor)
    sale_move_stage(actor=advisor, sale=sale, target=Stage.WITHDRAWN)

    refund = refund_request(actor=accountant, payment=payment, amount=Decimal("1000.00"))

    assert refund.state == "succeeded"


# How much -----------------------------------------------------------------------------------------


def test_a_partial_then_the_rest_makes_the_payment_partly_refunded_then_refunded(advisor, accountant):
    payment = paid_by_transfer(advisor, accountant)

    refund_request(actor=accountant, payment=payment, amount=Decimal("400.00"), reason="Option dropped")
    assert (fresh(payment).status, fresh(payment).amount_refunded) == (
        Status.PARTLY_REFUNDED,
        Decimal("400.00"),
    )

    refund_request(actor=accountant, payment=payment, amount=Decimal("600.00"))
    assert (fresh(payment).status, fresh(payment).amount_refunded) == (Status.REFUNDED, Decimal("1000.00"))
    statuses = list(payment.events.filter(kind="status_changed").values_list("data__to", flat=True))
    assert statuses == ["paid", "refund_requested", "partly_refunded", "refund_requested", "refunded"]


def test_a_refund_above_what_is_left_is_refused(advisor, accountant):
    payment = paid_by_transfer(advisor, accountant)
    refund_request(actor=accountant, payment=payment, amount=Decimal("600.00"))

    with pytest.raises(PaymentError) as refused:
        refund_request(actor=accountant, payment=payment, amount=Decimal("400.01"))

    assert str(refused.value) == "At most €400.00 can still be refunded on this payment."
    assert Refund.objects.filter(payment=payment).count() == 1
    assert fresh(payment).amount_refunded == Decimal("600.00")


def test_a_refund_of_nothing_is_refused(advisor, accountant):
    payment = paid_by_transfer(advisor, accountant)

    with pytest.raises(PaymentError) as refused:
        refund_request(actor=accountant, payment=payment, amount=Decimal("0.00"))

    assert str(refused.value) == "Refund an amount above zero."


def test_a_payment_not_paid_cannot_be_refunded(advisor, accountant):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor))

    with pytest.raises(PaymentError) as refused:
        refund_request(actor=accountant, payment=payment, amount=Decimal("10.00"))

    assert str(refused.value) == "A payment that is “To pay” cannot be refunded."


def test_a_refund_still_pending_counts_as_already_given(advisor, accountant):
    payment = paid_by_card(advisor)
    refund_request(
        actor=accountant, payment=payment, amount=Decimal("700.00")
    )  # the provider has not answered

    with pytest.raises(PaymentError) as refused:
        refund_request(actor=accountant, payment=payment, amount=Decimal("400.00"))

    assert str(refused.value) == "At most €300.00 can still be refunded on this payment."


# Transfers and online payments --------------------------------------------------------------------


def test_a_transfer_is_refunded_by_staff_and_recorded_at_once(advisor, accountant):
    payment = paid_by_transfer(advisor, accountant)

    refund = refund_request(
        actor=accountant, payment=payment, amount=Decimal("250.00"), reason="Parking dropped"
    )

    assert (refund.provider, refund.state, refund.reason) == ("manual", "succeeded", "Parking dropped")
    assert refund.settled_at is not None
    assert list(payment.events.filter(kind__startswith="refund").values_list("kind", "amount", "actor")) == [
        ("refund_requested", Decimal("250.00"), accountant.pk),
        ("refunded", Decimal("250.00"), accountant.pk),
    ]
    email = OutboxMessage.objects.get(key=f"payment-refunded:{refund.pk}")
    assert email.recipients == [payment.buyer.email]
    assert Alert.objects.get(user=advisor, key=f"staff-payment-refunded:{refund.pk}").text == (
        f"€250.00 was refunded to Anna Buyer (INV-9, sale {payment.sale.reference})."
    )


def test_an_online_payment_is_refunded_through_its_provider_after_commit(
    advisor, accountant, django_capture_on_commit_callbacks
):
    payment = paid_by_card(advisor)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refund = refund_request(actor=accountant, payment=payment, amount=Decimal("1000.00"))

    refund.refresh_from_db()
    assert (refund.provider, refund.state) == ("simulated", "pending")
    assert fresh(payment).status == Status.REFUND_REQUESTED

    for callback in callbacks:  # the task runs eagerly in tests
        callback()

    refund.refresh_from_db()
    assert (refund.state, refund.provider_refund_id) == ("succeeded", f"re_sim_{refund.pk}")
    assert (fresh(payment).status, fresh(payment).amount_refunded) == (Status.REFUNDED, Decimal("1000.00"))


def test_a_refund_the_provider_refuses_leaves_the_payment_as_it_was(advisor, accountant, monkeypatch):
    from payments.providers.base import ProviderError
    from payments.services.refunds import refund_execute

    payment = paid_by_card(advisor)
    refund = refund_request(actor=accountant, payment=payment, amount=Decimal("300.00"))

    def refuse(self, request):
        raise ProviderError("Stripe refused the request: charge already refunded")

    monkeypatch.setattr("payments.providers.simulated.SimulatedProvider.refund", refuse)
    refund_execute(refund_id=refund.pk)

    refund.refresh_from_db()
    assert refund.state == "failed"
    assert (fresh(payment).status, fresh(payment).amount_refunded) == (Status.PAID, Decimal("0.00"))
    failed = PaymentEvent.objects.get(payment=payment, kind="refund_failed")
    assert failed.data == {
        "refund": refund.pk,
        "error": "Stripe refused the request: charge already refunded",
    }


# Two at once --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("paid_by", ["transfer", "card"])
def test_two_refunds_of_sixty_percent_at_the_same_moment_let_exactly_one_through(paid_by):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    advisor = make_user("advisor@example.test", role=Role.SALES)
    accountants = [make_user(f"accountant{n}@example.test", role=Role.ACCOUNTANT) for n in (1, 2)]
    payment = paid_by_transfer(advisor, accountants[0]) if paid_by == "transfer" else paid_by_card(advisor)
    start = threading.Barrier(2)
    outcomes = {}

    def refund(accountant):
        try:
            start.wait()
            with translation.override("en"):  # each thread starts in the default language
                refund_request(actor=accountant, payment=payment, amount=Decimal("600.00"))
            outcomes[accountant.email] = "refunded"
        except PaymentError as error:
            outcomes[accountant.email] = str(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund, args=[accountant]) for accountant in accountants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert sorted(outcomes.values()) == ["At most €400.00 can still be refunded on this payment.", "refunded"]
    assert Refund.objects.filter(payment=payment).count() == 1
    payment = fresh(payment)
    assert (payment.amount_refunded, payment.status) == (Decimal("600.00"), Status.PARTLY_REFUNDED)


def test_a_refund_whose_task_was_lost_is_asked_again_by_the_safety_net(
    advisor, accountant, django_capture_on_commit_callbacks, time_machine
):
    from payments.services.refunds import refunds_execute_stuck

    payment = paid_by_card(advisor)
    time_machine.move_to("2026-03-02 09:00:00+00:00")
    with django_capture_on_commit_callbacks(execute=False):  # the task never runs
        refund = refund_request(actor=accountant, payment=payment, amount=Decimal("400.00"))

    time_machine.move_to("2026-03-02 09:05:00+00:00")
    assert refunds_execute_stuck() == 0  # too recent: its task may still be on its way

    time_machine.move_to("2026-03-02 09:11:00+00:00")
    assert refunds_execute_stuck() == 1

    refund.refresh_from_db()
    assert (refund.state, refund.provider_refund_id) == ("succeeded", f"re_sim_{refund.pk}")
    assert (fresh(payment).status, fresh(payment).amount_refunded) == (
        Status.PARTLY_REFUNDED,
        Decimal("400.00"),
    )
    assert refunds_execute_stuck() == 0


@pytest.mark.django_db(transaction=True)
def test_a_broker_out_of_reach_keeps_the_refund_asked_and_the_safety_net_sends_it(
    advisor, accountant, monkeypatch
):
    from datetime import timedelta

    from payments.services.refunds import refunds_execute_stuck

    payment = paid_by_card(advisor)

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr("payments.tasks.refund_execute.delay", broker_down)

    # Really committed: the provider call is queued after commit, and queuing it fails.
    refund = refund_request(actor=accountant, payment=payment, amount=Decimal("250.00"))

    refund.refresh_from_db()
    assert refund.state == "pending"
    assert fresh(payment).status == Status.REFUND_REQUESTED

    assert refunds_execute_stuck(older_than=timedelta(0)) == 1
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert fresh(payment).status == Status.PARTLY_REFUNDED
