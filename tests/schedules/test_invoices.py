"""Invoices (SCH-6): numbered without gaps per legal entity, totals from rounded lines, shared
with the buyer only when staff choose."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from portal.audit.models import AuditEntry
from schedules.models import Invoice, InvoiceCounter
from schedules.services import invoices as service
from schedules.services.invoices import Amounts, LineInput
from tests.factories import ProgrammeFactory, SaleFactory

pytestmark = pytest.mark.django_db

ISSUED = date(2026, 3, 2)
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _no_weasyprint(monkeypatch):
    # The PDF's content has its own check below; elsewhere a stand-in keeps the tests quick.
    monkeypatch.setattr(service, "invoice_pdf", lambda invoice: PDF_BYTES)


def line(label="Kitchen option", quantity="1", unit_price="100.00", vat_rate="20"):
    return LineInput(label, Decimal(quantity), Decimal(unit_price), Decimal(vat_rate))


def generated(sale, lines=None, issued_on=ISSUED):
    return service.invoice_create_generated(
        sale=sale, lines=lines or [line()], issued_on=issued_on, due_on=date(2026, 4, 1), actor=None
    )


def uploaded(sale, content=PDF_BYTES):
    return service.invoice_create_uploaded(
        sale=sale,
        file=ContentFile(content, name="facture.pdf"),
        amounts=Amounts(net=Decimal("1000.00"), vat=Decimal("200.00"), total=Decimal("1200.00")),
        issued_on=ISSUED,
        due_on=None,
        actor=None,
    )


def test_numbers_follow_each_other_per_legal_entity_whatever_the_source():
    first = SaleFactory(programme=ProgrammeFactory(legal_entity="SCCV Les Lumières"))
    second = SaleFactory(programme=ProgrammeFactory(legal_entity="SCCV Les Lumières"))
    other = SaleFactory(programme=ProgrammeFactory(legal_entity="SCCV Autre"))

    numbers = [
        generated(first).number,
        uploaded(second).number,
        generated(other).number,
        generated(first).number,
    ]

    assert numbers == ["FA-2026-000001", "FA-2026-000002", "FA-2026-000001", "FA-2026-000003"]


def test_a_refused_invoice_gives_its_number_back():
    sale = SaleFactory()
    generated(sale)
    with pytest.raises(ValidationError):
        uploaded(sale, content=b"<html>not a pdf</html>")

    assert generated(sale).number == "FA-2026-000002"
    assert InvoiceCounter.objects.get(legal_entity=sale.programme.legal_entity).last_number == 2


def test_a_failed_pdf_gives_its_number_back(monkeypatch):
    sale = SaleFactory()

    def broken(invoice):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(service, "invoice_pdf", broken)
    with pytest.raises(RuntimeError):
        generated(sale)
    monkeypatch.setattr(service, "invoice_pdf", lambda invoice: PDF_BYTES)

    assert generated(sale).number == "FA-2026-000001"
    assert Invoice.objects.count() == 1


def test_the_year_of_issue_is_in_the_number_and_the_counter_goes_on():
    sale = SaleFactory()
    generated(sale, issued_on=date(2026, 12, 31))

    assert generated(sale, issued_on=date(2027, 1, 2)).number == "FA-2027-000002"


def test_totals_are_the_sums_of_lines_rounded_half_up_to_the_cent():
    lines = [
        line("Parking", "1", "0.125", "20"),  # net 0.13 (half up), VAT 0.026 -> 0.03
        line("Cellar", "3", "33.335", "5.5"),  # net 100.005 -> 100.01, VAT 5.50055 -> 5.50
        line("Works", "2", "1000.00", "10"),  # net 2000.00, VAT 200.00
    ]

    invoice = generated(SaleFactory(), lines)

    assert invoice.amount_net == Decimal("2100.14")
    assert invoice.amount_vat == Decimal("205.53")
    assert invoice.amount_total == Decimal("2305.67")
    assert [line.label for line in invoice.lines.all()] == ["Parking", "Cellar", "Works"]


def test_a_generated_invoice_keeps_its_pdf_privately_under_its_number():
    invoice = generated(SaleFactory())

    assert invoice.number in invoice.file.name and invoice.file.name.endswith(".pdf")
    with default_storage.open(invoice.file.name, "rb") as stored:
        assert stored.read() == PDF_BYTES


def test_an_upload_that_is_not_a_pdf_is_refused_whatever_its_name():
    with pytest.raises(ValidationError, match="not a PDF"):
        uploaded(SaleFactory(), content=b"MZ\x90\x00 an executable")
    assert not Invoice.objects.exists()


def test_an_upload_whose_total_is_not_net_plus_vat_is_refused():
    with pytest.raises(ValidationError):
        service.invoice_create_uploaded(
            sale=SaleFactory(),
            file=ContentFile(PDF_BYTES, name="f.pdf"),
            amounts=Amounts(net=Decimal("100.00"), vat=Decimal("20.00"), total=Decimal("121.00")),
            issued_on=ISSUED,
            due_on=None,
            actor=None,
        )


def test_sharing_is_audited_on_the_sale_and_idempotent():
    invoice = generated(SaleFactory())
    assert not invoice.shared_with_buyer

    service.invoice_share(invoice=invoice, shared=True, actor=None)
    service.invoice_share(invoice=invoice, shared=True, actor=None)
    service.invoice_share(invoice=invoice, shared=False, actor=None)

    actions = list(
        AuditEntry.objects.filter(object_type="sales.sale", object_id=str(invoice.sale_id))
        .filter(action__startswith="invoice.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["invoice.created", "invoice.shared", "invoice.unshared"]
    invoice.refresh_from_db()
    assert not invoice.shared_with_buyer


def test_the_rendered_pdf_names_issuer_buyer_lines_and_totals(monkeypatch):
    monkeypatch.undo()
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    sale = SaleFactory(programme=ProgrammeFactory(legal_entity="SCCV Les Lumières"))
    invoice = generated(sale, [line("Kitchen", "1", "1000.00", "20")])

    with default_storage.open(invoice.file.name, "rb") as stored:
        text = "".join(page.extract_text() for page in PdfReader(stored).pages)
    buyer = sale.sale_buyers.get().buyer
    for words in ["FA-2026-000001", "SCCV Les Lumières", str(buyer), "Kitchen", sale.reference]:
        assert words in text
    # Written in the buyer's language (French here): 1 200,00 € with narrow spaces.
    assert "1200,00" in text.replace("\u202f", "").replace("\xa0", "")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_invoices_issued_at_the_same_moment_get_consecutive_numbers(settings, tmp_path):
    """On PostgreSQL's real row locks: four invoices of one legal entity issued at once."""
    from django.db import connection

    from tests.payments.test_concurrency import at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    settings.MEDIA_ROOT = tmp_path / "private"
    programme = ProgrammeFactory(legal_entity="SCCV Concurrence")
    sales = [SaleFactory(programme=programme) for _ in range(4)]
    # The first invoice makes the counter row, so the four below race on its lock only.
    generated(sales[0])

    results = at_once(*[lambda sale=sale: generated(sale) for sale in sales])

    assert not [result for result in results if isinstance(result, Exception)], results
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"FA-2026-{n:06d}" for n in range(1, 6)]
