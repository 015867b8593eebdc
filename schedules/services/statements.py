"""Bank statements (SCH-5): import a file once, match its transfers to what buyers owe.

An import parses the whole file first (a bad line refuses it, nothing written), skips the
transactions already imported (the bank's reference and index, so an overlapping statement or
the same file again creates nothing twice), stores the new ones and matches each:

1. its structured reference is a payment's RF reference (a call for funds, a deposit, a request);
2. else a valid RF reference written in its free text is one;
3. else its amount is exactly what is still due on one open payment whose buyer's name is the
   line's (case, accents and word order aside).

Matching records the transfer on the payment (`payment_record_transfer`: paid once complete,
receipt issued, allocated in the ledger). A line paying more than is due on the payment it names
is never matched automatically: it waits, with the reason, for an accountant.

Progress (OPS-4): the request parses, validates and stores; the matching runs in a Celery task
enqueued after commit (`statement_match_run`), which records its state and the lines looked at
on the statement. Running it again matches nothing twice: only lines still to match are looked
at, each locked and checked again first; a line already matched stays.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import PaymentError
from payments.models import OPEN_STATUSES, Method, Payment, Status
from payments.services.money import payment_record_transfer
from portal.audit.services import audit_record
from portal.money import money_format
from portal.users.models import User
from programmes.selectors import programmes_scope
from schedules.models import BankStatement, StatementLine
from schedules.statements import ParsedStatement, ParsedTransaction, StatementError
from schedules.statements.camt053 import parse_camt053
from schedules.statements.csv import CsvMapping, parse_csv
from schedules.statements.matching import names_match, reference_key, rf_candidates
from schedules.statements.mt940 import parse_mt940

# Requests a transfer may still be recorded on (payment_record_transfer's own rule).
RECORDABLE_STATUSES = [*OPEN_STATUSES, Status.PROCESSING, Status.EXPIRED]
_CHUNK = 500
# Lines matched per transaction of the task: its progress moves on after each.
_MATCH_CHUNK = 200
ERROR_MAX_LENGTH = 1000


@dataclass
class StatementImport:
    """What an import did, for its result page.

    `statement` is the one whose lines are matched (None when nothing was to do); its matching
    runs after commit, so `matched` and `to_match` are known once it is read again when done."""

    statement: BankStatement | None
    total: int
    new: int
    already: int

    @property
    def matched(self) -> int:
        return self.statement.lines_matched if self.statement else 0

    @property
    def to_match(self) -> int:
        return self.statement.lines_to_match if self.statement else 0


def statement_parse(*, content: bytes, format: str, mapping: CsvMapping | None = None) -> ParsedStatement:
    if format == BankStatement.Format.CAMT053:
        return parse_camt053(content)
    if format == BankStatement.Format.MT940:
        return parse_mt940(content)
    if format == BankStatement.Format.CSV:
        if mapping is None:
            raise StatementError([(None, _("Choose which columns hold the date and the amount."))])
        return parse_csv(content, mapping)
    raise StatementError([(None, _("Unknown statement format."))])


def _existing_keys(transactions: list[ParsedTransaction]) -> set[tuple[str, int]]:
    references = sorted({tx.bank_reference for tx in transactions})
    keys: set[tuple[str, int]] = set()
    for start in range(0, len(references), _CHUNK):
        rows = StatementLine.objects.filter(bank_reference__in=references[start : start + _CHUNK])
        keys.update(rows.values_list("bank_reference", "index"))
    return keys


def _enqueue_match(statement_id: int) -> None:
    from schedules.tasks import statement_match_task  # the tasks module imports this one

    statement_match_task.delay(statement_id)


@transaction.atomic
def statement_import(
    *,
    file_name: str,
    content: bytes,
    format: str,
    mapping: CsvMapping | None = None,
    actor: User,
) -> StatementImport:
    """Import a statement file; raises StatementError (nothing written) if any line is bad.

    The new lines are stored here; their matching runs in a worker after commit (the statement's
    state and lines_done tell how far it is). The same file again while its statement's matching
    is queued or failed sends that matching again."""
    parsed = statement_parse(content=content, format=format, mapping=mapping)
    existing = _existing_keys(parsed.transactions)
    new: list[ParsedTransaction] = []
    for tx in parsed.transactions:
        key = (tx.bank_reference, tx.index)
        if key not in existing:
            existing.add(key)  # the same transaction twice in one file counts once
            new.append(tx)
    result = StatementImport(
        statement=None,
        total=len(parsed.transactions),
        new=len(new),
        already=len(parsed.transactions) - len(new),
    )
    sha256 = hashlib.sha256(content).hexdigest()
    if not new:
        unfinished = (
            BankStatement.objects.select_for_update()
            .filter(sha256=sha256, state__in=[BankStatement.State.QUEUED, BankStatement.State.FAILED])
            .order_by("-pk")
            .first()
        )
        if unfinished is not None:
            # Its task was lost or stopped: sent again, harmless (a run matches nothing twice).
            if unfinished.state == BankStatement.State.FAILED:
                unfinished.state = BankStatement.State.QUEUED
                unfinished.error = ""
                unfinished.save(update_fields=["state", "error"])
                audit_record(actor=actor, action="statement.restarted", obj=unfinished)
            unfinished_id = unfinished.pk
            transaction.on_commit(lambda: _enqueue_match(unfinished_id), robust=True)
            result.statement = unfinished
        return result
    statement = BankStatement.objects.create(
        format=format,
        file_name=file_name[:255],
        sha256=sha256,
        account_iban=parsed.account_iban[:42],
        lines_total=result.total,
        lines_new=result.new,
        state=BankStatement.State.QUEUED,
        imported_by=actor,
    )
    StatementLine.objects.bulk_create(
        [
            StatementLine(
                statement=statement,
                bank_reference=tx.bank_reference,
                index=tx.index,
                booked_on=tx.booked_on,
                amount=tx.amount,
                currency=tx.currency,
                debtor_name=tx.debtor_name,
                creditor_reference=tx.creditor_reference,
                remittance=tx.remittance,
            )
            for tx in new
        ],
        batch_size=_CHUNK,
    )
    result.statement = statement
    audit_record(
        actor=actor,
        action="statement.imported",
        obj=statement,
        data={"total": result.total, "new": result.new, "already": result.already},
    )
    statement_id = statement.pk
    # Robust: a broker out of reach leaves the statement queued; importing the file again sends it.
    transaction.on_commit(lambda: _enqueue_match(statement_id), robust=True)
    return result


def statement_match_run(*, statement_id: int) -> BankStatement:
    """The worker's part: match the statement's lines still to match, a chunk per transaction.

    Safe to run again (a redelivered task, a restart after a failure): lines matched or set aside
    are counted as looked at and left alone; each chunk's lines are locked and read again, so two
    runs at once never record a transfer twice. A failure stops the run as failed, with the error."""
    with transaction.atomic():
        statement = (
            BankStatement.objects.select_for_update(of=("self",))
            .select_related("imported_by")
            .get(pk=statement_id)
        )
        if statement.state == BankStatement.State.DONE:
            return statement
        lines = StatementLine.objects.filter(statement_id=statement_id)
        statement.state = BankStatement.State.RUNNING
        statement.error = ""
        statement.lines_done = lines.exclude(state=StatementLine.State.UNMATCHED).count()
        statement.lines_matched = lines.filter(state=StatementLine.State.MATCHED).count()
        statement.save(update_fields=["state", "error", "lines_done", "lines_matched"])
        pending = list(
            lines.filter(state=StatementLine.State.UNMATCHED).order_by("pk").values_list("pk", flat=True)
        )
    actor = statement.imported_by
    try:
        if actor is None:
            raise PaymentError(_("The person who imported the statement no longer exists."))
        for start in range(0, len(pending), _MATCH_CHUNK):
            _chunk_match(statement, pending[start : start + _MATCH_CHUNK], actor=actor)
    except Exception as error:  # any failure: recorded for staff, importing the file again resumes
        # (unless another run of the same statement finished it meanwhile)
        BankStatement.objects.filter(pk=statement_id).exclude(state=BankStatement.State.DONE).update(
            state=BankStatement.State.FAILED, error=f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
        )
        statement.refresh_from_db()
        return statement
    with transaction.atomic():
        statement = BankStatement.objects.select_for_update().get(pk=statement_id)
        if statement.state == BankStatement.State.DONE:  # another run finished first
            return statement
        statement.state = BankStatement.State.DONE
        statement.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="statement.matched",
            obj=statement,
            data={"new": statement.lines_new, "matched": statement.lines_matched},
        )
    return statement


@transaction.atomic
def _chunk_match(statement: BankStatement, line_ids: list[int], *, actor: User) -> None:
    lines = list(
        StatementLine.objects.select_for_update()
        .filter(pk__in=line_ids, state=StatementLine.State.UNMATCHED)
        .order_by("pk")
    )
    for line in lines:
        line.statement = statement  # read by the matching: no query per line
    matched = _lines_match(lines, actor=actor)
    # Lines another run matched meanwhile were looked at too; two runs at once never count past
    # the statement's new lines.
    BankStatement.objects.filter(pk=statement.pk).update(
        lines_done=Least(F("lines_done") + len(line_ids), F("lines_new")),
        lines_matched=F("lines_matched") + matched,
    )


# Automatic matching ------------------------------------------------------------------------------


def _payments_in_scope(actor: User) -> QuerySet[Payment]:
    return programmes_scope(Payment.objects.all(), actor, "programme").select_related(
        "buyer", "programme", "call_for_funds"
    )


def _line_references(line: StatementLine) -> list[str]:
    keys = []
    if line.creditor_reference:
        keys.append(reference_key(line.creditor_reference))
    keys += [key for key in rf_candidates(line.remittance) if key not in keys]
    return keys


def _by_reference(line_keys: Iterable[list[str]], actor: User) -> dict[str, Payment]:
    keys = sorted({key for found in line_keys for key in found})
    payments: dict[str, Payment] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        payments.update(
            {p.creditor_reference: p for p in _payments_in_scope(actor).filter(creditor_reference__in=chunk)}
        )
    return payments


def _by_amount(lines: Iterable[StatementLine], actor: User) -> dict[tuple[str, Decimal], list[Payment]]:
    """Open payments by (currency, amount still due), for the amounts of `lines`."""
    amounts = sorted({line.amount for line in lines})
    found: dict[tuple[str, Decimal], list[Payment]] = defaultdict(list)
    for start in range(0, len(amounts), _CHUNK):
        rows = (
            _payments_in_scope(actor)
            .filter(status__in=OPEN_STATUSES)
            .alias(due=F("amount") - F("amount_paid"))
            .filter(due__in=amounts[start : start + _CHUNK])
            .order_by("pk")
        )
        for payment in rows:
            found[(payment.currency, payment.amount - payment.amount_paid)].append(payment)
    return found


def _outstanding(payment: Payment) -> Decimal:
    return payment.amount - payment.amount_paid


def _lines_match(lines: list[StatementLine], *, actor: User) -> int:
    """Match what can be matched for sure; note why a recognised line was left alone."""
    keys = {id(line): _line_references(line) for line in lines}
    references = _by_reference(keys.values(), actor)
    unreferenced = [line for line in lines if not any(key in references for key in keys[id(line)])]
    amounts = _by_amount(unreferenced, actor)
    matched = 0
    for line in lines:
        payment = next((references[key] for key in keys[id(line)] if key in references), None)
        if payment is None:
            candidates = [
                p
                for p in amounts.get((line.currency, line.amount), [])
                if p.is_open
                and _outstanding(p) == line.amount
                and names_match(line.debtor_name, p.buyer.first_name, p.buyer.last_name)
            ]
            if len(candidates) != 1:
                continue
            payment = candidates[0]
        note = _refusal(line, payment, account=line.statement.account_iban)
        if note:
            line.note = note[:300]
            line.save(update_fields=["note"])
            continue
        try:
            with transaction.atomic():
                updated = _line_match(line=line, payment=payment, actor=actor, automatic=True)
        except PaymentError as error:
            line.note = str(error)[:300]
            line.save(update_fields=["note"])
            continue
        # Later lines of the file paying the same request see what this one paid.
        payment.amount_paid, payment.status = updated.amount_paid, updated.status
        matched += 1
    return matched


def _refusal(line: StatementLine, payment: Payment, *, account: str) -> str:
    """Why `line` must not be recorded on `payment` automatically ("" when it may)."""
    escrow = payment.programme.escrow_iban
    if account and escrow and account.replace(" ", "").upper() != escrow.replace(" ", "").upper():
        # Each programme's buyers pay into its escrow account: money on another account is a
        # mistake someone must look at before it counts.
        return _(
            "The transfer arrived on account %(account)s, not on the escrow account of %(programme)s: "
            "match it by hand once checked."
        ) % {"account": account, "programme": payment.programme}
    if line.currency != payment.currency:
        return _("The transfer is in %(line)s but %(reference)s is in %(payment)s.") % {
            "line": line.currency,
            "reference": payment.creditor_reference,
            "payment": payment.currency,
        }
    if payment.status not in RECORDABLE_STATUSES:
        return _("%(reference)s is already “%(status)s”: check whether this transfer must be refunded.") % {
            "reference": payment.creditor_reference,
            "status": payment.get_status_display(),
        }
    if line.amount > _outstanding(payment):
        return _(
            "%(amount)s received for %(reference)s, on which only %(due)s is still due: "
            "match it by hand once the difference is settled with the buyer."
        ) % {
            "amount": money_format(line.amount, line.currency),
            "reference": payment.creditor_reference,
            "due": money_format(_outstanding(payment), payment.currency),
        }
    return ""


# Manual matching -------------------------------------------------------------------------------


def _line_match(*, line: StatementLine, payment: Payment, actor: User, automatic: bool) -> Payment:
    payment = payment_record_transfer(
        actor=actor,
        payment=payment,
        amount=line.amount,
        received_on=line.booked_on,
        method=Method.TRANSFER,
        note=_("Bank statement line %(reference)s/%(index)d")
        % {"reference": line.bank_reference, "index": line.index},
    )
    line.state = StatementLine.State.MATCHED
    line.payment = payment
    line.call = getattr(payment, "call_for_funds", None)
    line.matched_by = actor
    line.matched_at = timezone.now()
    line.note = ""
    line.save(update_fields=["state", "payment", "call", "matched_by", "matched_at", "note"])
    audit_record(
        actor=actor,
        action="statement_line.matched",
        obj=line,
        data={
            "payment": payment.pk,
            "reference": payment.creditor_reference,
            "amount": str(line.amount),
            "automatic": automatic,
        },
    )
    return payment


@transaction.atomic
def statement_line_match(*, line: StatementLine, payment: Payment, actor: User) -> StatementLine:
    """An accountant matches a line to a payment: the transfer is recorded on it.

    Idempotent when the line is already matched to this payment; refused (PaymentError, in words)
    when it is matched elsewhere, in another currency, or above what is still due.
    """
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    if line.state == StatementLine.State.MATCHED:
        if line.payment_id == payment.pk:
            return line
        raise PaymentError(_("This transfer is already matched to another payment."))
    if line.currency != payment.currency:
        raise PaymentError(
            _("The transfer is in %(line)s and the payment in %(payment)s.")
            % {"line": line.currency, "payment": payment.currency}
        )
    _line_match(line=line, payment=payment, actor=actor, automatic=False)
    if line.statement_id:
        BankStatement.objects.filter(pk=line.statement_id).update(lines_matched=F("lines_matched") + 1)
    return line


@transaction.atomic
def statement_line_ignore(*, line: StatementLine, actor: User) -> StatementLine:
    """Set aside a credit that pays nothing the portal asked for (a refund from a supplier...)."""
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    if line.state == StatementLine.State.IGNORED:
        return line
    if line.state == StatementLine.State.MATCHED:
        raise PaymentError(_("A matched transfer cannot be ignored: it is recorded on its payment."))
    line.state = StatementLine.State.IGNORED
    line.matched_by = actor
    line.matched_at = timezone.now()
    line.save(update_fields=["state", "matched_by", "matched_at"])
    audit_record(actor=actor, action="statement_line.ignored", obj=line, data={"amount": str(line.amount)})
    return line
