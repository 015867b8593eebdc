"""SWIFT MT940 statements, as Polish (and German) banks export them, read with the `mt-940` library.

The library is lenient: a line it cannot read is skipped. The `:61:` lines are therefore checked
here first, so a malformed transaction refuses the file with its line number instead of being
lost. A transaction is identified by its bank reference (after `//` in `:61:`); without one, by
the statement's reference and number, and the index of the transaction in the statement.

`:86:` holds the remittance, often as numbered sub-fields: Polish banks separate them with `~`
(20-25 the title, 27-28 or 32-33 the ordering party), German ones with `?` (20-29 and 60-63
the purpose, 32-33 the name).
"""

import re
from datetime import date
from decimal import Decimal

import mt940
from django.utils.translation import gettext as _

from schedules.statements import ParsedStatement, ParsedTransaction, StatementError, clip

_LINE_61 = re.compile(r"^:61:(\d{6})(\d{4})?(R?[CD])[A-Z]?(\d{1,12},\d{0,2})[SNF][A-Z0-9]{3}.*$")
_SUBFIELD = re.compile(r"([~?^])(\d{2})")
_POLISH_TEXT = ["20", "21", "22", "23", "24", "25", "26"]
_GERMAN_TEXT = ["20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "60", "61", "62", "63"]


def _check_lines(text: str) -> list[tuple[int | None, str]]:
    problems: list[tuple[int | None, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(":61:"):
            continue
        match = _LINE_61.match(line.strip())
        if match is None:
            problems.append((number, _("the transaction line (:61:) cannot be read")))
            continue
        try:
            date(2000 + int(match.group(1)[:2]), int(match.group(1)[2:4]), int(match.group(1)[4:6]))
        except ValueError:
            problems.append(
                (number, _("the value date “%(value)s” is not a date") % {"value": match.group(1)})
            )
    if ":20:" not in text or ":61:" not in text and ":60F:" not in text:
        problems.append((None, _("This is not an MT940 statement (no :20: and :60F: or :61: fields).")))
    return problems


def _subfields(details: str) -> tuple[str, dict[str, str]]:
    """(separator, {number: text}) of a structured `:86:`, or ("", {}) for free text."""
    details = details.replace("\r", "").replace("\n", "")
    found = _SUBFIELD.search(details)
    if found is None or not re.match(r"^\d{3}[~?^]\d{2}", details):
        return "", {}
    separator = found.group(1)
    fields: dict[str, str] = {}
    for part in details.split(separator)[1:]:
        key, value = part[:2], part[2:]
        fields[key] = fields.get(key, "") + value
    return separator, fields


def _remittance(details: str) -> tuple[str, str]:
    """(ordering party's name, remittance text) of a transaction's `:86:`."""
    separator, fields = _subfields(details)
    if not fields:
        return "", " ".join(details.split())
    keys = _POLISH_TEXT if separator != "?" else _GERMAN_TEXT
    # Lines are joined with a space: a word cut at a line's end reads oddly, but two words never
    # run together (an RF reference is read with its spaces removed anyway).
    text = " ".join(fields.get(key, "") for key in keys)
    name = " ".join([fields.get("32", ""), fields.get("33", "")])
    if not name.strip() and separator != "?":
        name = " ".join([fields.get("27", ""), fields.get("28", "")])
    return " ".join(name.split()), " ".join(text.split())


def parse_mt940(content: bytes) -> ParsedStatement:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Polish banks still export in Windows-1250.
        text = content.decode("cp1250", errors="replace")
    problems = _check_lines(text)
    if problems:
        raise StatementError(problems)
    try:
        statements = mt940.parse_statements(text)
    except Exception as error:  # noqa: BLE001  (the library raises bare exceptions on odd files)
        raise StatementError(
            [(None, _("The file cannot be read as MT940 (%(error)s).") % {"error": error})]
        ) from None
    parsed = ParsedStatement()
    line_numbers = [
        number for number, line in enumerate(text.splitlines(), start=1) if line.startswith(":61:")
    ]
    position = 0
    problems = []
    for block in statements:
        account = str(block.data.get("account_identification", "")).lstrip("/").replace(" ", "")
        parsed.account_iban = parsed.account_iban or account[:42]
        fallback = "{}/{}".format(
            block.data.get("transaction_reference", ""), block.data.get("statement_number", "")
        )
        for index, transaction in enumerate(block):
            line = line_numbers[position] if position < len(line_numbers) else None
            position += 1
            data = transaction.data
            if data.get("status") != "C":
                continue  # debits and reversals: not money from a buyer
            amount = Decimal(data["amount"].amount)
            if amount <= 0:
                problems.append((line, _("a credit of zero or less")))
                continue
            bank_reference = str(data.get("bank_reference") or "").strip()
            name, remittance = _remittance(str(data.get("transaction_details") or ""))
            parsed.transactions.append(
                ParsedTransaction(
                    bank_reference=clip(bank_reference or fallback, 100),
                    index=0 if bank_reference else index,
                    booked_on=date(data["date"].year, data["date"].month, data["date"].day),
                    amount=amount,
                    currency=str(data.get("currency") or data["amount"].currency),
                    debtor_name=clip(name, 200),
                    remittance=clip(remittance, 500),
                )
            )
    if problems:
        raise StatementError(problems)
    return parsed
