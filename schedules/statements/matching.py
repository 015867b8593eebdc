"""What a bank line says about who paid what: RF references in free text, comparable names."""

import re
import unicodedata

from payments.references import creditor_reference_valid

_RF_START = re.compile(r"RF\d{2}")
_BODY = re.compile(r"[A-Z0-9 ]*")
# Words a bank or a buyer puts around a name that say nothing about who it is.
_NOISE = {
    "M",
    "MR",
    "MME",
    "MLLE",
    "MM",
    "OU",
    "ET",
    "PAN",
    "PANI",
    "I",
    "LUB",
    "HERR",
    "FRAU",
    "UND",
    "MRS",
    "MS",
}


def reference_key(reference: str) -> str:
    """A reference as stored: upper case, no spaces (banks print RF references by groups of 4)."""
    return re.sub(r"\s+", "", reference).upper()


def rf_candidates(text: str) -> list[str]:
    """Every valid ISO 11649 reference written in `text`, with or without its spaces.

    Where a reference runs into the next word ("RF45LYON0103 APPEL") each length is tried, and
    only those whose check digits are right are kept; the database decides which one exists.
    The check (mod 97 of body + "RF" + check digits) is carried along the body, one character
    at a time, so a statement of thousands of lines is read quickly; stdnum confirms each hit.
    """
    text = text.upper()
    found: list[str] = []
    for start in _RF_START.finditer(text):
        body = _BODY.match(text, start.end())
        rest = (body.group(0) if body else "").replace(" ", "")[:21]
        tail = int("2715" + start.group(0)[2:])  # "RF" as digits (R=27, F=15), then the check digits
        remainder = 0
        hits = []
        for length, char in enumerate(rest, start=1):
            for digit in str(int(char, 36)):
                remainder = (remainder * 10 + int(digit)) % 97
            if (remainder * 1_000_000 + tail) % 97 == 1:
                hits.append(start.group(0) + rest[:length])
        for candidate in reversed(hits):  # the longest first
            if candidate not in found and creditor_reference_valid(candidate):
                found.append(candidate)
    return found


def name_words(name: str) -> frozenset[str]:
    """A name's words, without case, accents, civilities or order: "Élodie DUBOIS" = "DUBOIS ELODIE"."""
    # Ł has no decomposition into L and a mark: spelled out first.
    name = name.replace("Ł", "L").replace("ł", "l")
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    words = re.findall(r"[A-Z0-9]+", folded.replace("-", " ").replace("'", " "))
    return frozenset(word for word in words if word not in _NOISE and len(word) > 1)


def names_match(debtor: str, first_name: str, last_name: str) -> bool:
    """The buyer's first and last names are both among the words of the bank line's name."""
    buyer = name_words(f"{first_name} {last_name}")
    return bool(buyer) and buyer <= name_words(debtor)
