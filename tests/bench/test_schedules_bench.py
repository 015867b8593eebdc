"""The schedules parts of `make bench` on a tiny data set: calls for funds against bare letters,
a camt.053 import with matching, the accounting export against openpyxl, and each run starting
from the same rows again."""

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import override_settings

from bench import build_data
from bench import schedules as schedules_bench
from payments.models import Payment, Status
from portal.users.roles import Role
from sales.services import sale_create
from schedules.models import BankStatement, CallForFunds, LedgerEntry, StatementLine, Tranche
from schedules.services.statements import statement_parse
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "private"):
        yield


@pytest.fixture(autouse=True)
def _connection_kept_at_response_close():
    # The export's response is closed as a server closes it, which sends request_finished; its
    # receiver would close the connection inside the test's transaction (Django's test client
    # disconnects it the same way while it handles a request).
    request_finished.disconnect(close_old_connections)
    yield
    request_finished.connect(close_old_connections)


@pytest.fixture
def bench_world(db):
    """The bench's administrator, its buyer (whose sale must stay untouched) and three other sales."""
    admin = make_user(build_data.ADMIN_EMAIL, role=Role.ADMINISTRATOR, is_superuser=True)
    programme = ProgrammeFactory()
    lots = lots_make(programme, 4)
    bench_buyer = BuyerFactory(user=make_user(build_data.BUYER_EMAIL, role=Role.BUYER))
    for lot, buyer in zip(lots, [bench_buyer, BuyerFactory(), BuyerFactory(), BuyerFactory()], strict=True):
        sale_create(actor=admin, programme=programme, lots=[lot], buyers=[buyer], advisor=admin)
    return bench_buyer


def test_the_calls_are_measured_against_as_many_letters_and_each_run_calls_the_same_tranches(bench_world):
    figures = schedules_bench.measure_calls(2)

    assert set(figures) == {"calls", "seconds", "reference_seconds", "ratio"}
    assert figures["calls"] == 2 and figures["seconds"] > 0 and figures["reference_seconds"] > 0
    calls = list(CallForFunds.objects.select_related("payment"))
    assert len(calls) == 3  # and one made alone first, to warm up
    assert all(call.letter and call.payment.kind == Payment.Kind.CALL for call in calls)
    assert not Tranche.objects.filter(sale__buyers=bench_world).exists()

    assert schedules_bench.measure_calls(2)["calls"] == 2
    assert CallForFunds.objects.count() == 3
    assert Payment.objects.filter(kind=Payment.Kind.CALL).count() == 3


def test_the_statement_pays_the_calls_just_made_and_leaves_the_others_to_match(bench_world):
    schedules_bench.measure_calls(2)
    references = set(CallForFunds.objects.values_list("payment__creditor_reference", flat=True))

    content = schedules_bench.statement_build(5, "T1")
    parsed = statement_parse(content=content, format=BankStatement.Format.CAMT053)
    assert len(parsed.transactions) == 5
    assert {tx.creditor_reference for tx in parsed.transactions} - {""} == references

    figures = schedules_bench.measure_statement(5)
    assert figures["statement_lines_per_s"] > 0 and figures["statement_matched"] == 3
    assert StatementLine.objects.filter(state=StatementLine.State.UNMATCHED).count() == 2
    assert set(Payment.objects.filter(kind=Payment.Kind.CALL).values_list("status", flat=True)) == {
        Status.PAID
    }

    # The next run removes that statement and the money it matched, and calls again.
    schedules_bench.measure_calls(2)
    assert not StatementLine.objects.exists() and not LedgerEntry.objects.exists()


def test_the_export_is_measured_with_its_peak_memory_on_rows_made_once(bench_world):
    figures = schedules_bench.measure_export(30)

    assert figures["rows"] == 30
    assert figures["seconds"] > 0 and figures["reference_seconds"] > 0 and 0 < figures["peak_mb"] < 100
    entries = list(LedgerEntry.objects.values_list("pk", flat=True))
    assert len(entries) == 30
    schedules_bench.measure_export(30)
    assert list(LedgerEntry.objects.values_list("pk", flat=True)) == entries  # reused


def test_a_size_of_zero_skips_its_part(bench_world):
    figures = schedules_bench.measure(calls=0, statement_lines=0, export_rows=3)

    assert set(figures) == {"accounting_export"}
    assert not CallForFunds.objects.exists() and not BankStatement.objects.exists()
