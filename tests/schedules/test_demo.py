"""The quick start's demo data for schedules: every live sale has its schedule, calls went out at
the reached milestones, money is in the ledger, a bank statement waits half matched, and seeding
again adds nothing."""

import io

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings
from pypdf import PdfReader

from payments.models import Payment
from portal.users.models import User
from portal.users.roles import roles_sync
from sales.models import LIVE_STAGES, Sale, Stage
from schedules.demo import demo_dir
from schedules.models import (
    BankStatement,
    CallBatch,
    CallForFunds,
    Invoice,
    LedgerEntry,
    StageCertificate,
    StatementLine,
    Tranche,
    Trigger,
)
from schedules.selectors import tranches_with_balances
from schedules.selectors_calls import deed_signed_q
from schedules.services.statements import statement_parse


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"schedules", "payments", "outbox", "audit"}
    }


# Real commits: the batches run after their start commits, as in the quick start.
@pytest.mark.django_db(transaction=True)
def test_the_demo_has_schedules_calls_money_and_a_statement_and_seeding_again_adds_nothing(tmp_path):
    roles_sync(apps)  # an earlier transactional test may have flushed the groups the migrations made
    with override_settings(VAR_DIR=tmp_path, MEDIA_ROOT=tmp_path / "private"):
        call_command("seed_demo", stdout=io.StringIO())

        # Every live sale's tranches add up to its price.
        live = Sale.objects.filter(stage__in=LIVE_STAGES, programme__code__in=["lum", "zwg"])
        assert live.count() > 20
        for sale in live:
            assert sale.tranches.aggregate(total=Sum("amount"))["total"] == sale.price, sale.reference

        # Calls at the French works start and foundations and at the Polish works start, by batch.
        batches = set(CallBatch.objects.values_list("programme__code", "trigger", "state"))
        assert batches == {
            ("lum", Trigger.WORKS_START, CallBatch.State.DONE),
            ("lum", Trigger.FOUNDATIONS, CallBatch.State.DONE),
            ("zwg", Trigger.WORKS_START, CallBatch.State.DONE),
        }
        for code, trigger in [
            ("lum", Trigger.WORKS_START),
            ("lum", Trigger.FOUNDATIONS),
            ("zwg", Trigger.WORKS_START),
        ]:
            # Only the sales whose deed is signed are called (VEFA, developer agreement).
            concerned = Tranche.objects.filter(
                deed_signed_q("sale__"), sale__in=live, sale__programme__code=code, trigger=trigger
            )
            assert CallForFunds.objects.filter(tranche__in=concerned).count() == concerned.count() > 0
            called = CallForFunds.objects.filter(programme__code=code, tranche__trigger=trigger)
            assert not called.exclude(tranche__in=concerned).exists()
        assert all(call.letter for call in CallForFunds.objects.all())
        # The French foundations' letters carry the architect's certificate after them.
        letter = (
            CallForFunds.objects.filter(programme__code="lum", tranche__trigger=Trigger.FOUNDATIONS)
            .first()
            .letter
        )
        with default_storage.open(letter.name, "rb") as stored:
            assert len(PdfReader(io.BytesIO(stored.read())).pages) == 2
        assert StageCertificate.objects.filter(milestone__programme__code="lum").count() == 1

        # Money in the ledger: calls paid by card and by transfer, one only in part.
        kinds = set(
            LedgerEntry.objects.filter(payment__kind=Payment.Kind.CALL).values_list("kind", flat=True)
        )
        assert {LedgerEntry.Kind.CARD, LedgerEntry.Kind.TRANSFER} <= kinds
        tranches = list(tranches_with_balances(Tranche.objects.filter(call__isnull=False)))
        assert any(t.paid == t.amount for t in tranches)
        assert any(0 < t.paid < t.amount for t in tranches)

        # The main buyer is in her withdrawal period: her deed is not signed, she is called for nothing.
        marie = User.objects.get(email="buyer@demo.test")
        assert Sale.objects.filter(sale_buyers__buyer__user=marie, stage=Stage.WITHDRAWAL_PERIOD).exists()
        assert not CallForFunds.objects.filter(sale__sale_buyers__buyer__user=marie).exists()

        # The camt.053 statement imported: lines matched and lines to match by hand.
        statement = BankStatement.objects.get()
        assert statement.format == BankStatement.Format.CAMT053
        states = list(statement.lines.values_list("state", flat=True))
        assert states.count(StatementLine.State.MATCHED) == statement.lines_matched >= 2
        assert states.count(StatementLine.State.UNMATCHED) >= 2
        assert all(line.call_id for line in statement.lines.filter(state=StatementLine.State.MATCHED))
        # The MT940 file names calls of the Polish programme by their RF reference.
        mt940 = statement_parse(
            content=(demo_dir() / "statement-zwg.mt940").read_bytes(), format=BankStatement.Format.MT940
        )
        references = set(
            CallForFunds.objects.filter(programme__code="zwg").values_list(
                "payment__creditor_reference", flat=True
            )
        )
        assert any(tx.remittance.split()[0] in references for tx in mt940.transactions)

        # An invoice shared with the main buyer.
        assert Invoice.objects.filter(shared_with_buyer=True, sale__sale_buyers__buyer__user=marie).exists()

        counts = _counts()
        call_command("seed_demo", stdout=io.StringIO())
        assert _counts() == counts
