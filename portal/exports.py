"""CSV and Excel exports (EXP-1): an exporter only yields rows; these functions write them.

Both formats stream: the CSV is written row by row as the client reads it, the workbook is
written in openpyxl's write-only mode to a temporary file and sent from there, so memory stays
flat however long the list. Text cells that a spreadsheet would run as a formula (`=`, `+`, `-`,
`@`, tab, carriage return at the start) get a leading `'`; numbers stay numbers.
"""

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows are gathered into chunks of about this size: one write per row would cost a system call
# each, one write for the whole file would hold it all in memory.
_CSV_CHUNK_CHARS = 16 * 1024
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_TITLE_MAX = 31


def _text_safe(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_safe(value) -> str:
    """`value` as a CSV cell: numbers as numbers, dates in ISO 8601, None empty, and text that
    a spreadsheet would run as a formula prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        # A bool is an int to Python; exporters should pass the words they want shown.
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")  # never "1E+2"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date | time):
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


def _csv_chunks(header: Sequence, rows: Iterable[Sequence]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte order mark tells Excel the file is UTF-8, so accents read right.
    buffer.write("\ufeff")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
        if buffer.tell() >= _CSV_CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def export_csv_response(
    *, filename: str, header: list[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A streamed CSV download of `header` and `rows`, read from `rows` as the client reads."""
    response = StreamingHttpResponse(_csv_chunks(header, rows), content_type=CSV_CONTENT_TYPE)
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


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).strip()[:_SHEET_TITLE_MAX] or "Sheet"


def export_xlsx_response(
    *, filename: str, header: list[str], rows: Iterable[Sequence], sheet_title: str
) -> FileResponse:
    """An Excel download of `header` and `rows` on one sheet, written to a temporary file first.

    The file is deleted once the response is closed.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(label))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])

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
