"""The bank statement pages of the back-office: accountants and administrators only."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payments.models import Status
from portal.users.roles import Role
from sales.services import sale_create
from schedules.models import BankStatement, StatementLine
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make, request_make
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries, staff_of
from tests.schedules.statement_files import camt_entry, camt_file, statement_import_done

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "schedules" / "samples"
IMPORT, LINES, LIST = (
    "/admin/schedules/bankstatement/import/",
    "/admin/schedules/bankstatement/lines/",
    "/admin/schedules/bankstatement/",
)


@pytest.fixture
def programme():
    return ProgrammeFactory(code="lyon")


@pytest.fixture
def ada(programme):
    return staff_of(programme, "ada@example.test", role=Role.ACCOUNTANT)


@pytest.fixture
def sam(programme):
    return staff_of(programme, "sam@example.test")


def _request(programme, advisor, last_name, amount="1000.00"):
    sale = sale_create(
        actor=advisor,
        programme=programme,
        lots=lots_make(programme, 1),
        buyers=[BuyerFactory(first_name="Jean", last_name=last_name)],
        advisor=advisor,
    )
    return request_make(sale, actor=advisor, amount=amount, reference=f"R-{last_name}")


def test_an_accountant_imports_the_sample_and_reads_the_counts(
    client, ada, django_capture_on_commit_callbacks
):
    client.force_login(ada)
    assert client.get(IMPORT).status_code == 200

    upload = SimpleUploadedFile("statement.camt053.xml", (SAMPLES / "statement.camt053.xml").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):  # the matching, run at once (eager Celery)
        response = client.post(
            IMPORT, {"file": upload, "format": "camt053", "delimiter": ";", "currency": "EUR"}
        )

    # The page answers once the file is stored; its progress is then polled until matched.
    assert response.status_code == 200
    page = response.content.decode()
    statement = BankStatement.objects.get()
    assert "Statement imported" in page
    assert f'hx-get="{LIST}{statement.pk}/progress/"' in page
    assert "0 of 4 new transfers looked at" in page
    table = client.get(f"{LIST}{statement.pk}/progress/").content.decode()
    assert "hx-get" not in table  # done: no more polling
    assert '<th scope="row">New</th><td>4</td>' in table
    assert '<th scope="row">To match by hand</th><td>4</td>' in table  # no demo call in this test
    assert statement.imported_by == ada


def test_a_bad_csv_is_refused_with_each_line_and_reason_and_nothing_is_recorded(client, ada):
    client.force_login(ada)
    upload = SimpleUploadedFile("bank.csv", b"Date;Amount\n04/12/2026;10,00\n04/13/2026;5,00\n")
    response = client.post(
        IMPORT,
        {
            "file": upload,
            "format": "csv",
            "column_date": "Date",
            "column_amount": "Amount",
            "delimiter": ";",
            "decimal_comma": "on",
            "currency": "EUR",
        },
    )

    assert response.status_code == 200
    assert "Line 3: the date “04/13/2026” is not a date" in response.content.decode()
    assert not StatementLine.objects.exists()


def test_the_lines_to_match_show_suggestions_whose_button_records_the_transfer(client, programme, ada, sam):
    payment = _request(programme, sam, "Durand", amount="2500.00")
    entry = camt_entry(8, "B1", [{"amount": "2500.00", "name": "SCI LES PINS"}])
    statement_import_done(file_name="s.xml", content=camt_file(8, [entry]), format="camt053", actor=ada)
    line = StatementLine.objects.get()
    client.force_login(ada)

    page = client.get(LINES).content.decode()
    assert "SCI LES PINS" in page and payment.creditor_reference in page

    response = client.post(f"{LINES}{line.pk}/match/", {"payment": payment.pk})

    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Status.PAID
    assert f'id="line-{line.pk}"' not in client.get(LINES).content.decode()


def test_a_line_is_matched_by_a_typed_reference_or_set_aside(client, programme, ada, sam):
    payment = _request(programme, sam, "Durand", amount="2500.00")
    entries = [camt_entry(8, "B2", [{"amount": "2500.00"}]), camt_entry(8, "B3", [{"amount": "1.00"}])]
    statement_import_done(file_name="s.xml", content=camt_file(8, entries), format="camt053", actor=ada)
    first, second = StatementLine.objects.order_by("bank_reference")
    client.force_login(ada)

    grouped = " ".join(payment.creditor_reference[i : i + 4] for i in range(0, 24, 4)).strip().lower()
    client.post(f"{LINES}{first.pk}/match/", {"reference": grouped})
    client.post(f"{LINES}{second.pk}/ignore/")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.payment) == (StatementLine.State.MATCHED, payment)
    assert second.state == StatementLine.State.IGNORED


@pytest.mark.parametrize("role", [Role.SALES, Role.CUSTOMER_SERVICE])
def test_other_staff_are_refused_and_do_not_see_the_menu_entry(client, programme, role):
    user = staff_of(programme, "other@example.test", role=role)
    client.force_login(user)

    for address in (LIST, IMPORT, LINES):
        assert client.get(address).status_code == 403, address
    assert client.post(IMPORT, {}).status_code == 403
    assert "/admin/schedules/bankstatement/" not in client.get("/admin/").content.decode()


def test_the_menu_entry_is_shown_to_accountants(client, ada):
    client.force_login(ada)
    assert "/admin/schedules/bankstatement/" in client.get("/admin/").content.decode()


def test_a_buyer_is_sent_to_log_in(client):
    buyer = make_user("buyer@example.test", role=Role.BUYER)
    client.force_login(buyer)
    for address in (LIST, IMPORT, LINES):
        assert client.get(address).status_code == 302


def _grow(programme, ada, sam, size: int) -> None:
    """`size` open requests and `size` unmatched transfers of the same amounts."""
    entries = []
    for index in range(size):
        _request(programme, sam, f"Grow{index}", amount=f"{100 + index}.00")
        entries.append(
            camt_entry(8, f"G{size}-{index}", [{"amount": f"{100 + index}.00", "name": f"Payer {index}"}])
        )
    statement_import_done(
        file_name=f"g{size}.xml", content=camt_file(8, entries), format="camt053", actor=ada
    )


@pytest.mark.parametrize("address", [LINES, LIST, IMPORT])
def test_the_pages_cost_the_same_queries_with_ten_times_more_data(client, programme, ada, sam, address):
    client.force_login(ada)
    _grow(programme, ada, sam, 2)
    small = count_get_queries(client, address)
    _grow(programme, ada, sam, 20)
    assert count_get_queries(client, address) == small <= ADMIN_QUERY_BUDGET


def test_an_accountant_of_another_programme_sees_neither_the_statement_nor_its_lines(client, programme, ada):
    other = ProgrammeFactory(code="waw", escrow_iban="PL61109010140000071219812874", currency="PLN")
    olga = staff_of(other, "olga@example.test", role=Role.ACCOUNTANT)
    entry = camt_entry(8, "S1", [{"amount": "10.00", "name": "Someone"}])
    result = statement_import_done(
        file_name="s.xml", content=camt_file(8, [entry]), format="camt053", actor=ada
    )
    line = StatementLine.objects.get()
    client.force_login(olga)

    assert f'id="line-{line.pk}"' not in client.get(LINES).content.decode()
    assert client.get(f"{LIST}{result.statement.pk}/change/").status_code == 404
    assert client.post(f"{LINES}{line.pk}/ignore/").status_code == 404
    line.refresh_from_db()
    assert line.state == StatementLine.State.UNMATCHED


def test_a_typed_reference_of_another_programme_is_not_found(client, programme, ada, sam):
    other = ProgrammeFactory(code="waw")
    bob = staff_of(other, "bob@example.test")
    foreign = _request(other, bob, "Nowak")
    entry = camt_entry(8, "S2", [{"amount": "1000.00"}])
    statement_import_done(file_name="s.xml", content=camt_file(8, [entry]), format="camt053", actor=ada)
    client.force_login(ada)

    response = client.post(
        f"{LINES}{StatementLine.objects.get().pk}/match/",
        {"reference": foreign.creditor_reference},
        follow=True,
    )

    assert "No payment of your programmes has this reference." in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.amount_paid == 0


def test_a_statements_page_lists_its_transfers_in_the_same_queries_whatever_their_number(
    client, programme, ada, sam
):
    client.force_login(ada)
    _grow(programme, ada, sam, 2)
    small = count_get_queries(client, f"{LIST}{BankStatement.objects.latest('pk').pk}/change/")
    _grow(programme, ada, sam, 20)
    address = f"{LIST}{BankStatement.objects.latest('pk').pk}/change/"
    assert count_get_queries(client, address) == small <= ADMIN_QUERY_BUDGET
    assert "Payer 19" in client.get(address).content.decode()
