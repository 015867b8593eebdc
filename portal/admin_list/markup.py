"""Writing Django's admin markup from Python: its words (Django's own translations), escaping,
and the date format of a list's rows."""

import datetime
import html

from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

# The admin's words are Django's own, translated by Django's catalogues: these functions read
# them there and keep them out of the project's (makemessages only collects literal arguments
# of gettext and its usual aliases).


def django_text(msgid: str) -> str:
    """Django's {% translate "..." %}: the translation as it is (a literal is safe)."""
    return gettext(msgid)


def django_format(msgid: str, **values) -> str:
    """Django's {% blocktranslate %}: the translation as it is, its values escaped."""
    return gettext(msgid) % {name: conditional_escape(value) for name, value in values.items()}


def escape_text(value) -> str:
    """conditional_escape() as a plain string: the same characters, without wrapping each
    cell in a SafeString (the rows are marked safe as a whole)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class DateTimeFormat:
    """dateformat.format(value, format) with the format taken apart once: a list writes a
    date and time on every row."""

    def __init__(self, format_string: str):
        self.parts = []
        for index, piece in enumerate(dateformat.re_formatchars.split(str(format_string))):
            if index % 2:
                self.parts.append((True, piece))
            elif piece:
                self.parts.append((False, dateformat.re_escaped.sub(r"\1", piece)))

    def __call__(self, value: datetime.datetime) -> str:
        formatter = dateformat.DateFormat(value)
        return "".join(
            str(getattr(formatter, piece)()) if is_code else piece for is_code, piece in self.parts
        )


def capfirst_escaped(value) -> str:
    """Django's `capfirst` filter, escaping as the template would."""
    text = str(value)
    text = text and text[0].upper() + text[1:]
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)
