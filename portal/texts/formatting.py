"""Finding and filling `{placeholders}` in the texts staff write.

Texts use the syntax of `str.format`, parsed with `string.Formatter().parse`, but filling is done
here: only plain names are replaced, so a stored text can never reach attributes or format
specifications (`{link.__class__}`, `{amount:>99999}`), and a missing value is an empty string.
"""

import string
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

_FORMATTER = string.Formatter()


def placeholders_in(text: str) -> list[str]:
    """The placeholders of `text` as written (`{a.b}` gives "a.b"); ValueError on unbalanced braces."""
    found = []
    for _literal, field, spec, conversion in _FORMATTER.parse(text):
        if field is None:
            continue
        written = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        found.append(written)
    return found


def validate_placeholders(text: str, allowed: Iterable[str]) -> None:
    """Raise ValidationError unless every placeholder of `text` is one of `allowed`."""
    allowed = list(allowed)
    try:
        found = placeholders_in(text)
    except ValueError as error:
        raise ValidationError(
            _("Unbalanced braces: a placeholder is a name between { and }; write {{ or }} for a brace."),
            code="malformed_braces",
        ) from error
    for name in found:
        if name not in allowed:
            raise ValidationError(
                _("Unknown placeholder {%(name)s}. Available: %(available)s."),
                code="unknown_placeholder",
                params={"name": name, "available": ", ".join(f"{{{known}}}" for known in allowed)},
            )


def fill(text: str, values: Mapping[str, Any], *, html: bool = False) -> str:
    """`text` with each `{name}` replaced by `values[name]` ("" when missing), escaped when `html`."""
    parts = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(text):
        parts.append(literal)
        if field is not None:
            value = values.get(field)
            value = "" if value is None else str(value)
            parts.append(escape(value) if html else value)
    return "".join(parts)
