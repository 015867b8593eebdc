"""CSV and Excel exports of the payment lists: the filtered list, every page of it, safe cells."""

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from portal.branding.models import CompanySettings
from tests.factories import request_make
from tests.payments_admin.helpers import paid_by_transfer, url

pytestmark = pytest.mark.django_db

HEADER = [
    "Reference",
    "Transfer reference",
    "Sale",
    "Programme",
    "Buyer",
    "Email",
    "Kind",
    "Method",
    "Status",
    "Amount",
    "Paid",
    "Refunded",
    "Currency",
    "Requested at",
    "Paid at",
    "Reconciled at",
]


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Disposition"].startswith('attachment; filename="payments-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_csv_follows_the_filters_and_the_search(client, world):
    paid = request_make(world.sale_a, actor=world.anne, reference="INV-A2", amount="300.00")
    paid_by_transfer(paid, world.ada)
    request_make(world.sale_a, actor=world.anne, reference="OTHER-3")
    client.force_login(world.anne)

    rows = csv_rows(client.get(url("payment_export", "csv") + "?status__exact=to_pay&q=INV"))

    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["INV-A1"]
    rows = csv_rows(client.get(url("payment_export", "csv") + "?status__exact=paid"))
    [row] = rows[1:]
    buyer = world.sale_a.buyers.get()
    assert row[:13] == [
        "INV-A2",
        paid.creditor_reference,
        world.sale_a.reference,
        "Programme AAA",
        str(buyer),
        buyer.email,
        "Payment request",
        "Bank transfer",
        "Paid",
        "300.00",
        "300.00",
        "0.00",
        "EUR",
    ]
    assert row[13] and row[14] and not row[15]


def test_the_export_takes_every_page_of_the_list(client, world):
    CompanySettings.objects.create(pk=1, name="Test", rows_per_page=10)
    for number in range(12):
        request_make(world.sale_a, actor=world.anne, reference=f"PAGE-{number:02d}")
    client.force_login(world.anne)

    rows = csv_rows(client.get(url("payment_export", "csv") + "?q=PAGE&p=2"))

    assert sorted(row[0] for row in rows[1:]) == [f"PAGE-{number:02d}" for number in range(12)]


def test_the_csv_neutralises_formulas(client, world):
    request_make(world.sale_a, actor=world.anne, reference='=HYPERLINK("http://evil.example")')
    client.force_login(world.anne)

    rows = csv_rows(client.get(url("payment_export", "csv") + "?q=HYPERLINK"))

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'


def test_the_workbook_opens_with_the_list(client, world):
    request_make(world.sale_a, actor=world.anne, reference="@SUM(A1)")
    client.force_login(world.anne)

    response = client.get(url("payment_export", "xlsx"))
    body = b"".join(response.streaming_content)
    response.close()
    sheet = load_workbook(io.BytesIO(body)).active

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert sorted(row[0] for row in rows[1:]) == ["'@SUM(A1)", "INV-A1"]
    assert rows[1][9] == 1000


def test_my_payments_exports_my_payments(client, world):
    from tests.sales_admin.helpers import sale_make, staff_of

    colleague = staff_of(world.a, "carl@example.test")
    request_make(sale_make(world.a, colleague), actor=colleague, reference="INV-CARL")
    client.force_login(world.anne)

    rows = csv_rows(client.get(url("mypayment_export", "csv")))

    assert [row[0] for row in rows[1:]] == ["INV-A1"]


def test_the_list_links_to_the_exports_with_its_filters(client, world):
    client.force_login(world.anne)

    page = client.get(url("payment_changelist") + "?status__exact=paid").text

    assert f"{url('payment_export', 'csv')}?status__exact=paid" in page
    assert f"{url('payment_export', 'xlsx')}?status__exact=paid" in page


def test_an_unknown_format_answers_404(client, world):
    client.force_login(world.anne)

    assert client.get(url("payment_export", "pdf")).status_code == 404


def test_a_french_accountant_gets_a_csv_excel_opens_in_columns(client, world):
    paid = request_make(world.sale_a, actor=world.anne, reference="INV-FR", amount="12887.50")
    paid_by_transfer(paid, world.ada)
    world.anne.language = "fr"
    world.anne.save(update_fields=["language"])
    client.force_login(world.anne)

    response = client.get(url("payment_export", "csv") + "?q=INV-FR")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8")), delimiter=";"))

    assert rows[0][:2] == ["Référence", "Référence de virement"]  # headed in French
    [row] = rows[1:]
    assert len(row) == len(HEADER)
    assert row[0] == "INV-FR"
    assert row[9:12] == ["12887,50", "12887,50", "0,00"]
    # Moments as French Excel reads them: day/month/year, in the programme's time zone.
    requested = datetime.strptime(row[13], "%d/%m/%Y %H:%M:%S")
    paid_at = datetime.strptime(row[14], "%d/%m/%Y %H:%M:%S")
    assert requested <= paid_at
    assert row[15] == ""


def test_an_english_reader_keeps_the_comma_separated_csv(client, world):
    client.force_login(world.anne)

    body = b"".join(client.get(url("payment_export", "csv")).streaming_content)

    assert body.startswith("\ufeffReference,Transfer reference,".encode())


def test_the_workbook_has_amount_and_date_formats_a_frozen_header_and_widths(client, world):
    paid = request_make(world.sale_a, actor=world.anne, reference="INV-XL", amount="12887.50")
    paid_by_transfer(paid, world.ada)
    email = world.sale_a.buyers.get().email
    client.force_login(world.anne)

    response = client.get(url("payment_export", "xlsx") + "?q=INV-XL")
    body = b"".join(response.streaming_content)
    response.close()
    sheet = load_workbook(io.BytesIO(body)).active

    assert sheet.freeze_panes == "A2"
    amount, paid_cell, refunded = sheet["J2"], sheet["K2"], sheet["L2"]
    assert (amount.value, paid_cell.value, refunded.value) == (12887.5, 12887.5, 0)
    assert {cell.number_format for cell in (amount, paid_cell, refunded)} == {"#,##0.00"}
    assert sheet["N2"].is_date and sheet["O2"].is_date
    assert isinstance(sheet["N2"].value, datetime)
    assert sheet["P2"].value is None
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOP"]
    assert all(8 <= width <= 50 for width in widths)
    assert sheet.column_dimensions["F"].width >= len(email)
