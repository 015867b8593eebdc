"""CSV and Excel exports (EXP-1): an exporter only yields rows; these functions write them.

Both formats stream: the CSV is written row by row as the client reads it, the workbook is
written in openpyxl's write-only mode to a temporary file and sent from there, so memory stays
flat however long the list. Text cells that a spreadsheet would run as a formula (`=`, `+`, `-`,
`@`, tab, carriage return at the start) get a leading `'`; numbers stay numbers.

A CSV is written for the spreadsheet of the person who asked for it: where their language writes
decimals with a comma (French, Polish), Excel splits a double-clicked file on semicolons and reads
"2500,50" and "01/03/2026" as a number and a date, so that is what the file holds. Elsewhere it is
the plain comma-separated file with ISO 8601 dates. A workbook needs no such variant: its numbers
and dates are typed cells, and Excel shows them the reader's way.
"""

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils import formats, timezone, translation
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows are gathered into chunks of about this size: one write per row would cost a system call
# each, one write for the whole file would hold it all in memory.
_CSV_CHUNK_CHARS = 16 * 1024
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_TITLE_MAX = 31

# Workbook cell formats. Amounts: two decimals with grouping, no currency (a column says which).
# Dates and moments: Excel's built-in formats 14 and 22, which it shows in the reader's regional
# short date (01/03/2026 in France, 01.03.2026 in Poland, 3/1/2026 in the United States).
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "mm-dd-yy"
DATETIME_FORMAT = "m/d/yy h:mm"
# Column widths, in characters, come from the header and the first rows: the sheet's layout is
# written before its rows, and the rows are not all read before the file starts.
_WIDTH_SAMPLE_ROWS = 200
_WIDTH_MIN, _WIDTH_MAX = 8, 50
_DATE_WIDTH, _DATETIME_WIDTH = 10, 16


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV writes its cells: ISO 8601 when a format is None."""

    delimiter: str = ","
    decimal_separator: str = "."
    date_format: str | None = None
    datetime_format: str | None = None


CSV_PLAIN = CsvFormat()


def csv_format_for(language: str | None) -> CsvFormat:
    """The CSV a spreadsheet opens in columns for someone reading `language`: semicolons,
    decimal comma and the language's own dates where it writes decimals with a comma."""
    if not language or formats.get_format("DECIMAL_SEPARATOR", language) != ",":
        return CSV_PLAIN
    return CsvFormat(
        delimiter=";",
        decimal_separator=",",
        # The first input format is the one the language writes and Excel reads back.
        date_format=formats.get_format("DATE_INPUT_FORMATS", language)[0],
        datetime_format=formats.get_format("DATETIME_INPUT_FORMATS", language)[0],
    )


def _text_safe(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_safe(value, csv_format: CsvFormat = CSV_PLAIN) -> str:
    """`value` as a CSV cell: numbers as numbers, dates as `csv_format` writes them (ISO 8601 by
    default), None empty, and text that a spreadsheet would run as a formula prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        # A bool is an int to Python; exporters should pass the words they want shown.
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", csv_format.decimal_separator)  # never "1E+2"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(value).replace(".", csv_format.decimal_separator)
    if isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        if csv_format.datetime_format:
            return moment.strftime(csv_format.datetime_format)
        return moment.isoformat()
    if isinstance(value, date):
        return value.strftime(csv_format.date_format) if csv_format.date_format else value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return _text_safe(str(value))


def _download_name(filename: str, extension: str) -> str:
    """A file name that cannot name a path or carry control characters, with its extension.

    Django writes the header from it (`content_disposition_header`, RFC 6266: `filename*` when
    the name is not ASCII)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = name.replace('"', "").replace(";", "").strip(" .")
    if not name.lower().endswith(f".{extension}"):
        name = f"{name}.{extension}" if name else f"export.{extension}"
    return name


def _csv_chunks(header: Sequence, rows: Iterable[Sequence], csv_format: CsvFormat) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_format.delimiter)
    # The byte order mark tells Excel the file is UTF-8, so accents read right.
    buffer.write("\ufeff")
    writer.writerow([csv_safe(cell, csv_format) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell, csv_format) for cell in row])
        if buffer.tell() >= _CSV_CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def export_csv_response(
    *, filename: str, header: list[str], rows: Iterable[Sequence], language: str | None = None
) -> StreamingHttpResponse:
    """A streamed CSV download of `header` and `rows`, read from `rows` as the client reads,
    written for a reader of `language` (by default the active language: the request's)."""
    csv_format = csv_format_for(language or translation.get_language())
    response = StreamingHttpResponse(_csv_chunks(header, rows, csv_format), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _download_name(filename, "csv"))
    return response


def _xlsx_value(value):
    if isinstance(value, str):
        # Control characters are not allowed in the file format; openpyxl refuses them.
        return _text_safe(ILLEGAL_CHARACTERS_RE.sub("", value))
    if value is None or isinstance(value, bool | int | float | Decimal | date | time):
        if isinstance(value, datetime | time) and value.tzinfo is not None:
            # The file format has no time zones: the sheet shows the time of the current zone.
            if isinstance(value, datetime):
                return timezone.make_naive(value)
            return value.replace(tzinfo=None)
        return value
    return _xlsx_value(str(value))


def _xlsx_format(value) -> str | None:
    if isinstance(value, Decimal):
        return AMOUNT_FORMAT
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    return None


def _xlsx_width(value) -> int:
    # Characters the cell shows, as its format writes it.
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, datetime):
        return _DATETIME_WIDTH
    if isinstance(value, date):
        return _DATE_WIDTH
    return max(len(line) for line in str(value).splitlines() or [""])


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).strip()[:_SHEET_TITLE_MAX] or "Sheet"


def export_xlsx_response(
    *, filename: str, header: list[str], rows: Iterable[Sequence], sheet_title: str
) -> FileResponse:
    """An Excel download of `header` and `rows` on one sheet, written to a temporary file first.

    Amounts (`Decimal`) carry a two-decimal number format, dates and moments a date format; the
    header row stays in view when scrolling and each column is as wide as its header and first
    rows need (within bounds). The file is deleted once the response is closed.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    rows = iter(rows)
    sample = [[_xlsx_value(value) for value in row] for row in islice(rows, _WIDTH_SAMPLE_ROWS)]
    header_values = [_xlsx_value(label) for label in header]

    # Written before the first row, as write-only mode requires.
    sheet.freeze_panes = "A2"
    widths: dict[int, int] = {}
    for row in [header_values, *sample]:
        for index, value in enumerate(row, 1):
            widths[index] = max(widths.get(index, 0), _xlsx_width(value))
    for index, width in widths.items():
        bounded = min(max(width + 2, _WIDTH_MIN), _WIDTH_MAX)
        sheet.column_dimensions[get_column_letter(index)].width = bounded

    bold = Font(bold=True)
    header_cells = []
    for label in header_values:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    values = chain(sample, ([_xlsx_value(value) for value in row] for row in rows))
    for row in values:
        sheet.append([_xlsx_cell(sheet, value) for value in row])

    output = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        workbook.save(output)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return FileResponse(
        output,
        as_attachment=True,
        filename=_download_name(filename, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


def _xlsx_cell(sheet, value):
    number_format = _xlsx_format(value)
    if number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell
