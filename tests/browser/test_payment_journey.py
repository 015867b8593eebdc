import re
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import Payment, PaymentSettings, Status
from payments.services.requests import deposit_request
from portal.users.roles import Role
from sales.models import Sale
from tests.conftest import make_user
from tests.space import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL_LABEL = re.compile("courriel|e-mail", re.IGNORECASE)
PASSWORD_LABEL = re.compile("mot de passe", re.IGNORECASE)
LOG_IN = re.compile("se connecter", re.IGNORECASE)


def test_a_buyer_pays_his_deposit_by_card_through_the_simulated_checkout_and_downloads_the_receipt(
    page, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "private"
    advisor = make_user("sam@example.test", role=Role.SALES, first_name="Sam", last_name="Advisor")
    programme = factories.ProgrammeFactory(
        name="Les Jardins du Canal",
        code="JDC",
        legal_entity="SCCV Jardins du Canal",
        escrow_iban="FR7630006000011234567890189",
        escrow_bic="AGRIFRPP",
    )
    # The escrow holder takes deposits online (a destination charge), so the card is offered.
    PaymentSettings.objects.create(programme=programme, escrow_stripe_account="acct_escrow42")
    buyer = factories.buyer_with_login("emma@example.test")
    sale = factories.sale_make(programme, factories.lots_make(programme, 1), [buyer], advisor=advisor)
    Sale.objects.filter(pk=sale.pk).update(deed_planned_on=timezone.localdate() + timedelta(days=300))
    deposit = deposit_request(actor=advisor, sale=Sale.objects.get(pk=sale.pk))  # 2 % of €210,000
    csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text),
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(EMAIL_LABEL).fill("emma@example.test")
    page.get_by_label(PASSWORD_LABEL).fill("secret-pass-42")
    page.get_by_role("button", name=LOG_IN).click()
    page.wait_for_url(f"{live_server.url}/space/")
    assert page.get_by_text("You have 1 payment to make.").is_visible()
    page.get_by_role("link", name="See my payments").click()

    page.wait_for_url(f"{live_server.url}/space/payments/")
    assert page.get_by_role("heading", name="My payments", level=1).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name=f"Pay – {deposit.reference}").click()

    page.wait_for_url(re.compile(r"/payments/pay/[^/]+/$"))
    assert page.get_by_role("heading", name="Deposit – Les Jardins du Canal").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Card").check()
    page.get_by_role("button", name="Use this method").click()
    page.get_by_role("button", name="Pay €4,200.00").click()

    page.wait_for_url(re.compile(r"/payments/simulated/cs_sim_[\w-]+/$"))
    assert page.get_by_role("heading", name="Simulated checkout").is_visible()
    assert page.get_by_text("€4,200.00").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Pay", exact=True).click()

    page.wait_for_url(re.compile(r"/payments/pay/[^/]+/\?done=1$"))
    assert page.get_by_role("heading", name="This payment is paid").is_visible()
    payment = Payment.objects.get(pk=deposit.pk)
    assert payment.status == Status.PAID
    number = payment.receipt.display_number

    page.get_by_role("navigation").get_by_role("link", name="My client space").click()
    page.get_by_role("navigation").get_by_role("link", name="Payments").click()
    page.wait_for_url(f"{live_server.url}/space/payments/")
    assert page.get_by_text("Nothing to pay right now.").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download receipt {number} (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"receipt-{number}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "payments-360.png"), full_page=True)
    assert csp_violations == []
