"""The Pay button (PAY-2, PAY-11): to the open checkout session, or a fresh one; never twice."""

import re

import pytest
from django.urls import reverse

from payments.models import CheckoutSession, PaymentEvent, Status
from tests.payments_pages.conftest import paid, pay_path, simulate

pytestmark = pytest.mark.django_db


def checkout_path(payment) -> str:
    return reverse("payments:checkout", args=[pay_path(payment).split("/")[-2]])


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_pay_goes_to_the_simulated_checkout_and_a_second_click_reuses_its_session(client, anna_request):
    client.post(pay_path(anna_request), {"method": "card"})
    first = client.post(checkout_path(anna_request))
    assert first.status_code == 303
    assert re.fullmatch(r"/payments/simulated/cs_sim_[\w-]+/", first["Location"])
    second = client.post(checkout_path(anna_request))
    assert second["Location"] == first["Location"]
    session = CheckoutSession.objects.get(payment=anna_request)
    assert session.url == first["Location"]
    assert session.method == "card"
    assert (
        PaymentEvent.objects.filter(payment=anna_request, kind=PaymentEvent.Kind.SESSION_OPENED).count() == 1
    )


def test_the_checkout_comes_back_to_the_pay_page(client, anna_request, monkeypatch):
    seen = {}
    from payments.providers.simulated import SimulatedProvider

    start = SimulatedProvider.checkout_start

    def spy(self, request):
        seen["success"], seen["cancel"] = request.success_url, request.cancel_url
        return start(self, request)

    monkeypatch.setattr(SimulatedProvider, "checkout_start", spy)
    client.post(pay_path(anna_request), {"method": "card"})
    client.post(checkout_path(anna_request))
    assert seen == {
        "success": f"http://testserver{pay_path(anna_request)}?done=1",
        "cancel": f"http://testserver{pay_path(anna_request)}",
    }


def test_changing_the_method_opens_a_fresh_session(client, programme, anna_request):
    programme.payment_settings.accept_sepa_debit = True
    programme.payment_settings.save()
    client.post(pay_path(anna_request), {"method": "card"})
    card = client.post(checkout_path(anna_request))["Location"]
    client.post(pay_path(anna_request), {"method": "sepa_debit"})
    debit = client.post(checkout_path(anna_request))["Location"]
    assert debit != card
    states = dict(CheckoutSession.objects.values_list("method", "state"))
    assert states == {"card": "expired", "sepa_debit": "open"}


def test_pay_before_choosing_a_method_asks_for_one(client, anna_request):
    response = client.post(checkout_path(anna_request))
    assert response.status_code == 200
    assert "Choose how you want to pay first." in text_of(response)
    assert not CheckoutSession.objects.exists()


def test_a_paid_request_opens_no_checkout(client, anna_request):
    payment = paid(anna_request)
    response = client.post(checkout_path(payment))
    assert response.status_code == 200
    assert "there is nothing to pay" in text_of(response)
    assert CheckoutSession.objects.filter(payment=payment, state="open").count() == 0


def test_a_failed_payment_opens_a_new_session_for_the_next_attempt(client, anna_request):
    payment = simulate(anna_request, "fail")
    assert payment.status == Status.FAILED
    response = client.post(checkout_path(payment))
    assert response.status_code == 303
    assert CheckoutSession.objects.filter(payment=payment).count() == 2


def test_checkout_is_post_only_and_needs_a_valid_link(client, anna_request):
    assert client.get(checkout_path(anna_request)).status_code == 405
    assert client.post(reverse("payments:checkout", args=["forged"])).status_code == 404


def test_with_stripe_the_pay_page_lets_its_form_go_on_to_stripes_hosted_checkout(
    client, anna_request, settings
):
    client.post(pay_path(anna_request), {"method": "card"})
    policy = client.get(pay_path(anna_request))["Content-Security-Policy"]
    assert "form-action 'self';" in policy  # the simulated checkout is on the portal itself
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_configured"
    policy = client.get(pay_path(anna_request))["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com;" in policy
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
