"""The receipt PDF (PAY-8): what it says, in the buyer's language, on one A4 page, reprinted
byte for byte from the file stored when the payment was paid."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from pypdf import PdfReader

from payments.models import Payment, Receipt
from payments.services.money import payment_record_transfer
from payments.services.receipts import receipt_pdf, receipt_render_and_send
from payments.services.requests import deposit_request, payment_request_create
from portal.branding.models import CompanySettings
from sales.services import sale_create, sale_update
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make

pytestmark = pytest.mark.django_db

PAID_AT = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)  # already 6 January in Paris


@pytest.fixture(autouse=True)
def _company(db):
    CompanySettings.objects.update_or_create(pk=1, defaults={"name": "Horizon Habitat"})


def _sale(advisor, *, language="fr", **programme_fields):
    programme = ProgrammeFactory(
        code="lum",
        name="Les Jardins de Lumière",
        legal_entity="SCCV Les Jardins de Lumière",
        time_zone="Europe/Paris",
        **programme_fields,
    )
    buyer = BuyerFactory(
        first_name="Marie",
        last_name="Dupont",
        language=language,
        address="3 rue des Lilas",
        postcode="69001",
        city="Lyon",
    )
    return sale_create(
        actor=advisor, programme=programme, lots=lots_make(programme, 2), buyers=[buyer], advisor=advisor
    )


def _pay(accountant, payment: Payment, django_capture_on_commit_callbacks) -> Receipt:
    """The whole amount arrives by transfer; the receipt is issued, rendered and stored after commit."""
    with time_machine.travel(PAID_AT, tick=False), django_capture_on_commit_callbacks(execute=True):
        payment_record_transfer(
            actor=accountant, payment=payment, amount=payment.amount, received_on=PAID_AT.date()
        )
    return Receipt.objects.select_related("payment__buyer", "programme").get(payment=payment)


def _request_paid(advisor, accountant, capture, *, language="fr") -> Receipt:
    payment = payment_request_create(
        actor=advisor,
        sale=_sale(advisor, language=language),
        amount=Decimal("2500.00"),
        reference="INV-2026-7",
    )
    return _pay(accountant, payment, capture)


def _stored(receipt: Receipt) -> bytes:
    with default_storage.open(receipt.file, "rb") as stored:
        return stored.read()


def _text(pdf: bytes) -> str:
    """The PDF's text with every kind of space (Babel's narrow no-break space too) made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages).replace("\u202f", " "))


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def test_the_receipt_of_a_paid_payment_is_stored_and_says_what_was_received(
    advisor, accountant, django_capture_on_commit_callbacks
):
    receipt = _request_paid(advisor, accountant, django_capture_on_commit_callbacks)

    assert receipt.file == "receipts/lum/LUM-000001.pdf"
    assert default_storage.exists(receipt.file)
    pdf = _stored(receipt)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    text = _text(pdf)
    assert "LUM-000001" in text
    assert "2 500,00 €" in text
    assert "Marie Dupont" in text
    assert "3 rue des Lilas, 69001 Lyon" in text
    assert "SCCV Les Jardins de Lumière" in text  # the payee: the programme's legal entity
    assert receipt.payment.sale.reference in text
    assert "L001" in text and "L002" in text
    assert "INV-2026-7" in text
    assert receipt.payment.creditor_reference in text
    assert _in("fr", "Bank transfer") in text
    assert _in("fr", "Received with thanks.") in text
    assert "Horizon Habitat" in text and "Page 1 / 1" in text  # the company header and page numbers


def test_a_reprint_is_the_stored_file_byte_for_byte(advisor, accountant, django_capture_on_commit_callbacks):
    receipt = _request_paid(advisor, accountant, django_capture_on_commit_callbacks)
    first = _stored(receipt)

    again = receipt_render_and_send(payment_id=receipt.payment_id)

    assert again.file == receipt.file
    assert _stored(again) == first == _stored(receipt)
    assert receipt_pdf(receipt) == first  # rendering again would not change a byte either


def test_a_french_buyers_receipt_is_in_french(advisor, accountant, django_capture_on_commit_callbacks):
    text = _text(_stored(_request_paid(advisor, accountant, django_capture_on_commit_callbacks)))

    assert "6 janvier 2026" in text  # issued and paid on 6 January, Paris time
    assert "acquéreur" in text.lower() and "dossier de vente" in text.lower()
    assert _in("fr", "Payment request") in text  # "Appel de fonds"
    assert "Buyer" not in text and "January" not in text


def test_an_english_buyers_receipt_is_in_english(advisor, accountant, django_capture_on_commit_callbacks):
    text = _text(
        _stored(_request_paid(advisor, accountant, django_capture_on_commit_callbacks, language="en"))
    )

    assert "€2,500.00" in text
    assert "Jan. 6, 2026" in text
    assert "Received with thanks." in text and "buyer" in text.lower()


def test_a_deposit_receipt_names_the_escrow_account(advisor, accountant, django_capture_on_commit_callbacks):
    sale = _sale(advisor)
    sale_update(
        actor=advisor,
        sale=sale,
        changes={
            "reservation_signed_on": date(2026, 1, 2),
            "deed_planned_on": date(2026, 1, 2) + timedelta(days=300),
        },
    )
    deposit = deposit_request(actor=advisor, sale=sale)

    text = _text(_stored(_pay(accountant, deposit, django_capture_on_commit_callbacks)))

    assert _in("fr", "Deposit") in text
    assert "FR76 3000 6000 0112 3456 7890 189" in text and "AGRIFRPP" in text


def test_a_payment_request_receipt_does_not_mention_the_escrow(
    advisor, accountant, django_capture_on_commit_callbacks
):
    text = _text(_stored(_request_paid(advisor, accountant, django_capture_on_commit_callbacks)))

    assert "FR76" not in text


def test_the_company_logo_comes_from_the_private_storage(
    advisor, accountant, django_capture_on_commit_callbacks
):
    logo = io.BytesIO()
    Image.new("RGB", (300, 100), (30, 90, 160)).save(logo, "PNG")
    company = CompanySettings.objects.get(pk=1)
    company.logo.save("logo.png", ContentFile(logo.getvalue()))
    cache.clear()

    pdf = _stored(_request_paid(advisor, accountant, django_capture_on_commit_callbacks))

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 1
    assert "Horizon Habitat" in page.extract_text()
