"""Bank statement parsers: ISO 20022 camt.053, MT940 and CSV with a column mapping.

Each parser reads a whole file and returns a `ParsedStatement` holding its credit transactions
(money in: what the buyers sent), or raises `StatementError` listing every bad line or entry
with its number and reason: an import is all or nothing. Parsers read bytes and never write.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ParsedTransaction:
    """One credit transfer; `bank_reference` and `index` identify it across statements."""

    bank_reference: str
    index: int
    booked_on: date
    amount: Decimal
    currency: str
    debtor_name: str = ""
    creditor_reference: str = ""
    remittance: str = ""


@dataclass
class ParsedStatement:
    transactions: list[ParsedTransaction] = field(default_factory=list)
    account_iban: str = ""


class StatementError(Exception):
    """The file cannot be imported; `problems` lists (line or entry number, reason)."""

    def __init__(self, problems: list[tuple[int | None, str]], *, unit: str = "line"):
        self.problems = problems
        # camt.053 files are reported by entry (<Ntry>), the text formats by line.
        self.unit = unit
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        texts = []
        for number, reason in self.problems:
            if number is None:
                texts.append(reason)
            elif self.unit == "entry":
                texts.append(_("Entry %(number)d: %(reason)s") % {"number": number, "reason": reason})
            else:
                texts.append(_("Line %(number)d: %(reason)s") % {"number": number, "reason": reason})
        return texts


def clip(value: str, length: int) -> str:
    """Whitespace folded and cut to the column's length."""
    return " ".join(value.split())[:length]
