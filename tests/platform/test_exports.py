"""CSV and Excel exports: safe cells, numbers kept, accents kept, streamed, downloaded."""

import csv
import io
import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import load_workbook

from portal.exports import csv_safe, export_csv_response, export_xlsx_response

HEADER = ["Référence", "Acquéreur", "Montant", "Payé le"]
ROWS = [
    ["RES-001", "Zoé Łukasiewicz", Decimal("2500.50"), date(2026, 3, 1)],
    ['=HYPERLINK("http://evil.example","x")', "+33 6 12", -12, None],
    ["@SUM(A1)", "-2+3", 3.5, datetime(2026, 7, 1, 22, 30, tzinfo=UTC)],
    ["\tcmd", "\rcmd", 0, "ok"],
]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs for UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    body = b"".join(response.streaming_content)
    # The file, not the response: response.close() also signals the end of a request, which
    # touches the database these tests do not use.
    response.file_to_stream.close()
    sheet = load_workbook(io.BytesIO(body)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (-12, "-12"),
        (Decimal("-2500.50"), "-2500.50"),
        (Decimal("1E+2"), "100"),
        (1.5, "1.5"),
        (date(2026, 3, 1), "2026-03-01"),
        (datetime(2026, 3, 1, 9, 5), "2026-03-01T09:05:00"),
    ],
)
def test_csv_safe_neutralises_formulas_and_keeps_numbers_and_dates(value, expected):
    assert csv_safe(value) == expected


def test_an_aware_datetime_is_written_in_the_current_time_zone():
    with timezone.override("Europe/Warsaw"):
        assert csv_safe(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == "2026-07-02T00:30:00+02:00"


def test_the_csv_is_streamed_as_an_attachment_with_the_name():
    response = export_csv_response(filename="payments-2026.csv", header=HEADER, rows=ROWS)

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="payments-2026.csv"'


def test_the_csv_neutralises_formula_cells_and_keeps_numbers_and_accents():
    rows = csv_rows(export_csv_response(filename="payments", header=HEADER, rows=ROWS))

    assert rows[0] == HEADER
    assert rows[1] == ["RES-001", "Zoé Łukasiewicz", "2500.50", "2026-03-01"]
    assert rows[2] == ['\'=HYPERLINK("http://evil.example","x")', "'+33 6 12", "-12", ""]
    assert rows[3][:3] == ["'@SUM(A1)", "'-2+3", "3.5"]
    assert rows[4] == ["'\tcmd", "'\rcmd", "0", "ok"]


def test_the_csv_reads_the_rows_only_as_the_client_reads_the_response():
    produced = 0

    def rows():
        nonlocal produced
        for number in range(10_000):
            produced += 1
            yield [number, f"Acquéreur {number}", Decimal("100.00")]

    response = export_csv_response(filename="big.csv", header=["#", "Name", "Amount"], rows=rows())
    assert produced == 0

    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbf#,Name,Amount\r\n")
    assert 0 < produced < 1_000

    body = first + b"".join(chunks)
    assert produced == 10_000
    assert body.count(b"\r\n") == 10_001


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        ("export", 'attachment; filename="export.csv"'),
        ('../../etc/pa"ss;wd\r\n.csv', 'attachment; filename="passwd.csv"'),
        (
            "Échéancier Łódź.csv",
            # Django's content_disposition_header: RFC 5987 encoding for a name that is not ASCII.
            "attachment; filename*=utf-8''%C3%89ch%C3%A9ancier%20%C5%81%C3%B3d%C5%BA.csv",
        ),
        ("", 'attachment; filename="export.csv"'),
    ],
)
def test_the_download_name_is_safe(filename, disposition):
    response = export_csv_response(filename=filename, header=["a"], rows=[])

    assert response["Content-Disposition"] == disposition


def test_the_workbook_is_an_attachment_with_the_name():
    response = export_xlsx_response(
        filename="payments.xlsx", header=HEADER, rows=ROWS, sheet_title="Payments"
    )
    try:
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response["Content-Disposition"] == 'attachment; filename="payments.xlsx"'
        assert int(response["Content-Length"]) > 0
    finally:
        response.file_to_stream.close()
    # The workbook was written to a temporary file, gone once the response closes it.
    assert not os.path.exists(response.file_to_stream.name)


def test_the_workbook_neutralises_formula_cells_and_keeps_numbers_dates_and_accents():
    with timezone.override("Europe/Warsaw"):
        response = export_xlsx_response(
            filename="payments", header=HEADER, rows=ROWS, sheet_title="Paiements: 2026/03"
        )
    rows = xlsx_rows(response)

    assert rows[0] == tuple(HEADER)
    assert rows[1] == ("RES-001", "Zoé Łukasiewicz", 2500.5, datetime(2026, 3, 1))
    assert rows[2] == ('\'=HYPERLINK("http://evil.example","x")', "'+33 6 12", -12, None)
    # Aware datetimes are written as the wall-clock time of the current zone.
    assert rows[3] == ("'@SUM(A1)", "'-2+3", 3.5, datetime(2026, 7, 2, 0, 30))
    # XML reads a carriage return back as a line feed; the quote in front is what counts.
    assert rows[4] == ("'\tcmd", "'\ncmd", 0, "ok")


def test_the_workbook_has_no_formula_and_names_its_sheet():
    response = export_xlsx_response(
        filename="p.xlsx", header=HEADER, rows=ROWS, sheet_title="Paiements: 2026/03"
    )
    body = b"".join(response.streaming_content)
    response.file_to_stream.close()
    book = load_workbook(io.BytesIO(body))
    sheet = book.active

    assert sheet.title == "Paiements  2026 03"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["C2"].data_type == "n"


def test_the_workbook_takes_a_long_generator():
    rows = ([number, f"Zoé {number}", Decimal(number) / 4] for number in range(10_000))
    result = xlsx_rows(
        export_xlsx_response(filename="big", header=["#", "Name", "Amount"], rows=rows, sheet_title="Big")
    )

    assert len(result) == 10_001
    assert result[-1] == (9_999, "Zoé 9999", 2499.75)
