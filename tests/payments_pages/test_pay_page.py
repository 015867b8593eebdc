"""The portal link of a payment request (PAY-2): what it shows in each status, choosing a method."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import CheckoutSession, Payment, Status
from payments.services.daily import payments_expire
from payments.services.requests import deposit_request, payment_cancel, payment_link_renew
from payments.simulated_events import event_make, session_object
from tests.factories import request_make
from tests.payments_pages.conftest import paid, pay_path, send, simulate

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_an_open_request_shows_what_is_asked_and_the_methods_offered(client, anna_request, boris_sale):
    request_make(boris_sale, amount="777.00", reference="BORIS-REF")
    response = client.get(pay_path(anna_request))
    assert response.status_code == 200
    words = text_of(response)
    assert "Payment request – Les Jardins du Canal" in words
    assert "Reference INV-2025-001" in words
    assert "Amount €5,000.00" in words
    assert "Status To pay" in words
    assert "Card" in words and "Bank transfer" in words
    html = response.content.decode()
    assert 'name="method" id="method-card" value="card"' in html
    assert 'value="transfer"' in html
    # Nothing of the buyer's own details, nor of anyone else's request.
    assert "rue Secrète" not in words and "anna@example.test" not in words
    assert "BORIS-REF" not in words and "777" not in words
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_unknown_or_forged_link_answers_404(client, anna_request):
    assert client.get(reverse("payments:pay", args=["nothing"])).status_code == 404
    token = pay_path(anna_request).split("/")[-2]
    forged = token.replace(f"{anna_request.pk}.", f"{anna_request.pk + 1}.")
    assert client.get(reverse("payments:pay", args=[forged])).status_code == 404


def test_a_link_replaced_by_a_fresh_one_no_longer_opens(client, anna_request, advisor):
    old = pay_path(anna_request)
    payment_link_renew(actor=advisor, payment=anna_request)
    anna_request.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(pay_path(anna_request)).status_code == 200


def test_a_visitor_not_logged_in_reads_the_page_in_the_buyers_language(client, anna_request, anna):
    anna.language = "fr"
    anna.save()
    html = client.get(pay_path(anna_request)).content.decode()
    assert '<html lang="fr">' in html


def test_a_visitor_who_chose_a_language_keeps_it(client, anna_request, anna, settings):
    anna.language = "fr"
    anna.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in client.get(pay_path(anna_request)).content.decode()


def test_the_buyer_chooses_card_and_gets_the_pay_button(client, anna_request):
    response = client.post(pay_path(anna_request), {"method": "card"})
    assert response.status_code == 303
    assert response["Location"] == pay_path(anna_request)
    anna_request.refresh_from_db()
    assert anna_request.method == "card"
    response = client.get(pay_path(anna_request))
    words = text_of(response)
    assert "Pay by Card" in words
    assert "Pay €5,000.00" in words
    assert 'id="method-card" value="card" checked' in response.content.decode()
    assert (
        reverse("payments:checkout", args=[pay_path(anna_request).split("/")[-2]])
        in response.content.decode()
    )


def test_bank_transfer_shows_the_escrow_account_and_the_rf_reference(client, anna_request):
    client.post(pay_path(anna_request), {"method": "transfer"})
    words = text_of(client.get(pay_path(anna_request)))
    anna_request.refresh_from_db()
    reference = anna_request.creditor_reference
    grouped = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))
    assert "Pay by bank transfer" in words
    assert "Beneficiary SCCV Jardins du Canal" in words
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in words
    assert "BIC AGRIFRPP" in words
    assert f"Transfer reference {grouped}" in words
    assert "Amount €5,000.00" in words
    assert "Pay €5,000.00" not in words  # no online checkout for a transfer


def test_the_method_can_change_until_paying_starts(client, anna_request):
    client.post(pay_path(anna_request), {"method": "transfer"})
    client.post(pay_path(anna_request), {"method": "card"})
    anna_request.refresh_from_db()
    assert anna_request.method == "card"


def test_a_method_not_offered_is_refused_in_words(client, anna_request):
    response = client.post(pay_path(anna_request), {"method": "blik"})
    assert response.status_code == 200
    assert "This method of payment is not offered for this request." in text_of(response)
    anna_request.refresh_from_db()
    assert anna_request.method == ""


def test_the_method_cannot_change_once_the_debit_is_processing(client, programme, anna_sale):
    programme.payment_settings.accept_sepa_debit = True
    programme.payment_settings.save()
    payment = request_make(anna_sale)
    client.post(pay_path(payment), {"method": "sepa_debit"})
    client.post(reverse("payments:checkout", args=[pay_path(payment).split("/")[-2]]))
    session = CheckoutSession.objects.get(payment=payment)
    # Stripe says the debit was submitted: the session completes unpaid.
    payment = Payment.objects.select_related("sale").get(pk=payment.pk)
    send(
        event_make(
            "checkout.session.completed",
            session_object(session=session, payment=payment, status="complete", payment_status="unpaid"),
        )
    )
    payment.refresh_from_db()
    assert payment.status == Status.PROCESSING

    response = client.post(pay_path(payment), {"method": "card"})
    assert "This payment can no longer change its method." in text_of(response)
    payment.refresh_from_db()
    assert payment.method == "sepa_debit"
    words = text_of(client.get(pay_path(payment)))
    assert "Your payment is being processed" in words
    assert "How do you want to pay?" not in words


def test_a_single_method_needs_no_choosing(client, programme, anna_sale):
    programme.payment_settings.accept_transfer = False
    programme.payment_settings.save()
    payment = request_make(anna_sale, amount="5000.00")
    assert payment.method == "card"
    words = text_of(client.get(pay_path(payment)))
    assert "This request is paid by Card." in words
    assert "Pay €5,000.00" in words


def test_a_french_deposit_without_escrow_account_is_paid_by_transfer_only(client, programme, anna_sale):
    programme.payment_settings.escrow_stripe_account = ""
    programme.payment_settings.save()
    deposit = deposit_request(actor=anna_sale.advisor, sale=anna_sale)
    words = text_of(client.get(pay_path(deposit)))
    assert "Deposit – Les Jardins du Canal" in words
    assert "Pay by bank transfer" in words
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in words
    assert 'value="card"' not in client.get(pay_path(deposit)).content.decode()


def test_a_paid_request_says_so_and_a_buyer_of_the_sale_gets_his_receipt(client, anna_request, anna, piotr):
    payment = paid(anna_request)
    words = text_of(client.get(pay_path(payment)))
    assert "This payment is paid" in words
    assert "Paid on" in words
    assert "How do you want to pay?" not in words
    receipt_url = reverse("space:receipt", args=[payment.pk])
    assert receipt_url not in client.get(pay_path(payment)).content.decode()  # not logged in
    for person in (anna, piotr):
        client.force_login(person.user)
        html = client.get(pay_path(payment)).content.decode()
        assert receipt_url in html
        assert f"Download receipt JDC-{payment.receipt.number:06d} (PDF)" in text_of(
            client.get(pay_path(payment))
        )


def test_another_buyer_with_the_link_sees_no_receipt(client, anna_request, boris):
    payment = paid(anna_request)
    client.force_login(boris.user)
    response = client.get(pay_path(payment))
    assert response.status_code == 200
    assert reverse("space:receipt", args=[payment.pk]) not in response.content.decode()


def test_a_refunded_amount_is_told(client, anna_request):
    payment = paid(anna_request)
    Payment.objects.filter(pk=payment.pk).update(status=Status.PARTLY_REFUNDED, amount_refunded="1000.00")
    words = text_of(client.get(pay_path(payment)))
    assert "This payment is paid" in words
    assert "€1,000.00 has been refunded to you." in words


def test_a_failed_attempt_may_be_tried_again(client, anna_request):
    payment = simulate(anna_request, "fail")
    assert payment.status == Status.FAILED
    words = text_of(client.get(pay_path(payment) + "?done=1"))
    assert "Your last payment attempt did not go through." in words
    assert "Pay €5,000.00" in words


def test_back_from_the_checkout_before_the_confirmation_the_page_says_it_waits(client, anna_request):
    client.post(pay_path(anna_request), {"method": "card"})
    words = text_of(client.get(pay_path(anna_request) + "?done=1"))
    assert "We are waiting for the confirmation of your payment" in words


def test_an_expired_link_says_to_ask_the_advisor(client, anna_request):
    Payment.objects.filter(pk=anna_request.pk).update(link_expires_at=timezone.now() - timedelta(minutes=1))
    words = text_of(client.get(pay_path(anna_request)))
    assert "This payment link has expired" in words
    assert "Ask your advisor for a new link" in words
    assert "How do you want to pay?" not in words
    refused = client.post(pay_path(anna_request), {"method": "card"})
    assert "This payment link has expired. Ask your advisor for a new one." in text_of(refused)
    anna_request.refresh_from_db()
    assert anna_request.method == ""
    payments_expire()
    anna_request.refresh_from_db()
    assert anna_request.status == Status.EXPIRED
    assert "This payment link has expired" in text_of(client.get(pay_path(anna_request)))


def test_a_cancelled_request_says_there_is_nothing_to_pay(client, anna_request, advisor):
    payment_cancel(actor=advisor, payment=anna_request)
    words = text_of(client.get(pay_path(anna_request)))
    assert "This request was cancelled" in words
    assert "There is nothing to pay." in words
