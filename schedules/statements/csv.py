"""Bank statements exported as CSV, read through a column mapping chosen in the import form.

Columns are named by their header. Only credits (positive amounts) are kept. Without a bank
reference column, a transaction is identified by a fingerprint of its date, amount, name and
text, and its rank among identical rows of the file, so re-importing the file still creates
nothing twice.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from schedules.statements import ParsedStatement, ParsedTransaction, StatementError, clip

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"]


@dataclass(frozen=True)
class CsvMapping:
    """The header of each column; only date and amount are required."""

    date: str
    amount: str
    name: str = ""
    reference: str = ""
    text: str = ""
    bank_reference: str = ""
    currency: str = ""
    delimiter: str = ";"
    decimal_comma: bool = True
    default_currency: str = "EUR"


def _amount(raw: str, mapping: CsvMapping) -> Decimal:
    value = raw.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    # "1.234,56" with a decimal comma, "1,234.56" without.
    value = value.replace(".", "").replace(",", ".") if mapping.decimal_comma else value.replace(",", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValueError(_("the amount “%(value)s” is not a number") % {"value": raw.strip()})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("the amount “%(value)s” has more than two decimals") % {"value": raw.strip()})
    return amount


def _date(value: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007  (a calendar date)
        except ValueError:
            continue
    raise ValueError(_("the date “%(value)s” is not a date") % {"value": value})


def parse_csv(content: bytes, mapping: CsvMapping) -> ParsedStatement:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    headers = reader.fieldnames or []
    columns = [mapping.date, mapping.amount, mapping.name, mapping.reference, mapping.text]
    columns += [mapping.bank_reference, mapping.currency]
    missing = [column for column in columns if column and column not in headers]
    if missing:
        raise StatementError(
            [
                (1, _("the column “%(column)s” is not in the header") % {"column": column})
                for column in missing
            ]
        )
    parsed = ParsedStatement()
    problems: list[tuple[int | None, str]] = []
    seen: dict[str, int] = {}
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            # A stray quote or a NUL byte: the reader cannot go on past it.
            problems.append((reader.line_num, _("the line cannot be read (%(error)s)") % {"error": error}))
            break
        number = reader.line_num
        if not any((value or "").strip() for value in row.values()):
            continue
        try:
            booked_on = _date(row[mapping.date] or "")
            amount = _amount(row[mapping.amount] or "", mapping)
        except ValueError as error:
            problems.append((number, str(error)))
            continue
        if amount <= 0:
            continue  # a debit
        currency = (
            (row[mapping.currency] or "").strip().upper() if mapping.currency else mapping.default_currency
        )
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(
                (number, _("the currency “%(value)s” is not a currency code") % {"value": currency})
            )
            continue
        name = clip(row[mapping.name] or "", 200) if mapping.name else ""
        reference = clip(row[mapping.reference] or "", 40) if mapping.reference else ""
        remittance = clip(row[mapping.text] or "", 500) if mapping.text else ""
        bank_reference = clip(row[mapping.bank_reference] or "", 100) if mapping.bank_reference else ""
        if not bank_reference:
            fingerprint = "|".join(
                [booked_on.isoformat(), str(amount), currency, name, reference, remittance]
            )
            bank_reference = "csv:" + hashlib.sha256(fingerprint.encode()).hexdigest()[:40]
        index = seen.get(bank_reference, 0)
        seen[bank_reference] = index + 1
        parsed.transactions.append(
            ParsedTransaction(
                bank_reference=bank_reference,
                index=index,
                booked_on=booked_on,
                amount=amount,
                currency=currency,
                debtor_name=name,
                creditor_reference=reference,
                remittance=remittance,
            )
        )
    if problems:
        raise StatementError(problems)
    return parsed
