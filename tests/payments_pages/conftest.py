"""The personas of the payment pages.

Anna buys two lots of "Les Jardins du Canal" with Piotr (co-buyer); Boris, a stranger, buys
another lot of the same programme. Sam is their advisor. Requests go out through the services.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from payments.links import payment_link_path
from payments.models import CheckoutSession, Payment, PaymentSettings
from payments.services.checkout import payment_checkout_open
from payments.services.requests import deposit_request, payment_method_choose
from payments.services.webhooks import webhook_receive
from payments.simulated_events import event_payload, simulated_events_send
from portal.users.roles import Role
from sales.models import Sale
from tests.conftest import make_user
from tests.factories import request_make
from tests.space import factories

FAKE_PDF = b"%PDF-1.4\n% a stored receipt\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def advisor(db):
    return make_user("sam@example.test", role=Role.SALES, first_name="Sam", last_name="Advisor")


@pytest.fixture
def programme(db, advisor):
    programme = factories.ProgrammeFactory(
        name="Les Jardins du Canal",
        code="JDC",
        legal_entity="SCCV Jardins du Canal",
        escrow_iban="FR7630006000011234567890189",
        escrow_bic="AGRIFRPP",
    )
    programme.staff.add(advisor)
    # Deposits may be paid online: the escrow holder has a Stripe account (destination charges).
    PaymentSettings.objects.create(programme=programme, escrow_stripe_account="acct_escrow42")
    return programme


@pytest.fixture
def anna(db):
    return factories.buyer_with_login(
        "anna@example.test", address="12 rue Secrète", postcode="69003", city="Lyon"
    )


@pytest.fixture
def piotr(db):
    return factories.buyer_with_login("piotr@example.test")


@pytest.fixture
def boris(db):
    return factories.buyer_with_login("boris@example.test")


@pytest.fixture
def anna_sale(programme, anna, piotr, advisor):
    sale = factories.sale_make(
        programme,
        factories.lots_make(programme, 2),
        [anna, piotr],
        advisor=advisor,
        contract_number="RES-0142",
    )
    Sale.objects.filter(pk=sale.pk).update(deed_planned_on=timezone.localdate() + timedelta(days=300))
    sale.refresh_from_db()
    return sale


@pytest.fixture
def boris_sale(programme, boris, advisor):
    return factories.sale_make(programme, factories.lots_make(programme, 1), [boris], advisor=advisor)


@pytest.fixture
def anna_request(anna_sale):
    return request_make(anna_sale, amount="5000.00", reference="INV-2025-001")


@pytest.fixture
def anna_deposit(anna_sale):
    return deposit_request(actor=anna_sale.advisor, sale=anna_sale)


def pay_path(payment: Payment) -> str:
    return payment_link_path(payment)


def send(event: dict):
    """One Stripe-shaped event through the webhook code, signed with the endpoint's secret."""
    payload, signature = event_payload(event)
    return webhook_receive(payload=payload, signature=signature)


def session_open(payment: Payment, method: str = "card") -> CheckoutSession:
    payment_method_choose(payment=payment, method=method)
    url = payment_checkout_open(
        payment=payment, success_url="http://testserver/ok", cancel_url="http://testserver/back"
    )
    return CheckoutSession.objects.get(url=url)


def simulate(payment: Payment, outcome: str = "pay", method: str = "card") -> Payment:
    """The buyer goes through the simulated checkout with this outcome; the payment as it ends."""
    session = session_open(payment, method)
    payment = Payment.objects.select_related("sale").get(pk=payment.pk)
    simulated_events_send(session=session, payment=payment, outcome=outcome)
    return Payment.objects.get(pk=payment.pk)


def receipt_store(payment: Payment) -> None:
    """What the rendering task does after commit (tests do not commit): the stored receipt file."""
    receipt = payment.receipt
    receipt.file = default_storage.save(f"receipts/JDC/{receipt.display_number}.pdf", ContentFile(FAKE_PDF))
    receipt.save(update_fields=["file"])


def paid(payment: Payment, **kwargs) -> Payment:
    payment = simulate(payment, "pay", **kwargs)
    receipt_store(payment)
    return payment
