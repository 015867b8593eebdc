"""OPS-4 for bank statements: the file is stored in the request, its matching runs in a worker
and the result page follows its progress until the counts are known."""

from decimal import Decimal

import pytest

from payments.models import Receipt, Status
from portal.audit.models import AuditEntry
from portal.users.roles import Role
from sales.services import sale_create
from schedules.models import BankStatement, StatementLine
from schedules.services import statements as statements_service
from schedules.services.statements import statement_import, statement_line_match, statement_match_run
from schedules.statements import StatementError
from schedules.statements.csv import CsvMapping
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make, request_make
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries, staff_of
from tests.schedules.statement_files import camt_entry, camt_file, statement_import_done

pytestmark = pytest.mark.django_db

LIST = "/admin/schedules/bankstatement/"


@pytest.fixture
def programme():
    return ProgrammeFactory(code="lyon")


@pytest.fixture
def ada(programme):
    return staff_of(programme, "ada@example.test", role=Role.ACCOUNTANT)


@pytest.fixture
def sam(programme):
    return staff_of(programme, "sam@example.test")


def _request(programme, advisor, last_name, amount):
    sale = sale_create(
        actor=advisor,
        programme=programme,
        lots=lots_make(programme, 1),
        buyers=[BuyerFactory(first_name="Jean", last_name=last_name)],
        advisor=advisor,
    )
    return request_make(sale, actor=advisor, amount=amount, reference=f"R-{last_name}")


def _paying(*payments, extra: int = 0) -> bytes:
    """A camt.053 paying each of `payments` by its reference, plus `extra` transfers of nobody."""
    entries = [
        camt_entry(8, f"P{payment.pk}", [{"amount": str(payment.amount), "ref": payment.creditor_reference}])
        for payment in payments
    ]
    entries += [camt_entry(8, f"X{index}", [{"amount": "1.00", "name": "Nobody"}]) for index in range(extra)]
    return camt_file(8, entries)


def _progress(statement) -> str:
    return f"{LIST}{statement.pk}/progress/"


# The worker's part -----------------------------------------------------------------------------


def test_the_import_stores_the_transfers_and_matches_them_in_a_worker_after_commit(
    programme, ada, sam, django_capture_on_commit_callbacks
):
    payment = _request(programme, sam, "Durand", "2500.00")
    with django_capture_on_commit_callbacks() as callbacks:
        result = statement_import(
            file_name="s.xml", content=_paying(payment, extra=1), format="camt053", actor=ada
        )

    statement = result.statement
    assert (statement.state, statement.lines_new, statement.lines_done) == (BankStatement.State.QUEUED, 2, 0)
    assert StatementLine.objects.filter(statement=statement).count() == 2
    payment.refresh_from_db()
    assert payment.amount_paid == 0  # nothing matched before the commit
    assert len(callbacks) == 1

    callbacks[0]()

    statement.refresh_from_db()
    assert (statement.state, statement.lines_done, statement.lines_matched) == (
        BankStatement.State.DONE,
        2,
        1,
    )
    assert (result.new, result.matched, result.to_match) == (2, 1, 1)
    payment.refresh_from_db()
    assert payment.status == Status.PAID
    assert AuditEntry.objects.filter(action="statement.matched", object_id=str(statement.pk)).exists()


def test_a_bad_file_is_refused_whole_and_queues_nothing(ada, django_capture_on_commit_callbacks):
    content = b"Date;Amount\n04/12/2026;10,00\n04/13/2026;5,00\n"
    mapping = CsvMapping(
        date="Date",
        amount="Amount",
        name="",
        reference="",
        text="",
        bank_reference="",
        delimiter=";",
        decimal_comma=True,
        default_currency="EUR",
    )
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(StatementError):
        statement_import(file_name="bank.csv", content=content, format="csv", mapping=mapping, actor=ada)

    assert callbacks == []
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()


def test_running_the_matching_again_records_no_transfer_twice(programme, ada, sam):
    first, second = _request(programme, sam, "Durand", "2500.00"), _request(programme, sam, "Petit", "900.00")
    statement = statement_import_done(
        file_name="s.xml", content=_paying(first, second, extra=1), format="camt053", actor=ada
    ).statement
    # A task delivered again (a worker lost after matching, before saying so).
    BankStatement.objects.filter(pk=statement.pk).update(state=BankStatement.State.RUNNING, lines_done=0)

    statement = statement_match_run(statement_id=statement.pk)

    assert (statement.state, statement.lines_done, statement.lines_matched) == (
        BankStatement.State.DONE,
        3,
        2,
    )
    for payment in (first, second):
        payment.refresh_from_db()
        assert payment.amount_paid == payment.amount  # once, not twice
        assert Receipt.objects.filter(payment=payment).count() == 1
    assert AuditEntry.objects.filter(action="statement_line.matched").count() == 2
    # Done: running it once more does nothing at all.
    assert statement_match_run(statement_id=statement.pk).lines_matched == 2


def test_a_line_matched_by_hand_before_the_worker_runs_stays_as_it_was(
    programme, ada, sam, django_capture_on_commit_callbacks
):
    first, second = _request(programme, sam, "Durand", "2500.00"), _request(programme, sam, "Petit", "900.00")
    with django_capture_on_commit_callbacks() as callbacks:
        statement = statement_import(
            file_name="s.xml", content=_paying(first, second), format="camt053", actor=ada
        ).statement
    by_hand = StatementLine.objects.get(bank_reference=f"P{first.pk}")
    matched_at = statement_line_match(line=by_hand, payment=first, actor=ada).matched_at

    callbacks[0]()

    by_hand.refresh_from_db()
    assert (by_hand.state, by_hand.payment, by_hand.matched_at) == (
        StatementLine.State.MATCHED,
        first,
        matched_at,
    )
    assert (
        AuditEntry.objects.filter(
            action="statement_line.matched", object_id=str(by_hand.pk), data__automatic=False
        ).count()
        == 1
    )
    assert not AuditEntry.objects.filter(
        action="statement_line.matched", object_id=str(by_hand.pk), data__automatic=True
    ).exists()
    first.refresh_from_db()
    assert first.amount_paid == Decimal("2500.00")
    statement.refresh_from_db()
    assert (statement.lines_done, statement.lines_matched) == (2, 2)


def test_a_failed_matching_is_shown_and_importing_the_file_again_finishes_it(
    programme, ada, sam, monkeypatch, django_capture_on_commit_callbacks
):
    first, second = _request(programme, sam, "Durand", "2500.00"), _request(programme, sam, "Petit", "900.00")
    content = _paying(first, second)
    real_match = statements_service._lines_match
    calls = []

    def broken_after_one_chunk(lines, *, actor):
        calls.append(len(lines))
        if len(calls) > 1:
            raise RuntimeError("database went away")
        return real_match(lines, actor=actor)

    monkeypatch.setattr(statements_service, "_MATCH_CHUNK", 1)
    monkeypatch.setattr(statements_service, "_lines_match", broken_after_one_chunk)
    statement = statement_import_done(
        file_name="s.xml", content=content, format="camt053", actor=ada
    ).statement

    assert (statement.state, statement.lines_done, statement.lines_matched) == (
        BankStatement.State.FAILED,
        1,
        1,
    )
    assert statement.error == "RuntimeError: database went away"
    monkeypatch.setattr(statements_service, "_lines_match", real_match)

    again = statement_import_done(file_name="s.xml", content=content, format="camt053", actor=ada)

    assert (again.new, again.already, again.statement.pk) == (0, 2, statement.pk)
    statement.refresh_from_db()
    assert (statement.state, statement.lines_done, statement.lines_matched, statement.error) == (
        BankStatement.State.DONE,
        2,
        2,
        "",
    )
    for payment in (first, second):
        payment.refresh_from_db()
        assert payment.amount_paid == payment.amount
        assert Receipt.objects.filter(payment=payment).count() == 1
    assert AuditEntry.objects.filter(action="statement.restarted", object_id=str(statement.pk)).exists()
    # Once done, the same file again only says it was imported.
    assert (
        statement_import_done(file_name="s.xml", content=content, format="camt053", actor=ada).statement
        is None
    )


# The progress fragment ---------------------------------------------------------------------------


def test_the_fragment_reports_the_lines_looked_at_the_total_and_the_state_until_done(
    client, programme, ada, sam, django_capture_on_commit_callbacks
):
    payment = _request(programme, sam, "Durand", "2500.00")
    with django_capture_on_commit_callbacks() as callbacks:
        statement = statement_import(
            file_name="s.xml", content=_paying(payment, extra=3), format="camt053", actor=ada
        ).statement
    client.force_login(ada)

    queued = client.get(_progress(statement), HTTP_HX_REQUEST="true").content.decode()
    assert '<progress max="4" value="0">' in queued
    assert "0 of 4 new transfers looked at" in queued and "<strong>Queued</strong>" in queued
    assert f'hx-get="{_progress(statement)}" hx-trigger="every 2s"' in queued

    BankStatement.objects.filter(pk=statement.pk).update(state=BankStatement.State.RUNNING, lines_done=3)
    running = client.get(_progress(statement), HTTP_HX_REQUEST="true").content.decode()
    assert "3 of 4 new transfers looked at" in running and "<strong>Running</strong>" in running
    assert 'hx-trigger="every 2s"' in running

    BankStatement.objects.filter(pk=statement.pk).update(state=BankStatement.State.FAILED, error="Boom: lost")
    failed = client.get(_progress(statement), HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>Failed</strong>" in failed and "The matching stopped: Boom: lost." in failed
    assert "hx-get" not in failed  # nothing more will come: the polling stops

    BankStatement.objects.filter(pk=statement.pk).update(state=BankStatement.State.QUEUED, error="")
    callbacks[0]()
    done = client.get(_progress(statement), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done
    for label, count in [
        ("Credit transfers in the file", 4),
        ("New", 4),
        ("Already imported", 0),
        ("Matched automatically", 1),
        ("To match by hand", 3),
    ]:
        assert f'<th scope="row">{label}</th><td>{count}</td>' in done
    assert "/admin/schedules/bankstatement/lines/" in done


def test_the_result_page_loads_the_bundled_htmx_without_inline_script(
    client, ada, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ada)
    upload = SimpleUploadedFile("s.xml", _paying(extra=2))
    page = client.post(
        f"{LIST}import/", {"file": upload, "format": "camt053", "delimiter": ";", "currency": "EUR"}
    ).content.decode()

    assert "htmx-2.min" in page
    assert "<script>" not in page and 'id="statement-progress"' in page


@pytest.mark.parametrize("role", [Role.SALES, Role.CUSTOMER_SERVICE])
def test_other_staff_are_refused_the_fragment(client, programme, ada, role):
    statement = statement_import_done(
        file_name="s.xml", content=_paying(extra=1), format="camt053", actor=ada
    ).statement
    client.force_login(staff_of(programme, "other@example.test", role=role))

    assert client.get(_progress(statement)).status_code == 403


def test_an_accountant_of_another_programme_does_not_find_the_statement_and_an_administrator_does(
    client, ada
):
    statement = statement_import_done(
        file_name="s.xml", content=_paying(extra=1), format="camt053", actor=ada
    ).statement
    other = ProgrammeFactory(code="waw", escrow_iban="PL61109010140000071219812874", currency="PLN")
    client.force_login(staff_of(other, "olga@example.test", role=Role.ACCOUNTANT))
    assert client.get(_progress(statement)).status_code == 404

    client.force_login(make_user("root@example.test", role=Role.ADMINISTRATOR, language="en"))
    assert client.get(_progress(statement)).status_code == 200


def test_a_visitor_is_sent_to_log_in(client, ada):
    statement = statement_import_done(
        file_name="s.xml", content=_paying(extra=1), format="camt053", actor=ada
    ).statement

    response = client.get(_progress(statement))

    assert response.status_code == 302 and "login" in response["Location"]


def test_the_fragment_costs_the_same_queries_with_ten_times_more_transfers(client, ada):
    client.force_login(ada)
    small = statement_import_done(file_name="a.xml", content=_paying(extra=2), format="camt053", actor=ada)
    large = statement_import_done(
        file_name="b.xml",
        content=camt_file(8, [camt_entry(8, f"L{index}", [{"amount": "2.00"}]) for index in range(20)]),
        format="camt053",
        actor=ada,
    )

    assert large.statement.lines_new == 10 * small.statement.lines_new
    small_count = count_get_queries(client, _progress(small.statement))
    assert count_get_queries(client, _progress(large.statement)) == small_count <= ADMIN_QUERY_BUDGET
