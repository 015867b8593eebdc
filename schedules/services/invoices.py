"""Invoices of a sale (SCH-6): generated from lines with VAT, or an uploaded PDF.

Numbers come from the legal entity's counter, taken under lock in the same transaction as the
invoice: two invoices issued at once get consecutive numbers, and an invoice that fails (its PDF
does not render, its file is refused) gives its number back, so numbers have no gaps.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.pdf import pdf_render
from portal.users.models import User
from sales.models import Sale
from schedules.models import Invoice, InvoiceCounter, InvoiceLine

CENT = Decimal("0.01")
PDF_MAGIC = b"%PDF-"


def cents(value: Decimal) -> Decimal:
    """Rounded half-up to the cent, as an invoice writes amounts."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    label: str
    quantity: Decimal
    unit_price: Decimal  # before VAT
    vat_rate: Decimal  # percent, e.g. Decimal("20")


@dataclass(frozen=True)
class LineTotals:
    net: Decimal
    vat: Decimal
    total: Decimal


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    vat: Decimal
    total: Decimal


def line_totals(line: LineInput | InvoiceLine) -> LineTotals:
    """A line's net, VAT and total, each rounded half-up to the cent."""
    net = cents(Decimal(line.quantity) * Decimal(line.unit_price))
    vat = cents(net * Decimal(line.vat_rate) / 100)
    return LineTotals(net=net, vat=vat, total=net + vat)


def invoice_amounts(lines: Iterable[LineInput | InvoiceLine]) -> Amounts:
    """The invoice's totals: the sums of its lines' rounded amounts (so the lines add up)."""
    totals = [line_totals(line) for line in lines]
    net = sum((item.net for item in totals), Decimal("0.00"))
    vat = sum((item.vat for item in totals), Decimal("0.00"))
    return Amounts(net=net, vat=vat, total=net + vat)


def invoice_number_take(*, legal_entity: str, issued_on: date) -> str:
    """The legal entity's next number, e.g. "FA-2026-000123" (inside the caller's transaction)."""
    counter, _created = InvoiceCounter.objects.get_or_create(legal_entity=legal_entity)
    counter = InvoiceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"FA-{issued_on.year}-{counter.last_number:06d}"


def _invoice_new(
    *, sale: Sale, source: str, issued_on: date, due_on: date | None, amounts: Amounts, actor: User | None
) -> Invoice:
    programme = sale.programme
    return Invoice(
        sale=sale,
        programme=programme,
        legal_entity=programme.legal_entity,
        number=invoice_number_take(legal_entity=programme.legal_entity, issued_on=issued_on),
        source=source,
        issued_on=issued_on,
        due_on=due_on,
        amount_net=amounts.net,
        amount_vat=amounts.vat,
        amount_total=amounts.total,
        currency=programme.currency,
        created_by=actor if isinstance(actor, User) and actor.pk else None,
    )


def _file_name(invoice: Invoice) -> str:
    return f"invoices/{invoice.programme.code}/{invoice.number}.pdf"


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    sale = invoice.sale
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "sale": sale,
        "programme": invoice.programme,
        "buyers": [
            link.buyer for link in sale.sale_buyers.select_related("buyer").order_by("-is_main", "pk")
        ],
        "lots": [link.lot for link in sale.sale_lots.select_related("lot").order_by("lot__number")],
        "lines": [(line, line_totals(line)) for line in lines],
    }


def _buyer_language(sale: Sale) -> str | None:
    main = sale.sale_buyers.select_related("buyer").order_by("-is_main", "pk").first()
    return main.buyer.language if main else None


def invoice_pdf(invoice: Invoice) -> bytes:
    language = _buyer_language(invoice.sale) or translation.get_language()
    return pdf_render(
        template_name="schedules/pdf/invoice.html", context=invoice_context(invoice), language=language
    )


@transaction.atomic
def invoice_create_generated(
    *,
    sale: Sale,
    lines: list[LineInput],
    issued_on: date,
    due_on: date | None,
    actor: User | None,
) -> Invoice:
    """An invoice written from `lines`, its PDF rendered and stored privately with it."""
    if not lines:
        raise ValidationError(_("An invoice needs at least one line."))
    invoice = _invoice_new(
        sale=sale,
        source=Invoice.Source.GENERATED,
        issued_on=issued_on,
        due_on=due_on,
        amounts=invoice_amounts(lines),
        actor=actor,
    )
    invoice.save()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            label=line.label,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
        )
        for line in lines
    )
    invoice.file = default_storage.save(_file_name(invoice), ContentFile(invoice_pdf(invoice)))
    invoice.save(update_fields=["file"])
    _audit_created(invoice, actor)
    return invoice


def pdf_check(file: "File[Any]") -> None:
    """Refuse anything but a PDF, read from its first bytes (its name and type are the sender's)."""
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    # Readers accept the header anywhere in the first 1024 bytes; nothing else is a PDF.
    if PDF_MAGIC not in head:
        raise ValidationError(_("The file is not a PDF."), code="not_pdf")


@transaction.atomic
def invoice_create_uploaded(
    *,
    sale: Sale,
    file: "File[Any]",
    amounts: Amounts,
    issued_on: date,
    due_on: date | None,
    actor: User | None,
) -> Invoice:
    """An invoice issued elsewhere: its PDF as uploaded, numbered here like the generated ones."""
    pdf_check(file)
    if cents(amounts.net) + cents(amounts.vat) != cents(amounts.total):
        raise ValidationError(_("The total must be the amount before VAT plus the VAT."), code="total")
    amounts = Amounts(net=cents(amounts.net), vat=cents(amounts.vat), total=cents(amounts.total))
    invoice = _invoice_new(
        sale=sale,
        source=Invoice.Source.UPLOADED,
        issued_on=issued_on,
        due_on=due_on,
        amounts=amounts,
        actor=actor,
    )
    invoice.save()
    invoice.file = default_storage.save(_file_name(invoice), file)
    invoice.save(update_fields=["file"])
    _audit_created(invoice, actor)
    return invoice


def _audit_created(invoice: Invoice, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="invoice.created",
        obj=invoice.sale,
        data={
            "invoice": invoice.number,
            "source": invoice.source,
            "total": str(invoice.amount_total),
            "currency": invoice.currency,
        },
    )


@transaction.atomic
def invoice_share(*, invoice: Invoice, shared: bool, actor: User | None) -> Invoice:
    """Show the invoice to the sale's buyers in their client space, or hide it again."""
    current = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if current.shared_with_buyer == shared:
        return current
    current.shared_with_buyer = shared
    current.save(update_fields=["shared_with_buyer"])
    audit_record(
        actor=actor,
        action="invoice.shared" if shared else "invoice.unshared",
        obj=current.sale,
        data={"invoice": current.number},
    )
    return current
