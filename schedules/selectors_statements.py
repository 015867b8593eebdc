"""Reads of bank statements: the statements and lines a user may see, suggestions for a line.

A statement belongs to a bank account: staff see the statements of their programmes' escrow
accounts and those they imported themselves; administrators see them all. Suggestions for a
line are open payments of the user's programmes in its currency: the one its references name,
those still due for exactly its amount, those of a buyer whose name it carries.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from payments.models import OPEN_STATUSES, Payment, Status
from portal.access import Viewer, is_administrator
from programmes.selectors import programmes_scope, programmes_visible_to
from schedules.models import BankStatement, StatementLine
from schedules.statements.matching import name_words, reference_key, rf_candidates

SUGGESTIONS_PER_LINE = 5
# Requests still waiting for money (an expired link may still be paid by transfer).
SUGGESTED_STATUSES = [*OPEN_STATUSES, Status.EXPIRED]


def bank_statements_for(user: Viewer) -> QuerySet[BankStatement]:
    statements = BankStatement.objects.select_related("imported_by")
    if is_administrator(user):
        return statements
    accounts = programmes_visible_to(user).exclude(escrow_iban="").values("escrow_iban")
    return statements.filter(Q(account_iban__in=accounts) | Q(imported_by_id=user.pk))


def bank_statement_progress(user: Viewer, statement_id: int) -> BankStatement | None:
    """One statement the user may see, with what its progress fragment shows (one query)."""
    return (
        BankStatement.objects.filter(pk=statement_id, pk__in=bank_statements_for(user).values("pk"))
        .only("pk", "state", "lines_total", "lines_new", "lines_matched", "lines_done", "error")
        .first()
    )


def statement_lines_for(user: Viewer) -> QuerySet[StatementLine]:
    lines = StatementLine.objects.select_related("statement", "payment", "matched_by")
    if is_administrator(user):
        return lines
    return lines.filter(statement__in=bank_statements_for(user).values("pk"))


def statement_lines_to_match(user: Viewer) -> QuerySet[StatementLine]:
    return statement_lines_for(user).filter(state=StatementLine.State.UNMATCHED).order_by("booked_on", "pk")


def _open_payments(user: Viewer) -> QuerySet[Payment]:
    return programmes_scope(Payment.objects.filter(status__in=SUGGESTED_STATUSES), user, "programme")


def suggestions_for_lines(lines: Iterable[StatementLine], user: Viewer) -> dict[int, list[Payment]]:
    """Up to five payments per line, in three queries whatever the number of lines."""
    lines = list(lines)
    if not lines:
        return {}
    references = {line.pk: _references(line) for line in lines}
    # One light read of the open payments' amounts and names, compared in Python (accents and
    # word order do not survive a portable SQL comparison), then one read of the chosen ones.
    candidates = list(
        _open_payments(user)
        .filter(currency__in={line.currency for line in lines})
        .values_list(
            "pk",
            "currency",
            "amount",
            "amount_paid",
            "creditor_reference",
            "buyer__first_name",
            "buyer__last_name",
        )
    )
    # Each name folded once, not once per line.
    last_names = {row[0]: name_words(row[6]) for row in candidates}
    chosen: dict[int, list[int]] = {}
    for line in lines:
        debtor = name_words(line.debtor_name)
        ranked = []
        for pk, currency, amount, paid, reference, _first_name, _last_name in candidates:
            if currency != line.currency:
                continue
            same_amount = amount - paid == line.amount
            similar = bool(last_names[pk]) and last_names[pk] <= debtor
            # The payment its reference names, then the same amount and name, the same amount,
            # the name alone.
            rank = 0 if reference in references[line.pk] else 1 if same_amount and similar else None
            if rank is None:
                rank = 2 if same_amount else 3 if similar else None
            if rank is not None:
                ranked.append((rank, pk))
        chosen[line.pk] = [pk for _rank, pk in sorted(ranked)[:SUGGESTIONS_PER_LINE]]
    wanted = {pk for pks in chosen.values() for pk in pks}
    payments = Payment.objects.select_related("buyer", "sale", "programme").in_bulk(wanted)
    return {line_pk: [payments[pk] for pk in pks] for line_pk, pks in chosen.items()}


def statement_suggestions(line: StatementLine, user: Viewer) -> list[Payment]:
    return suggestions_for_lines([line], user)[line.pk]


def _references(line: StatementLine) -> set[str]:
    found = set(rf_candidates(line.remittance))
    if line.creditor_reference:
        found.add(reference_key(line.creditor_reference))
    return found
