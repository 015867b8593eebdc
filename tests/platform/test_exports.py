"""CSV and Excel exports: safe cells, numbers kept, accents kept, streamed, downloaded."""

import csv
import io
import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import load_workbook

from portal.exports import (
    AMOUNT_FORMAT,
    CSV_PLAIN,
    DATE_FORMAT,
    DATETIME_FORMAT,
    csv_format_for,
    csv_safe,
    export_csv_response,
    export_xlsx_response,
)

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


# The CSV a French or Polish accountant double-clicks: columns, decimal comma, local dates ---------


def local_csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8")), delimiter=";"))


def test_a_french_reader_gets_semicolons_decimal_commas_and_french_dates():
    with timezone.override("Europe/Paris"):
        rows = local_csv_rows(export_csv_response(filename="p", header=HEADER, rows=ROWS, language="fr"))

    assert rows[0] == HEADER
    assert rows[1] == ["RES-001", "Zoé Łukasiewicz", "2500,50", "01/03/2026"]
    assert rows[2] == ['\'=HYPERLINK("http://evil.example","x")', "'+33 6 12", "-12", ""]
    assert rows[3] == ["'@SUM(A1)", "'-2+3", "3,5", "02/07/2026 00:30:00"]
    assert rows[4] == ["'\tcmd", "'\rcmd", "0", "ok"]


def test_a_polish_reader_gets_semicolons_decimal_commas_and_polish_dates():
    with timezone.override("Europe/Warsaw"):
        rows = local_csv_rows(export_csv_response(filename="p", header=HEADER, rows=ROWS, language="pl"))

    assert rows[1] == ["RES-001", "Zoé Łukasiewicz", "2500,50", "01.03.2026"]
    assert rows[3][2:] == ["3,5", "02.07.2026 00:30:00"]


def test_the_active_language_chooses_the_csv_when_none_is_given():
    with translation.override("pl"):
        response = export_csv_response(filename="p", header=["Kwota"], rows=[[Decimal("1.50")]])
    assert b"".join(response.streaming_content) == "\ufeffKwota\r\n1,50\r\n".encode()
    with translation.override("en"):
        response = export_csv_response(filename="p", header=["Amount"], rows=[[Decimal("1.50")]])
    assert b"".join(response.streaming_content) == "\ufeffAmount\r\n1.50\r\n".encode()


def test_english_keeps_the_plain_comma_separated_file():
    assert csv_format_for("en") == CSV_PLAIN
    assert csv_format_for(None) == CSV_PLAIN
    assert csv_format_for("fr").delimiter == ";"


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("12887.50"), "12887,50"),
        (Decimal("0.10"), "0,10"),
        (Decimal("-0.01"), "-0,01"),
        (Decimal("123456789012345.67"), "123456789012345,67"),
        (Decimal("1E+2"), "100"),
    ],
)
def test_amounts_keep_every_digit_with_a_decimal_comma(amount, written):
    assert csv_safe(amount, csv_format_for("fr")) == written


def test_a_cell_holding_the_separator_stays_one_cell():
    response = export_csv_response(
        filename="p",
        header=["Acquéreur", "Note"],
        rows=[["Dupont; Marie", 'dit "oui", puis non']],
        language="fr",
    )

    assert local_csv_rows(response)[1] == ["Dupont; Marie", 'dit "oui", puis non']


# The workbook: typed cells with formats, a frozen header, columns as wide as they need -----------


def workbook_sheet(rows, header=HEADER):
    response = export_xlsx_response(filename="p", header=header, rows=rows, sheet_title="Paiements")
    body = b"".join(response.streaming_content)
    response.file_to_stream.close()
    return load_workbook(io.BytesIO(body)).active


def test_the_workbook_formats_amounts_with_two_decimals_and_dates_as_dates():
    sheet = workbook_sheet(
        [
            ["RES-001", "Zoé", Decimal("2500.5"), date(2026, 3, 1)],
            ["RES-002", "Jan", Decimal("12887.50"), datetime(2026, 7, 1, 9, 5)],
        ]
    )

    assert sheet["C2"].value == 2500.5 and sheet["C2"].number_format == AMOUNT_FORMAT == "#,##0.00"
    assert sheet["C3"].value == 12887.5 and sheet["C3"].number_format == AMOUNT_FORMAT
    assert sheet["D2"].is_date and sheet["D2"].number_format == DATE_FORMAT
    assert sheet["D2"].value == datetime(2026, 3, 1)
    assert sheet["D3"].is_date and sheet["D3"].number_format == DATETIME_FORMAT
    assert sheet["D3"].value == datetime(2026, 7, 1, 9, 5)
    # Text and counts keep the general format.
    assert sheet["A2"].number_format == "General"
    assert sheet["A1"].font.b


def test_the_workbook_dates_use_the_regional_formats_excel_builds_in():
    # Built-in formats 14 and 22: Excel shows them in the reader's short date (dd/mm/yyyy in
    # France, dd.mm.yyyy in Poland) rather than one fixed order for everybody.
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    assert BUILTIN_FORMATS[14] == DATE_FORMAT
    assert BUILTIN_FORMATS[22] == DATETIME_FORMAT


def test_the_workbook_header_stays_in_view_and_columns_fit_their_content():
    sheet = workbook_sheet(
        [
            ["RES-001", "Zoé Łukasiewicz-Wiśniewska de la Fontaine", Decimal("1234567.89"), date(2026, 3, 1)],
            ["RES-002", "x" * 200, Decimal("1"), None],
        ],
        header=["#", "Acquéreur", "Montant", "Payé le"],
    )
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}

    assert sheet.freeze_panes == "A2"
    assert widths["A"] == 9  # "RES-001" and a margin
    assert widths["B"] == 50  # the longest text, capped
    assert widths["C"] == len("1,234,567.89") + 2
    assert widths["D"] == 12  # a date, and a margin
    assert all(8 <= width <= 50 for width in widths.values())


def test_the_workbook_widths_come_from_the_first_rows_and_every_row_is_written():
    rows = ([number, "short"] for number in range(1_000))

    sheet = workbook_sheet(rows, header=["#", "Name"])

    assert sheet.max_row == 1_001
    assert sheet["A1001"].value == 999
    assert sheet.column_dimensions["B"].width == 8
