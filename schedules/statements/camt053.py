"""ISO 20022 camt.053 (bank-to-customer statement), versions .02 to .08.

The versions differ in namespace and in a few paths (the entry status became a code in .06,
the debtor's name moved under `Pty` in .08), so elements are found by their local names
whatever the namespace. The XML is read by defusedxml with DTDs forbidden: a file declaring
entities (billion laughs, an external file) is refused before anything is expanded or fetched.
"""

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element  # noqa: S405  (types only; parsing goes through defusedxml)

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext as _

from schedules.statements import ParsedStatement, ParsedTransaction, StatementError, clip

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})$")
SUPPORTED_VERSIONS = range(2, 9)


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _children(element: Element | None, name: str) -> Iterator[Element]:
    if element is not None:
        for child in element:
            if _local(child) == name:
                yield child


def _child(element: Element | None, *path: str) -> Element | None:
    """The first element at `path` (local names) under `element`, or None."""
    for name in path:
        element = next(_children(element, name), None)
        if element is None:
            return None
    return element


def _text(element: Element | None, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _amount(element: Element | None) -> tuple[Decimal, str] | None:
    if element is None:
        return None
    try:
        amount = Decimal((element.text or "").strip())
    except InvalidOperation:
        raise ValueError(_("the amount “%(value)s” is not a number") % {"value": element.text}) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(
            _("the amount “%(value)s” is not a positive amount in cents") % {"value": element.text}
        )
    currency = element.get("Ccy", "")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(_("the amount has no currency"))
    return amount, currency


def _booking_date(entry: Element) -> date:
    for path in (("BookgDt", "Dt"), ("BookgDt", "DtTm"), ("ValDt", "Dt"), ("ValDt", "DtTm")):
        value = _text(entry, *path)
        if value:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                raise ValueError(_("the date “%(value)s” is not a date") % {"value": value}) from None
    raise ValueError(_("the entry has no booking date"))


def _debtor_name(details: Element) -> str:
    parties = _child(details, "RltdPties")
    # .02 to .07: Dbtr/Nm; .08: Dbtr/Pty/Nm. The ultimate debtor, when given, is who really paid.
    for path in (("UltmtDbtr", "Nm"), ("UltmtDbtr", "Pty", "Nm"), ("Dbtr", "Nm"), ("Dbtr", "Pty", "Nm")):
        name = _text(parties, *path)
        if name:
            return name
    return ""


def _remittance(details: Element) -> tuple[str, str]:
    """(structured creditor reference, free text) of a transaction."""
    information = _child(details, "RmtInf")
    reference = ""
    for structured in _children(information, "Strd"):
        reference = _text(structured, "CdtrRefInf", "Ref")
        if reference:
            break
    text = " ".join((element.text or "").strip() for element in _children(information, "Ustrd"))
    return reference, text


def _entry_transactions(entry: Element) -> list[ParsedTransaction]:
    entry_amount = _amount(_child(entry, "Amt"))
    if entry_amount is None:
        raise ValueError(_("the entry has no amount"))
    bank_reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    if not bank_reference:
        raise ValueError(_("the entry has neither a bank reference (AcctSvcrRef) nor an entry reference"))
    booked_on = _booking_date(entry)
    details = [tx for block in _children(entry, "NtryDtls") for tx in _children(block, "TxDtls")]
    if not details:
        # An entry without details is one transaction; its debtor and text are unknown.
        details = [Element("TxDtls")]
    transactions = []
    for index, tx in enumerate(details):
        amount = _amount(_child(tx, "Amt")) or _amount(_child(tx, "AmtDtls", "TxAmt", "Amt"))
        if amount is None:
            if len(details) > 1:
                raise ValueError(
                    _("transaction %(number)d of the entry has no amount") % {"number": index + 1}
                )
            amount = entry_amount
        if amount[1] != entry_amount[1]:
            raise ValueError(_("a transaction's currency differs from the entry's"))
        reference, text = _remittance(tx)
        transactions.append(
            ParsedTransaction(
                bank_reference=clip(bank_reference, 100),
                index=index,
                booked_on=booked_on,
                amount=amount[0],
                currency=amount[1],
                debtor_name=clip(_debtor_name(tx), 200),
                creditor_reference=clip(reference, 40),
                remittance=clip(text, 500),
            )
        )
    if sum(tx.amount for tx in transactions) != entry_amount[0]:
        raise ValueError(_("the transactions of the entry do not add up to its amount"))
    return transactions


def _check_document(root: Element) -> None:
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    match = _NAMESPACE.match(namespace)
    if namespace and (match is None or int(match.group(1)) not in SUPPORTED_VERSIONS):
        raise StatementError(
            [
                (
                    None,
                    _("This is not a camt.053 statement of version .02 to .08 (%(namespace)s).")
                    % {"namespace": namespace},
                )
            ]
        )
    if _local(root) != "Document" or _child(root, "BkToCstmrStmt") is None:
        raise StatementError([(None, _("This is not a camt.053 statement (no BkToCstmrStmt element)."))])


def parse_camt053(content: bytes) -> ParsedStatement:
    """The credit transactions of a camt.053 file; every bad entry is reported, numbered from 1."""
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise StatementError(
            [(None, _("The file declares a DTD or entities; it is refused unread."))]
        ) from None
    except ParseError as error:
        raise StatementError(
            [(None, _("The file is not valid XML (%(error)s).") % {"error": error})]
        ) from None
    _check_document(root)
    statement = ParsedStatement()
    problems: list[tuple[int | None, str]] = []
    number = 0
    for report in _children(_child(root, "BkToCstmrStmt"), "Stmt"):
        statement.account_iban = statement.account_iban or _text(report, "Acct", "Id", "IBAN")
        for entry in _children(report, "Ntry"):
            number += 1
            if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd").lower() == "true":
                continue
            status = _text(entry, "Sts") or _text(entry, "Sts", "Cd")
            if status and status != "BOOK":
                continue  # pending or informational: it comes back booked in a later statement
            try:
                statement.transactions.extend(_entry_transactions(entry))
            except ValueError as error:
                problems.append((number, str(error)))
    if problems:
        raise StatementError(problems, unit="entry")
    return statement
