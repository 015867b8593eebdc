"""The accounting export (EXP-2): payments, refunds and calls of a period and programme, with the
columns an accountant posts from, as CSV or Excel; accountants and administrators only."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from payments.models import Payment
from payments.services.requests import payment_request_create
from portal.users.roles import Role
from schedules.models import Allocation, CallForFunds, LedgerEntry, Tranche
from tests.conftest import make_user
from tests.sales_admin.helpers import programme_with_staff, sale_make, staff_of
from tests.schedules.factories import schedule_make

pytestmark = pytest.mark.django_db

HEADER = [
    "Date",
    "Programme",
    "Legal entity",
    "Sale",
    "Buyer",
    "Kind",
    "Reference",
    "Amount",
    "Currency",
    "Tranche",
    "Ledger entry",
]
URL = "/admin/schedules/accounting-export/"


def entry_make(sale, kind, amount, on, *, tranches=(), reference="") -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        sale=sale,
        programme=sale.programme,
        kind=kind,
        amount=Decimal(amount),
        currency="EUR",
        booked_on=on,
        reference=reference,
        source_key=f"test:{LedgerEntry.objects.count()}:{reference}",
    )
    for tranche, part in tranches:
        Allocation.objects.create(entry=entry, tranche=tranche, amount=Decimal(part))
    return entry


def call_make(tranche, on) -> CallForFunds:
    sale = tranche.sale
    payment = payment_request_create(
        actor=None,
        sale=sale,
        amount=tranche.amount,
        reference=f"C{tranche.pk}",
        kind=Payment.Kind.CALL,
        notify=False,
    )
    Tranche.objects.filter(pk=tranche.pk).update(state=Tranche.State.CALLED, called_on=on, due_on=on)
    return CallForFunds.objects.create(
        tranche=tranche,
        sale=sale,
        programme=sale.programme,
        buyer=payment.buyer,
        payment=payment,
        number=f"AF-{tranche.pk:05d}",
        amount=tranche.amount,
        currency="EUR",
        percent=tranche.percent,
        cumulated_percent=tranche.percent,
        notified_on=on,
        due_on=on,
    )


@pytest.fixture
def world():
    a, anne = programme_with_staff("aaa", "anne@example.test")
    b, bob = programme_with_staff("bbb", "bob@example.test")
    ada = staff_of(a, "ada@example.test", role=Role.ACCOUNTANT)
    sale_a = sale_make(a, anne)
    sale_b = sale_make(b, bob)
    deed, foundations, *_rest = schedule_make(sale_a)
    call = call_make(deed, date(2026, 3, 2))
    split = entry_make(
        sale_a,
        LedgerEntry.Kind.TRANSFER,
        "50000.00",
        date(2026, 3, 10),
        tranches=[(deed, str(deed.amount)), (foundations, str(Decimal("50000.00") - deed.amount))],
        reference="VIR-1",
    )
    refund = entry_make(sale_a, LedgerEntry.Kind.REFUND, "-100.00", date(2026, 3, 20), reference="RB-1")
    entry_make(sale_a, LedgerEntry.Kind.CARD, "10.00", date(2026, 4, 1), reference="LATER")  # out of period
    entry_make(sale_b, LedgerEntry.Kind.CARD, "20.00", date(2026, 3, 15), reference="OTHER")  # programme B
    return {
        "a": a,
        "b": b,
        "ada": ada,
        "anne": anne,
        "sale_a": sale_a,
        "call": call,
        "split": split,
        "refund": refund,
    }


def params(programme=None, file_format="csv", start="2026-03-01", end="2026-03-31"):
    return {
        "date_from": start,
        "date_to": end,
        "programme": programme.pk if programme else "",
        "file_format": file_format,
    }


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Disposition"].startswith(
        'attachment; filename="accounting-2026-03-01-2026-03-31.csv"'
    )
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_csv_has_the_accountants_columns_one_row_per_movement_and_call(client, world):
    client.force_login(world["ada"])
    rows = csv_rows(client.get(URL, params(world["a"])))

    sale, call, split, refund = world["sale_a"], world["call"], world["split"], world["refund"]
    buyer = str(sale.sale_buyers.get().buyer)
    deed, foundations = Tranche.objects.filter(sale=sale).order_by("position")[:2]
    assert rows == [
        HEADER,
        ["2026-03-02", "Programme AAA", "SCCV Programme AAA", sale.reference, buyer, "Call for funds",
         call.number, str(call.amount), "EUR", deed.label, ""],
        ["2026-03-10", "Programme AAA", "SCCV Programme AAA", sale.reference, buyer, "Bank transfer",
         "VIR-1", "50000.00", "EUR", f"{deed.label}, {foundations.label}", str(split.pk)],
        ["2026-03-20", "Programme AAA", "SCCV Programme AAA", sale.reference, buyer, "Refund",
         "RB-1", "-100.00", "EUR", "", str(refund.pk)],
    ]  # fmt: skip


def test_all_my_programmes_means_only_the_ones_i_am_assigned_to(client, world):
    client.force_login(world["ada"])
    references = [row[6] for row in csv_rows(client.get(URL, params()))[1:]]
    assert "OTHER" not in references and "VIR-1" in references


def test_an_administrator_exports_every_programme_or_one(client, world):
    chief = make_user("chief@example.test", role=Role.ADMINISTRATOR)
    client.force_login(chief)

    assert "OTHER" in [row[6] for row in csv_rows(client.get(URL, params()))[1:]]
    assert [row[6] for row in csv_rows(client.get(URL, params(world["b"])))[1:]] == ["OTHER"]


def test_another_programme_cannot_be_asked_for(client, world):
    client.force_login(world["ada"])
    response = client.get(URL, params(world["b"]))
    assert response.status_code == 200  # the form again, with its error
    assert "programme" in response.context["form"].errors


def test_the_period_includes_both_its_days(client, world):
    client.force_login(world["ada"])
    rows = csv_rows_any(client.get(URL, params(world["a"], start="2026-03-10", end="2026-03-20")))
    assert [row[6] for row in rows[1:]] == ["VIR-1", "RB-1"]


def csv_rows_any(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_french_reader_gets_semicolons_and_decimal_commas(client, world):
    world["ada"].language = "fr"
    world["ada"].save(update_fields=["language"])
    client.force_login(world["ada"])
    text = b"".join(client.get(URL, params(world["a"])).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows[0]) == len(HEADER)
    assert rows[-1][7] == "-100,00" and rows[-1][0] == "20/03/2026"


def test_the_workbook_holds_typed_amounts_and_dates(client, world):
    client.force_login(world["ada"])
    response = client.get(URL, params(world["a"], file_format="xlsx"))
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))

    assert list(rows[0]) == HEADER
    assert rows[2][6] == "VIR-1"
    assert rows[2][7] == 50000
    assert rows[2][0].date() == date(2026, 3, 10)
    assert rows[3][10] == world["refund"].pk


def test_the_export_reads_the_same_queries_on_ten_times_more_rows(client, world):
    client.force_login(world["ada"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get(URL, params(world["a"])).streaming_content)
        return len(queries)

    count()  # the first request fills the caches (session, company settings)
    small = count()
    for n in range(30):
        entry_make(world["sale_a"], LedgerEntry.Kind.CARD, "1.00", date(2026, 3, 25), reference=f"N{n}")
    assert count() == small


@pytest.mark.parametrize("role", [Role.SALES, Role.CUSTOMER_SERVICE])
def test_other_staff_may_not_export(client, world, role):
    client.force_login(staff_of(world["a"], f"{role.value.replace(' ', '')}@example.test", role=role))
    assert client.get(URL).status_code == 403
    assert client.get(URL, params(world["a"])).status_code == 403


def test_a_buyer_is_sent_to_the_login_page(client, world):
    buyer = make_user("buyer@example.test", role=Role.BUYER)
    client.force_login(buyer)
    assert client.get(URL).status_code == 302


def test_the_form_page_opens_for_an_accountant_with_last_month_proposed(client, world):
    client.force_login(world["ada"])
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("admin:schedules_accounting_export") == URL
    assert response.context["form"].initial["date_from"].day == 1


def test_a_period_ending_before_it_starts_is_refused(client, world):
    client.force_login(world["ada"])
    response = client.get(URL, params(world["a"], start="2026-03-31", end="2026-03-01"))
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors


def test_accountants_find_the_export_on_the_back_office_home_page(client, world):
    client.force_login(world["ada"])
    assert f'href="{URL}"' in client.get("/admin/").content.decode()


def test_sales_staff_are_not_shown_the_export(client, world):
    client.force_login(world["anne"])
    assert URL not in client.get("/admin/").content.decode()
