"""Two runs of one statement's matching at once (a task delivered twice, the file imported again
while queued), on PostgreSQL's real row locks: each transfer is recorded once, and a line an
accountant matches by hand meanwhile stays as they matched it."""

import pytest
from django.db import connection

from payments.models import Receipt
from portal.audit.models import AuditEntry
from portal.users.roles import Role
from schedules.models import BankStatement, StatementLine
from schedules.services import statements as statements_service
from schedules.services.statements import statement_import, statement_line_match, statement_match_run
from tests.concurrency import at_once
from tests.factories import ProgrammeFactory
from tests.sales_admin.helpers import staff_of
from tests.schedules.test_statements_progress import _paying, _request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(settings, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    settings.MEDIA_ROOT = tmp_path / "private"
    # The worker's runs are started by the test itself, at the same moment.
    monkeypatch.setattr(statements_service, "_enqueue_match", lambda statement_id: None)


def test_two_runs_at_once_record_each_transfer_once_and_respect_a_match_by_hand(monkeypatch):
    programme = ProgrammeFactory(code="lyon")
    sam = staff_of(programme, "sam@example.test")
    ada = staff_of(programme, "ada@example.test", role=Role.ACCOUNTANT)
    payments = [_request(programme, sam, f"Buyer{index}", f"{100 + index}.00") for index in range(6)]
    statement = statement_import(
        file_name="s.xml", content=_paying(*payments, extra=2), format="camt053", actor=ada
    ).statement
    monkeypatch.setattr(statements_service, "_MATCH_CHUNK", 2)
    by_hand = StatementLine.objects.get(bank_reference=f"P{payments[5].pk}")

    results = at_once(
        lambda: statement_match_run(statement_id=statement.pk),
        lambda: statement_match_run(statement_id=statement.pk),
        lambda: statement_line_match(line=by_hand, payment=payments[5], actor=ada),
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    for payment in payments:
        payment.refresh_from_db()
        assert payment.amount_paid == payment.amount  # once, whoever matched it
        assert Receipt.objects.filter(payment=payment).count() == 1
    assert AuditEntry.objects.filter(action="statement_line.matched").count() == 6
    by_hand.refresh_from_db()
    assert (by_hand.state, by_hand.payment_id) == (StatementLine.State.MATCHED, payments[5].pk)
    statement.refresh_from_db()
    assert (statement.state, statement.lines_done, statement.lines_matched) == (
        BankStatement.State.DONE,
        8,
        6,
    )
    assert AuditEntry.objects.filter(action="statement.matched", object_id=str(statement.pk)).count() == 1
