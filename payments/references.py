"""Structured creditor references (ISO 11649, "RF…") that buyers copy onto their transfers."""

import re


def _digits(text: str) -> int:
    # Letters count as two digits (A=10 ... Z=35), as for IBANs.
    return int("".join(str(int(char, 36)) for char in text))


def creditor_reference(body: str) -> str:
    """`RF` + two check digits + the body (letters and digits, at most 21)."""
    body = re.sub(r"[^0-9A-Z]", "", body.upper())
    if not 0 < len(body) <= 21:
        raise ValueError(f"A creditor reference body has 1 to 21 letters or digits, not {body!r}.")
    check = 98 - _digits(body + "RF00") % 97
    return f"RF{check:02d}{body}"


def creditor_reference_valid(reference: str) -> bool:
    reference = reference.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", reference):
        return False
    return _digits(reference[4:] + reference[:4]) % 97 == 1


def creditor_reference_for_payment(*, programme_code: str, payment_id: int) -> str:
    code = re.sub(r"[^0-9A-Z]", "", programme_code.upper())[:10]
    return creditor_reference(f"{code}{payment_id:08d}")
