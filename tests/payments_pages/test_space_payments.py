"""The buyer's payments page and his receipts in the client space (PAY-8, PAY-10)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment, Status
from portal.users.roles import Role
from sales.models import SaleAssignment
from tests.conftest import make_user
from tests.factories import request_make
from tests.payments_pages.conftest import FAKE_PDF, paid, pay_path, simulate
from tests.space import factories

pytestmark = pytest.mark.django_db

URL = "/space/payments/"


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def receipt_url(payment) -> str:
    return reverse("space:receipt", args=[payment.pk])


def test_the_urls():
    assert reverse("space:payments") == URL
    assert receipt_url(Payment(pk=7)) == "/space/payments/7/receipt/"


def test_a_visitor_is_sent_to_the_login_page(client, anna_request):
    for url in (URL, receipt_url(anna_request)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_buyer_sees_what_is_open_with_a_pay_button(client, anna, anna_request):
    client.force_login(anna.user)
    response = client.get(URL)
    assert response.status_code == 200
    words = text_of(response)
    assert "My payments" in words
    assert "Payment request · Les Jardins du Canal" in words
    assert "Amount €5,000.00" in words
    assert "Reference INV-2025-001" in words
    assert "Status To pay" in words
    assert f'href="{pay_path(anna_request)}"' in response.content.decode()
    assert "Pay – INV-2025-001" in words
    assert "No payment made yet." in words


def test_a_due_date_is_shown(client, anna, anna_sale):
    request_make(anna_sale, due_on=timezone.localdate() + timedelta(days=10))
    client.force_login(anna.user)
    assert "Due on" in text_of(client.get(URL))


def test_the_history_shows_paid_payments_with_their_receipt(client, anna, anna_request):
    payment = paid(anna_request)
    client.force_login(anna.user)
    response = client.get(URL)
    words = text_of(response)
    assert "Nothing to pay right now." in words
    assert "Status Paid" in words
    assert "Paid on" in words
    assert f"Download receipt JDC-{payment.receipt.number:06d} (PDF)" in words
    assert receipt_url(payment) in response.content.decode()
    assert "attempt" not in words  # paid at the first attempt: nothing to add


def test_paid_at_the_second_attempt_is_said(client, anna, anna_request):
    simulate(anna_request, "fail")
    paid(anna_request)
    client.force_login(anna.user)
    assert "Paid at attempt 2." in text_of(client.get(URL))


def test_a_refunded_amount_is_shown(client, anna, anna_request):
    payment = paid(anna_request)
    Payment.objects.filter(pk=payment.pk).update(status=Status.PARTLY_REFUNDED, amount_refunded="1200.00")
    client.force_login(anna.user)
    words = text_of(client.get(URL))
    assert "Status Partly refunded" in words
    assert "Refunded €1,200.00" in words


def test_processing_expired_and_failed_are_said_in_words(client, programme, anna, anna_sale):
    programme.payment_settings.accept_sepa_debit = True
    programme.payment_settings.save()
    processing = request_make(anna_sale, reference="DEBIT")
    Payment.objects.filter(pk=processing.pk).update(status=Status.PROCESSING)
    expired = request_make(anna_sale, reference="LATE")
    Payment.objects.filter(pk=expired.pk).update(status=Status.EXPIRED)
    failed = simulate(request_make(anna_sale, reference="REFUSED"), "fail")
    stale = request_make(anna_sale, reference="STALE")
    Payment.objects.filter(pk=stale.pk).update(link_expires_at=timezone.now() - timedelta(hours=1))
    client.force_login(anna.user)
    response = client.get(URL)
    words = text_of(response)
    assert "Your payment is being processed." in words
    assert "The request expired unpaid: ask your advisor for a new link." in words
    assert "Your last attempt did not go through; you can try again." in words
    assert f'href="{pay_path(failed)}"' in response.content.decode()
    # An open request whose link ran out: no Pay button, a sentence instead.
    assert "The payment link has expired: ask your advisor for a new one." in words
    assert f'href="{pay_path(stale)}"' not in response.content.decode()


def test_a_co_buyer_sees_the_payments_of_the_shared_purchase(client, piotr, anna_request):
    client.force_login(piotr.user)
    assert "INV-2025-001" in text_of(client.get(URL))


def test_the_buyer_sees_only_his_own_payments(client, anna, anna_request, boris, boris_sale):
    boris_payment = paid(request_make(boris_sale, reference="BORIS-ONLY"))
    client.force_login(anna.user)
    response = client.get(URL)
    assert "BORIS-ONLY" not in text_of(response)
    assert receipt_url(boris_payment) not in response.content.decode()
    assert client.get(receipt_url(boris_payment)).status_code == 404


def test_a_cancelled_request_is_not_listed(client, anna, anna_request, advisor):
    from payments.services.requests import payment_cancel

    payment_cancel(actor=advisor, payment=anna_request)
    client.force_login(anna.user)
    assert "INV-2025-001" not in text_of(client.get(URL))


def test_the_receipt_downloads_as_an_attachment_with_its_number(client, anna, anna_request):
    payment = paid(anna_request)
    client.force_login(anna.user)
    response = client.get(receipt_url(payment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="receipt-JDC-{payment.receipt.number:06d}.pdf"'
    )
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert "no-store" in response["Cache-Control"]  # never kept by a shared or browser cache


def test_a_receipt_not_rendered_yet_or_a_payment_without_one_is_404(client, anna, anna_sale, anna_request):
    unpaid = request_make(anna_sale, reference="OPEN")
    just_paid = simulate(anna_request, "pay")  # the rendering task runs after commit
    client.force_login(anna.user)
    assert client.get(receipt_url(unpaid)).status_code == 404
    assert client.get(receipt_url(just_paid)).status_code == 404
    words = text_of(client.get(URL))
    assert "Your receipt is being prepared" in words


def test_notaries_and_partners_have_no_payments_page(client, anna_sale, anna_request):
    paid(anna_request)
    notary = factories.partner_login("notaire@example.test", Role.NOTARY)
    factories.assign([anna_sale], notary, SaleAssignment.Role.NOTARY)
    client.force_login(notary)
    assert client.get(URL).status_code == 404
    assert client.get(receipt_url(anna_request)).status_code == 404
    assert "Payments" not in text_of(client.get(reverse("space:dashboard")))


def test_staff_are_sent_to_the_back_office(client, advisor, anna_request):
    client.force_login(advisor)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_the_navigation_leads_to_the_payments_page(client, anna):
    client.force_login(anna.user)
    html = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Payments</a>' in html


def test_the_dashboard_says_when_something_is_to_pay(client, anna, anna_sale):
    client.force_login(anna.user)
    assert "to make" not in text_of(client.get(reverse("space:dashboard")))
    request_make(anna_sale)
    words = text_of(client.get(reverse("space:dashboard")))
    assert "You have 1 payment to make. See my payments" in words
    request_make(anna_sale, reference="SECOND")
    assert "You have 2 payments to make." in text_of(client.get(reverse("space:dashboard")))


def test_a_buyer_without_login_account_has_nothing_here(client, db):
    user = make_user("lonely@example.test", role=Role.BUYER)
    client.force_login(user)
    words = text_of(client.get(URL))
    assert "Nothing to pay right now." in words and "No payment made yet." in words
