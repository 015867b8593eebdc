"""Opening the hosted checkout (PAY-2, PAY-6): one open session reused, a fresh one after expiry or
a change of method, never for money already paid or on its way; escrow deposits as destination
charges; a French deposit without an escrow account paid by transfer only."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.errors import PaymentError
from payments.models import CheckoutSession, Payment, Status
from payments.providers import online_provider
from payments.providers.base import CheckoutSession as StartedSession
from payments.providers.simulated import SimulatedProvider
from payments.providers.stripe import StripeProvider
from payments.selectors import payment_methods_for, payment_settings_for
from payments.services.checkout import payment_checkout_open
from payments.services.money import payment_record_transfer
from payments.services.requests import deposit_request, payment_method_choose
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import (
    CANCEL_URL,
    SUCCESS_URL,
    deed_within,
    payment_settings_make,
    polish_programme_make,
    sale_with_buyer_make,
    session_open,
)
from tests.payments.test_stripe_provider import RecordedStripe

pytestmark = pytest.mark.django_db

ESCROW = "acct_1QxEscrowHolder01"


class FakeStripe:
    """Stands in for StripeProvider: keeps what the portal asks of it, opens numbered sessions."""

    name = "stripe"

    def __init__(self):
        self.requests = []
        self.expired = []

    def checkout_start(self, request):
        self.requests.append(request)
        session_id = f"cs_test_fake_{len(self.requests)}"
        return StartedSession(
            session_id=session_id,
            url=f"https://checkout.stripe.com/c/pay/{session_id}",
            expires_at=request.expires_at,
        )

    def checkout_expire(self, session_id):
        self.expired.append(session_id)


@pytest.fixture
def stripe(monkeypatch):
    fake = FakeStripe()
    monkeypatch.setattr("payments.services.checkout.online_provider", lambda: fake)
    return fake


def checkout(payment: Payment) -> str:
    return payment_checkout_open(payment=payment, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)


@pytest.fixture
def payment(advisor):
    return request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor), amount="1000.00")


# The simulated checkout by default ---------------------------------------------------------------


def test_without_a_stripe_key_payments_go_through_the_simulated_checkout(settings, payment):
    assert settings.STRIPE_SECRET_KEY == ""
    assert isinstance(online_provider(), SimulatedProvider)

    session = session_open(payment)

    assert session.provider == "simulated"
    assert session.session_id.startswith("cs_sim_")
    assert session.url == f"/payments/simulated/{session.session_id}/"
    assert (session.number, session.method, session.state) == (1, "card", "open")
    assert payment.events.filter(kind="session_opened", data__session=session.session_id).count() == 1


# Reuse and fresh sessions ------------------------------------------------------------------------


def test_a_second_visit_reuses_the_open_session(stripe, payment):
    payment_method_choose(payment=payment, method="card")

    first = checkout(payment)
    second = checkout(payment)

    assert first == second == "https://checkout.stripe.com/c/pay/cs_test_fake_1"
    assert CheckoutSession.objects.filter(payment=payment).count() == 1
    assert len(stripe.requests) == 1


def test_the_first_session_carries_the_business_idempotency_key(stripe, payment):
    payment_method_choose(payment=payment, method="card")

    checkout(payment)

    assert stripe.requests[0].idempotency_key == f"payment-{payment.pk}-session-1"


def test_a_visit_after_the_session_expired_opens_a_fresh_one_with_the_next_key(stripe, payment, time_machine):
    payment_method_choose(payment=payment, method="card")
    checkout(payment)

    time_machine.move_to(timezone.now() + timedelta(hours=23))
    url = checkout(payment)

    assert url == "https://checkout.stripe.com/c/pay/cs_test_fake_2"
    assert [request.idempotency_key for request in stripe.requests] == [
        f"payment-{payment.pk}-session-1",
        f"payment-{payment.pk}-session-2",
    ]
    states = dict(CheckoutSession.objects.filter(payment=payment).values_list("number", "state"))
    assert states == {1: "expired", 2: "open"}


def test_a_session_about_to_close_is_not_handed_out_again(stripe, payment, time_machine):
    payment_method_choose(payment=payment, method="card")
    checkout(payment)

    time_machine.move_to(timezone.now() + timedelta(hours=22, minutes=55))

    assert checkout(payment) == "https://checkout.stripe.com/c/pay/cs_test_fake_2"


def test_a_session_lives_at_most_until_the_link_expires(stripe, payment):
    Payment.objects.filter(pk=payment.pk).update(link_expires_at=timezone.now() + timedelta(hours=5))
    payment_method_choose(payment=payment, method="card")

    checkout(payment)

    payment.refresh_from_db()
    assert stripe.requests[0].expires_at == payment.link_expires_at


def test_changing_the_method_opens_a_fresh_session_and_closes_the_other(advisor, stripe):
    programme = ProgrammeFactory()
    payment_settings_make(programme, accept_sepa_debit=True)
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))
    payment_method_choose(payment=payment, method="card")
    checkout(payment)

    payment_method_choose(payment=payment, method="sepa_debit")
    url = checkout(payment)

    assert url == "https://checkout.stripe.com/c/pay/cs_test_fake_2"
    assert [request.method for request in stripe.requests] == ["card", "sepa_debit"]
    assert stripe.expired == ["cs_test_fake_1"]
    sessions = CheckoutSession.objects.filter(payment=payment).order_by("number")
    assert list(sessions.values_list("method", "state")) == [("card", "expired"), ("sepa_debit", "open")]


@pytest.mark.parametrize(("status", "label"), [(Status.PAID, "Paid"), (Status.PROCESSING, "Processing")])
def test_no_session_is_opened_for_money_paid_or_on_its_way(stripe, payment, status, label):
    payment_method_choose(payment=payment, method="card")
    Payment.objects.filter(pk=payment.pk).update(status=status)

    with pytest.raises(PaymentError) as refused:
        checkout(payment)

    assert str(refused.value) == f"This payment is “{label}”: there is nothing to pay."
    assert stripe.requests == []
    assert CheckoutSession.objects.count() == 0


def test_a_paid_payment_does_not_hand_out_its_old_session(stripe, payment, accountant):
    payment_method_choose(payment=payment, method="card")
    checkout(payment)
    payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal("1000.00"), received_on=date(2026, 1, 5)
    )

    with pytest.raises(PaymentError) as refused:
        checkout(payment)
    assert str(refused.value) == "This payment is “Paid”: there is nothing to pay."


def test_no_session_is_opened_once_the_link_expired(stripe, payment, time_machine):
    payment_method_choose(payment=payment, method="card")

    time_machine.move_to(timezone.now() + timedelta(days=15))

    with pytest.raises(PaymentError) as refused:
        checkout(payment)
    assert str(refused.value) == "This payment link has expired. Ask your advisor for a new one."


def test_no_session_is_opened_before_an_online_method_is_chosen(advisor, stripe):
    programme = ProgrammeFactory()
    payment_settings_make(programme, accept_sepa_debit=True)
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))

    with pytest.raises(PaymentError) as refused:
        checkout(payment)

    assert str(refused.value) == "Choose how you want to pay first."


# What the provider is asked ---------------------------------------------------------------------


def test_the_provider_is_asked_for_what_is_still_due_in_the_programme_s_currency(stripe, payment, accountant):
    payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal("200.00"), received_on=date(2026, 1, 5)
    )
    payment_method_choose(payment=payment, method="card")

    checkout(payment)

    [request] = stripe.requests
    assert (request.payment_id, request.amount, request.currency, request.method) == (
        payment.pk,
        Decimal("800.00"),
        "EUR",
        "card",
    )
    assert request.customer_email == payment.buyer.email
    assert (request.success_url, request.cancel_url) == (SUCCESS_URL, CANCEL_URL)
    assert request.metadata == {"payment_id": str(payment.pk), "sale": payment.sale.reference}
    assert request.language == "fr"
    assert request.destination_account == ""


def test_a_french_deposit_is_a_destination_charge_to_the_escrow_holder(advisor, stripe):
    programme = ProgrammeFactory()
    payment_settings_make(programme, escrow_stripe_account=ESCROW)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(200))
    deposit = deposit_request(actor=advisor, sale=sale)
    payment_method_choose(payment=deposit, method="card")

    checkout(deposit)

    [request] = stripe.requests
    assert (request.amount, request.currency, request.destination_account) == (
        Decimal("4000.00"),
        "EUR",
        ESCROW,
    )


def test_an_ad_hoc_request_of_the_same_programme_is_no_destination_charge(advisor, stripe):
    programme = ProgrammeFactory()
    payment_settings_make(programme, escrow_stripe_account=ESCROW)
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))
    payment_method_choose(payment=payment, method="card")

    checkout(payment)

    assert stripe.requests[0].destination_account == ""


def test_the_real_stripe_provider_sends_the_escrow_destination_and_the_key(advisor, monkeypatch):
    http = RecordedStripe().answer("checkout_session_open", expires_at=int(timezone.now().timestamp()) + 3600)
    provider = StripeProvider(api_key="sk_test_unused", webhook_secret="whsec_test_unused", http_client=http)
    monkeypatch.setattr("payments.services.checkout.online_provider", lambda: provider)
    programme = ProgrammeFactory()
    payment_settings_make(programme, escrow_stripe_account=ESCROW)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(200))
    deposit = deposit_request(actor=advisor, sale=sale)
    payment_method_choose(payment=deposit, method="card")

    url = checkout(deposit)

    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    sent = http.last
    assert sent.headers["Idempotency-Key"] == f"payment-{deposit.pk}-session-1"
    assert sent.form["payment_intent_data[transfer_data][destination]"] == ESCROW
    assert sent.form["line_items[0][price_data][unit_amount]"] == "400000"
    assert sent.form["client_reference_id"] == str(deposit.pk)
    assert CheckoutSession.objects.get(payment=deposit).provider == "stripe"


# Methods ------------------------------------------------------------------------------------------


def test_a_french_deposit_without_an_escrow_account_is_paid_by_transfer_only(advisor, stripe):
    programme = ProgrammeFactory()
    payment_settings_make(programme, accept_sepa_debit=True)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, deed_planned_on=deed_within(200))

    deposit = deposit_request(actor=advisor, sale=sale)

    assert payment_methods_for(deposit, payment_settings_for(programme)) == ["transfer"]
    assert deposit.method == "transfer"
    with pytest.raises(PaymentError) as refused:
        payment_method_choose(payment=deposit, method="card")
    assert str(refused.value) == "This method of payment is not offered for this request."
    with pytest.raises(PaymentError) as refused:
        checkout(deposit)
    assert str(refused.value) == "Choose how you want to pay first."
    assert stripe.requests == []


def test_an_ad_hoc_request_of_that_programme_may_be_paid_online(advisor):
    programme = ProgrammeFactory()
    payment_settings_make(programme, accept_sepa_debit=True)
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))

    assert payment_methods_for(payment, payment_settings_for(programme)) == ["card", "sepa_debit", "transfer"]
    assert payment.method == ""


def test_a_polish_programme_offers_only_what_stripe_takes_in_zloty(advisor):
    programme = polish_programme_make()
    payment_settings_make(programme, accept_blik=True, accept_p24=True, accept_sepa_debit=True)
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor, programme=programme))

    assert payment_methods_for(payment, payment_settings_for(programme)) == [
        "card",
        "blik",
        "p24",
        "transfer",
    ]


def test_the_method_cannot_change_once_the_buyer_started_paying(payment):
    payment_method_choose(payment=payment, method="card")
    Payment.objects.filter(pk=payment.pk).update(status=Status.PROCESSING)

    with pytest.raises(PaymentError) as refused:
        payment_method_choose(payment=payment, method="transfer")

    assert str(refused.value) == "This payment can no longer change its method."


def test_cancelling_a_request_closes_its_open_session_at_the_provider_after_commit(
    stripe, payment, advisor, monkeypatch, django_capture_on_commit_callbacks
):
    from payments.services.requests import payment_cancel

    monkeypatch.setattr("payments.services.requests.provider_named", lambda name: stripe)
    payment_method_choose(payment=payment, method="card")
    checkout(payment)

    with django_capture_on_commit_callbacks(execute=True):
        payment_cancel(actor=advisor, payment=payment)

    assert stripe.expired == ["cs_test_fake_1"]
    assert CheckoutSession.objects.get(payment=payment).state == "expired"
