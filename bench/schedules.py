"""The schedules parts of `make bench` (issue 10), in-process on the bench database.

- Calls for funds: a batch of calls (each its payment request, its letter PDF and its email put
  in the outbox) against a bare WeasyPrint batch of as many one-page letters (bench/pdf.py's
  letter) rendered in the same run.
- A camt.053 statement imported with its matching, in lines per second: one line pays each call
  just made by its structured reference, the others name nobody the portal knows.
- The accounting export (EXP-2) of ledger rows in Excel against openpyxl's write-only mode
  writing the same rows, with the export's peak memory (tracemalloc, a second pass).

The rows these need are added to the bench database in bulk and reused: the sales' schedules
(tranches), and the ledger rows of the export, booked in 2020 so the export's period holds them
alone. The calls, their payments and the statements of a previous run are removed first, so
every run calls the same tranches again. The background work the services queue (sending the
emails, rendering the receipts of the paid calls) stays queued: it is a worker's, not the batch's.
"""

import hashlib
import tempfile
import time
import tracemalloc
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook

from bench import build_data
from bench.pdf import letter_pdf
from payments.models import Payment, Receipt, Status
from portal.celery import tasks_queued
from portal.outbox.models import OutboxMessage
from portal.users.models import User
from programmes.models import Milestone, Programme
from sales.models import LIVE_STAGES, Sale
from schedules.amounts import tranche_amounts
from schedules.demo import StatementTx, camt053_write
from schedules.exports import accounting_export_header, accounting_export_response, accounting_export_rows
from schedules.models import Allocation, BankStatement, CallBatch, CallForFunds, LedgerEntry, Tranche, Trigger
from schedules.services.calls import call_batch_run, call_batch_start, call_for_funds_issue
from schedules.services.statements import statement_import, statement_match_run

CALLS = 500
STATEMENT_LINES = 10_000
EXPORT_ROWS = 100_000
CALLS_TARGET = 1.3  # the calls may take at most this many times the bare letters' time
EXPORT_TARGET = 1.2  # the export may take at most this many times openpyxl's own
EXPORT_PEAK_MB_TARGET = 100

SCHEDULE = [  # (label, trigger, percent): a French schedule within CCH R261-14
    ("Signature de l'acte", Trigger.DEED, Decimal("20")),
    ("Démarrage des travaux", Trigger.WORKS_START, Decimal("10")),
    ("Fondations", Trigger.FOUNDATIONS, Decimal("5")),
    ("Hors d'eau", Trigger.WEATHER_TIGHT, Decimal("35")),
    ("Achèvement", Trigger.COMPLETION, Decimal("25")),
    ("Livraison", Trigger.DELIVERY, Decimal("5")),
]
CALLED = Trigger.WORKS_START
STATEMENT_PREFIX = "bench-statement"
EXPORT_SOURCE = "bench-export:"
EXPORT_FROM, EXPORT_TO = date(2020, 1, 1), date(2020, 12, 31)
EXPORT_KINDS = [
    LedgerEntry.Kind.TRANSFER,
    LedgerEntry.Kind.CARD,
    LedgerEntry.Kind.DEPOSIT,
    LedgerEntry.Kind.DEBIT,
]
BATCH = 2000
SCHEMA_TABLE = "bench_schedules_schema"


def schema_refresh(log=print) -> None:
    """Drop the schedules tables of a bench database built with another version of the app's
    single migration (it is regenerated while the app is young), so that `migrate` makes them
    again; the bench's own schedules rows are made again on the next run. Nothing else changes."""
    migration = settings.BASE_DIR / "schedules" / "migrations" / "0001_initial.py"
    digest = hashlib.sha256(migration.read_bytes()).hexdigest()
    tables = connection.introspection.table_names()
    if "django_migrations" not in tables:
        return  # a new database: migrate makes everything
    with connection.cursor() as cursor:
        if SCHEMA_TABLE in tables:
            cursor.execute(f"SELECT digest FROM {SCHEMA_TABLE}")
            row = cursor.fetchone()
            if row and row[0] == digest:
                return
        log("Schedules' migration changed: its tables are made again.")
        drop = "DROP TABLE {} CASCADE" if connection.vendor == "postgresql" else "DROP TABLE {}"
        with connection.constraint_checks_disabled():
            for table in tables:
                if table.startswith("schedules_"):
                    cursor.execute(drop.format(connection.ops.quote_name(table)))
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["schedules"])
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (digest TEXT)")
        cursor.execute(f"DELETE FROM {SCHEMA_TABLE}")
        cursor.execute(f"INSERT INTO {SCHEMA_TABLE} (digest) VALUES (%s)", [digest])


def _admin() -> User:
    return User.objects.get(email=build_data.ADMIN_EMAIL)


DEED_SIGNED_ON = date(2025, 1, 15)


def bench_sales(count: int) -> list[Sale]:
    """The first `count` live sales, programme by programme, leaving out the benchmark buyer's
    (his pages are measured and must not change)."""
    return list(
        Sale.objects.filter(stage__in=LIVE_STAGES)
        .exclude(sale_buyers__buyer__user__email=build_data.BUYER_EMAIL)
        .order_by("programme_id", "pk")[:count]
    )


def _calls_clear() -> None:
    """Remove what an earlier run's calls left: statements, money, calls, payments, batches."""
    calls = CallForFunds.objects.all()
    payment_ids = list(calls.exclude(payment=None).values_list("payment_id", flat=True))
    call_ids = list(calls.values_list("pk", flat=True))
    files = [name for name in calls.values_list("letter", flat=True) if name]
    files += [
        name
        for name in Receipt.objects.filter(payment_id__in=payment_ids).values_list("file", flat=True)
        if name
    ]
    with transaction.atomic():
        BankStatement.objects.filter(file_name__startswith=STATEMENT_PREFIX).delete()
        LedgerEntry.objects.filter(payment_id__in=payment_ids).delete()
        Receipt.objects.filter(payment_id__in=payment_ids).delete()
        OutboxMessage.objects.filter(key__in=[f"call:{pk}" for pk in call_ids]).delete()
        calls.delete()
        Payment.objects.filter(pk__in=payment_ids).delete()
        CallBatch.objects.all().delete()
        Tranche.objects.exclude(state=Tranche.State.PLANNED).update(
            state=Tranche.State.PLANNED, called_on=None, due_on=None
        )
    for name in files:
        default_storage.delete(name)


def schedules_ensure(sales: list[Sale]) -> None:
    """Exactly these sales have a schedule (the tranches of others are removed, with what other
    parts of the bench paid on them)."""
    others = Tranche.objects.exclude(sale__in=sales)
    Allocation.objects.filter(tranche__in=others).delete()
    others.delete()
    have = set(Tranche.objects.filter(sale__in=sales).values_list("sale_id", flat=True).distinct())
    percents = [percent for _label, _trigger, percent in SCHEDULE]
    Tranche.objects.bulk_create(
        [
            Tranche(
                sale=sale, position=position, label=label, trigger=trigger, percent=percent, amount=amount
            )
            for sale in sales
            if sale.pk not in have
            for position, ((label, trigger, percent), amount) in enumerate(
                zip(SCHEDULE, tranche_amounts(sale.price, percents), strict=True), start=1
            )
        ],
        batch_size=BATCH,
    )


def calls_prepare(count: int) -> list[Sale]:
    _calls_clear()
    sales = bench_sales(count)
    # Calls go only to sales whose deed is signed: the measured ones have their deed's date.
    unsigned = [sale for sale in sales if sale.deed_signed_on is None]
    Sale.objects.filter(pk__in=[sale.pk for sale in unsigned]).update(deed_signed_on=DEED_SIGNED_ON)
    for sale in unsigned:
        sale.deed_signed_on = DEED_SIGNED_ON
    schedules_ensure(sales)
    return sales


def calls_issue(sales: list[Sale]) -> int:
    """One batch per programme of `sales`, started and run as staff and the worker would; the
    number of calls the batches made."""
    admin = _admin()
    today = timezone.localdate()
    programme_ids = sorted({sale.programme_id for sale in sales})
    milestones = {
        m.programme_id: m for m in Milestone.objects.filter(programme_id__in=programme_ids, kind=CALLED)
    }
    made = 0
    with tasks_queued():
        for programme in Programme.objects.filter(pk__in=programme_ids).order_by("pk"):
            batch = call_batch_start(
                programme=programme,
                trigger=CALLED,
                milestone=milestones.get(programme.pk),
                reached_on=today,
                actor=admin,
            )
            made += call_batch_run(batch_id=batch.pk).done
    return made


def calls_warm_up(sale: Sale) -> None:
    """One call made alone first, as a running worker has made some before: the letter's
    template, the URLs and the fonts are loaded before the batch is timed."""
    tranche = Tranche.objects.get(sale=sale, trigger=CALLED)
    with tasks_queued():
        call_for_funds_issue(tranche_id=tranche.pk, actor=_admin())


def measure_calls(count: int = CALLS) -> dict:
    """{"calls", "seconds", "reference_seconds", "ratio"}: the batch, then as many bare letters."""
    *sales, spare = calls_prepare(count + 1)
    calls_warm_up(spare)
    letter_pdf()  # the same for the bare letter
    started = time.perf_counter()
    calls = calls_issue(sales)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(calls):
        letter_pdf()
    reference_seconds = time.perf_counter() - started
    return {
        "calls": calls,
        "seconds": round(seconds, 2),
        "reference_seconds": round(reference_seconds, 2),
        "ratio": round(seconds / reference_seconds, 3) if reference_seconds else 0.0,
    }


def statement_build(lines: int, stamp: str) -> bytes:
    """A day's camt.053: one line paying each open call by its RF, the others unknown transfers."""
    transactions = []
    calls = CallForFunds.objects.filter(payment__status=Status.TO_PAY).select_related("payment", "buyer")
    for index, call in enumerate(calls.order_by("pk")[:lines]):
        transactions.append(
            StatementTx(
                f"{stamp}-{index}",
                call.amount,
                f"{call.buyer.first_name} {call.buyer.last_name}".upper(),
                call.payment.creditor_reference,
            )
        )
    for index in range(len(transactions), lines):
        transactions.append(
            StatementTx(
                f"{stamp}-{index}",
                Decimal(100 + index % 9000) + Decimal("0.37"),
                f"PAYER NUMBER {index}",
                text=f"Invoice {index} of supplier",
            )
        )
    return camt053_write(
        iban="FR7630006000011234567890189",
        currency="EUR",
        booked_on=timezone.localdate(),
        transactions=transactions,
    )


def measure_statement(lines: int = STATEMENT_LINES) -> dict:
    """{"statement_lines_per_s", "statement_matched"}: the import of a fresh file of `lines` lines."""
    BankStatement.objects.filter(file_name__startswith=STATEMENT_PREFIX).delete()
    stamp = f"B{int(time.time())}"
    content = statement_build(lines, stamp)
    started = time.perf_counter()
    with tasks_queued():
        result = statement_import(
            file_name=f"{STATEMENT_PREFIX}-{stamp}.xml",
            content=content,
            format=BankStatement.Format.CAMT053,
            actor=_admin(),
        )
        # The matching, which a worker runs after the import's commit (OPS-4), timed with it.
        statement = statement_match_run(statement_id=result.statement.pk)
    seconds = time.perf_counter() - started
    return {
        "statement_lines_per_s": round(result.new / seconds, 1),
        "statement_matched": statement.lines_matched,
    }


def export_rows_ensure(rows: int) -> None:
    """`rows` ledger entries booked in 2020 (their own period), spread over live sales."""
    entries = LedgerEntry.objects.filter(source_key__startswith=EXPORT_SOURCE)
    if entries.count() == rows:
        return
    entries.delete()
    sales = list(
        Sale.objects.filter(stage__in=LIVE_STAGES).order_by("pk").values_list("pk", "programme_id")[:5000]
    )
    for start in range(0, rows, BATCH):
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    sale_id=sales[i % len(sales)][0],
                    programme_id=sales[i % len(sales)][1],
                    kind=EXPORT_KINDS[i % len(EXPORT_KINDS)],
                    amount=Decimal(1000 + (i * 37) % 90_000) + Decimal("0.50"),
                    currency="EUR",
                    booked_on=date.fromordinal(EXPORT_FROM.toordinal() + i % 365),
                    reference=f"RF{i:010d}",
                    source_key=f"{EXPORT_SOURCE}{i}",
                )
                for i in range(start, min(start + BATCH, rows))
            ]
        )


def _portal_export() -> int:
    response = accounting_export_response(
        programmes=Programme.objects.all(), date_from=EXPORT_FROM, date_to=EXPORT_TO, file_format="xlsx"
    )
    size = 0
    try:
        for chunk in response.streaming_content:
            size += len(chunk)
    finally:
        response.close()
    return size


def _openpyxl_export(header: list, rows: list) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Accounting")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as output:
        workbook.save(output)
        return output.tell()


def measure_export(rows: int = EXPORT_ROWS) -> dict:
    """{"rows", "seconds", "reference_seconds", "ratio", "peak_mb"} of the Excel export."""
    export_rows_ensure(rows)
    header = accounting_export_header()
    values = list(
        accounting_export_rows(programmes=Programme.objects.all(), date_from=EXPORT_FROM, date_to=EXPORT_TO)
    )
    started = time.perf_counter()
    _openpyxl_export(header, values)
    reference_seconds = time.perf_counter() - started
    del values
    started = time.perf_counter()
    _portal_export()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        _portal_export()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "reference_seconds": round(reference_seconds, 2),
        "ratio": round(seconds / reference_seconds, 3) if reference_seconds else 0.0,
        "peak_mb": round(peak / 2**20, 1),
    }


def measure(
    *, calls: int = CALLS, statement_lines: int = STATEMENT_LINES, export_rows: int = EXPORT_ROWS
) -> dict:
    """The sections of results.json for the parts asked (a size of 0 skips its part)."""
    figures: dict = {}
    if calls > 0:
        figures["calls_for_funds"] = measure_calls(calls)
    if statement_lines > 0:
        statement = measure_statement(statement_lines)
        figures["statement_lines_per_s"] = statement["statement_lines_per_s"]
    if export_rows > 0:
        figures["accounting_export"] = measure_export(export_rows)
    return figures


def report(figures: dict) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "BELOW"

    if calls := figures.get("calls_for_funds"):
        print(
            f"\n{'calls for funds':<18} {'calls':>7} {'s':>8} {'letters s':>10} {'ratio':>6}  target\n"
            f"{'batch':<18} {calls['calls']:7d} {calls['seconds']:8.2f} {calls['reference_seconds']:10.2f} "
            f"{calls['ratio']:6.2f}  <= {CALLS_TARGET:.2f} {verdict(calls['ratio'] <= CALLS_TARGET)}"
        )
    if "statement_lines_per_s" in figures:
        print(
            f"\n{'statement import':<18} {figures['statement_lines_per_s']:10.1f} lines/s (camt.053, with matching)"
        )
    if export := figures.get("accounting_export"):
        ok = export["ratio"] <= EXPORT_TARGET and export["peak_mb"] <= EXPORT_PEAK_MB_TARGET
        print(
            f"\n{'accounting export':<18} {'rows':>7} {'s':>8} {'openpyxl s':>10} {'ratio':>6} {'peak MB':>8}  target\n"
            f"{'xlsx':<18} {export['rows']:7d} {export['seconds']:8.2f} {export['reference_seconds']:10.2f} "
            f"{export['ratio']:6.2f} {export['peak_mb']:8.1f}  <= {EXPORT_TARGET:.2f} and "
            f"<= {EXPORT_PEAK_MB_TARGET} MB {verdict(ok)}"
        )
