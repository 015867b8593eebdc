"""Structured creditor references (ISO 11649, "RF…") that buyers copy onto their transfers.

python-stdnum computes and checks them (ISO 7064 mod 97-10, letters counting as two digits);
this module only decides what goes in the body and which spellings a buyer may use.
"""

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

# Check digits are digits and the body letters or digits: stdnum alone would take more shapes.
_SHAPE = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")


def creditor_reference(body: str) -> str:
    """`RF` + two check digits + the body (letters and digits, at most 21)."""
    body = re.sub(r"[^0-9A-Z]", "", body.upper())
    if not 0 < len(body) <= 21:
        raise ValueError(f"A creditor reference body has 1 to 21 letters or digits, not {body!r}.")
    # The check digits make `body + "RF" + digits` a valid mod 97-10 number (ISO 11649, 3.4).
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def creditor_reference_valid(reference: str) -> bool:
    """Right check digits, printed as one word or grouped by four, in either case."""
    reference = reference.replace(" ", "").upper()
    return bool(_SHAPE.fullmatch(reference)) and iso11649.is_valid(reference)


def creditor_reference_grouped(reference: str) -> str:
    """RF18539007547034 as "RF18 5390 0754 7034", the way banks print it."""
    return iso11649.format(reference)


def creditor_reference_for_payment(*, programme_code: str, payment_id: int) -> str:
    code = re.sub(r"[^0-9A-Z]", "", programme_code.upper())[:10]
    return creditor_reference(f"{code}{payment_id:08d}")
