"""The accounting export (EXP-2): the money of a period as an accountant posts it.

Rows: every ledger entry (payments in, refunds out) and every call for funds notified in the
period, merged by date. Each source is one query read in chunks (`values_list` + `iterator`), so
the file streams with memory and queries flat however many rows; a ledger entry split over
several tranches comes as consecutive rows of that query and is written once, its tranches joined.
"""

import heapq
from collections.abc import Iterator
from datetime import date
from itertools import groupby
from typing import Any

from django.db.models import Case, CharField, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Concat
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.exports import export_csv_response, export_xlsx_response
from programmes.models import Programme
from sales.models import SaleBuyer
from schedules.models import CallForFunds, LedgerEntry

CHUNK = 2000


def accounting_export_header() -> list[str]:
    return [
        _("Date"),
        _("Programme"),
        _("Legal entity"),
        _("Sale"),
        _("Buyer"),
        _("Kind"),
        _("Reference"),
        _("Amount"),
        _("Currency"),
        _("Tranche"),
        _("Ledger entry"),
    ]


def _main_buyer_name() -> Case:
    """The sale's main buyer's name, else its first buyer's (a sale has at most one main buyer):
    the main one is joined, and only a sale without one asks for its first buyer."""
    first_buyer = (
        SaleBuyer.objects.filter(sale=OuterRef("sale"))
        .order_by("-is_main", "pk")
        .annotate(name=Concat("buyer__first_name", Value(" "), "buyer__last_name", output_field=CharField()))
        .values("name")[:1]
    )
    return Case(
        When(
            main_sale_buyer__isnull=False,
            then=Concat(
                "main_sale_buyer__buyer__first_name",
                Value(" "),
                "main_sale_buyer__buyer__last_name",
                output_field=CharField(),
            ),
        ),
        default=Subquery(first_buyer, output_field=CharField()),
        output_field=CharField(),
    )


def _entry_rows(programmes: QuerySet[Programme], date_from: date, date_to: date) -> Iterator[tuple[Any, ...]]:
    kinds = dict(LedgerEntry.Kind.choices)
    rows = (
        LedgerEntry.objects.filter(programme__in=programmes, booked_on__gte=date_from, booked_on__lte=date_to)
        .annotate(
            main_sale_buyer=FilteredRelation(
                "sale__sale_buyers", condition=Q(sale__sale_buyers__is_main=True)
            ),
            buyer_name=_main_buyer_name(),
        )
        .order_by("booked_on", "pk", "allocations__tranche__position")
        .values_list(
            "booked_on",
            "programme__name",
            "programme__legal_entity",
            "sale__reference",
            "buyer_name",
            "kind",
            "reference",
            "amount",
            "currency",
            "allocations__tranche__label",
            "pk",
        )
        .iterator(chunk_size=CHUNK)
    )
    for _pk, group in groupby(rows, key=lambda row: row[-1]):
        first, *others = group
        tranches = ", ".join(label for label in [first[9], *(row[9] for row in others)] if label)
        yield (*first[:5], str(kinds.get(first[5], first[5])), *first[6:9], tranches, first[10])


def _call_rows(programmes: QuerySet[Programme], date_from: date, date_to: date) -> Iterator[tuple[Any, ...]]:
    kind = _("Call for funds")
    rows = (
        CallForFunds.objects.filter(
            programme__in=programmes, notified_on__gte=date_from, notified_on__lte=date_to
        )
        .annotate(
            buyer_name=Concat("buyer__first_name", Value(" "), "buyer__last_name", output_field=CharField())
        )
        .order_by("notified_on", "pk")
        .values_list(
            "notified_on",
            "programme__name",
            "programme__legal_entity",
            "sale__reference",
            "buyer_name",
            "number",
            "amount",
            "currency",
            "tranche__label",
        )
        .iterator(chunk_size=CHUNK)
    )
    for on, programme, entity, sale, buyer, number, amount, currency, tranche in rows:
        yield (on, programme, entity, sale, buyer, kind, number, amount, currency, tranche, None)


def accounting_export_rows(
    *, programmes: QuerySet[Programme], date_from: date, date_to: date, language: str | None = None
) -> Iterator[tuple[Any, ...]]:
    """The rows of the period for these programmes, by date (calls first on a day they share
    with payments). Read while the response streams, in the language of who asked."""
    with translation.override(language or translation.get_language()):
        calls = _call_rows(programmes, date_from, date_to)
        entries = _entry_rows(programmes, date_from, date_to)
        yield from heapq.merge(calls, entries, key=lambda row: row[0])


def accounting_export_response(
    *, programmes: QuerySet[Programme], date_from: date, date_to: date, file_format: str
) -> HttpResponseBase:
    """The streamed file, CSV (in the reader's spreadsheet variant) or Excel."""
    language = translation.get_language()
    filename = f"accounting-{date_from.isoformat()}-{date_to.isoformat()}"
    rows = accounting_export_rows(
        programmes=programmes, date_from=date_from, date_to=date_to, language=language
    )
    header = accounting_export_header()
    if file_format == "xlsx":
        return export_xlsx_response(filename=filename, header=header, rows=rows, sheet_title=_("Accounting"))
    return export_csv_response(filename=filename, header=header, rows=rows, language=language)


def default_period(today: date | None = None) -> tuple[date, date]:
    """The previous month: what an accountant usually posts."""
    today = today or timezone.localdate()
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month.toordinal() - 1
    end = date.fromordinal(last_month_end)
    return end.replace(day=1), end
