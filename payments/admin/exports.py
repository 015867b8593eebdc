"""The payment lists as CSV or Excel (EXP-1): the rows of the filtered list, nothing else.

The rows are read in chunks as the file is written (portal.exports streams them), so the export
costs the same few queries however long the list. Moments are written in each programme's own
time zone, as the pages show them; amounts stay `Decimal` to the cell.
"""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from payments.models import Payment
from portal.exports import export_csv_response, export_xlsx_response
from portal.timezones import in_zone

_CHUNK = 500


def payment_export_header() -> list[str]:
    return [
        _("Reference"),
        _("Transfer reference"),
        _("Sale"),
        _("Programme"),
        _("Buyer"),
        _("Email"),
        _("Kind"),
        _("Method"),
        _("Status"),
        _("Amount"),
        _("Paid"),
        _("Refunded"),
        _("Currency"),
        _("Requested at"),
        _("Paid at"),
        _("Reconciled at"),
    ]


def _local(value, zone: str):
    # The file formats carry no time zone: the programme's wall-clock time, as on its pages.
    return in_zone(value, zone).replace(tzinfo=None) if value else None


def payment_export_rows(payments: QuerySet[Payment], language: str | None = None) -> Iterator[list]:
    # The rows are read while the response streams, after the view has returned: the labels
    # keep the language of the request that asked for the file.
    with translation.override(language or translation.get_language()):
        yield from _rows(payments)


def _rows(payments: QuerySet[Payment]) -> Iterator[list]:
    for payment in payments.select_related("sale", "buyer", "programme").iterator(chunk_size=_CHUNK):
        zone = payment.programme.time_zone
        yield [
            payment.reference,
            payment.creditor_reference,
            payment.sale.reference,
            payment.programme.name,
            str(payment.buyer),
            payment.buyer.email,
            payment.get_kind_display(),
            payment.get_method_display(),
            payment.get_status_display(),
            payment.amount,
            payment.amount_paid,
            payment.amount_refunded,
            payment.currency,
            _local(payment.created_at, zone),
            _local(payment.paid_at, zone),
            _local(payment.reconciled_at, zone),
        ]


def payment_export_response(payments: QuerySet[Payment], *, file_format: str, title: str):
    """The file in the language of the request: its labels, and for a CSV its separators, decimal
    comma and dates (what Excel opens in columns for a French or Polish reader)."""
    filename = f"payments-{timezone.localdate().isoformat()}.{file_format}"
    language = translation.get_language()
    rows = payment_export_rows(payments, language)
    if file_format == "xlsx":
        return export_xlsx_response(
            filename=filename, header=payment_export_header(), rows=rows, sheet_title=title
        )
    return export_csv_response(
        filename=filename, header=payment_export_header(), rows=rows, language=language
    )
