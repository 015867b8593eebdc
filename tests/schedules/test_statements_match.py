"""Importing a statement matches transfers to what buyers owe, once, and leaves the rest to staff."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from payments.errors import PaymentError
from payments.models import Receipt, Status
from portal.audit.models import AuditEntry
from portal.money import money_format
from portal.users.roles import Role
from sales.models import Sale
from sales.services import sale_create
from schedules.models import BankStatement, StatementLine
from schedules.selectors_statements import statement_suggestions
from schedules.services.statements import statement_line_ignore, statement_line_match
from schedules.statements import StatementError
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make, request_make
from tests.sales_admin.helpers import staff_of
from tests.schedules.statement_files import camt_entry, camt_file, statement_import_done

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def _sale(programme, advisor, first_name, last_name):
    buyer = BuyerFactory(first_name=first_name, last_name=last_name)
    return sale_create(
        actor=advisor, programme=programme, lots=lots_make(programme, 1), buyers=[buyer], advisor=advisor
    )


@pytest.fixture
def world():
    """Programme A: Sam (sales) and Ada (accountant); three buyers each asked for money."""
    programme = ProgrammeFactory(code="lyon")
    sam = staff_of(programme, "sam@example.test")
    ada = staff_of(programme, "ada@example.test", role=Role.ACCOUNTANT)
    elodie = _sale(programme, sam, "Élodie", "Dubois")
    thomas = _sale(programme, sam, "Thomas", "Petit")
    claire = _sale(programme, sam, "Claire", "Martin")
    return SimpleNamespace(
        programme=programme,
        ada=ada,
        elodie=request_make(elodie, actor=sam, amount="42000.00", reference="CALL-1"),
        thomas=request_make(thomas, actor=sam, amount="22500.00", reference="CALL-2"),
        claire=request_make(claire, actor=sam, amount="18500.00", reference="CALL-3"),
    )


def _import(world, entries, *, name="statement.xml"):
    return statement_import_done(
        file_name=name, content=camt_file(8, entries), format=BankStatement.Format.CAMT053, actor=world.ada
    )


def _line(reference, index=0):
    return StatementLine.objects.select_related("payment").get(bank_reference=reference, index=index)


def test_a_transfer_with_the_structured_reference_pays_the_request_and_issues_its_receipt(world):
    reference = world.elodie.creditor_reference
    result = _import(world, [camt_entry(8, "E1", [{"amount": "42000.00", "name": "X", "ref": reference}])])

    assert (result.new, result.matched, result.to_match) == (1, 1, 0)
    world.elodie.refresh_from_db()
    assert world.elodie.status == Status.PAID and world.elodie.amount_paid == Decimal("42000.00")
    assert Receipt.objects.filter(payment=world.elodie).exists()
    line = _line("E1")
    assert (line.state, line.payment, line.matched_by) == (
        StatementLine.State.MATCHED,
        world.elodie,
        world.ada,
    )
    assert line.matched_at is not None
    assert AuditEntry.objects.filter(action="statement_line.matched", object_id=str(line.pk)).exists()
    assert AuditEntry.objects.filter(action="statement.imported", object_id=str(result.statement.pk)).exists()


def test_a_reference_written_with_spaces_in_the_free_text_is_found(world):
    grouped = " ".join(world.thomas.creditor_reference[i : i + 4] for i in range(0, 20, 4)).strip()
    text = f"APPEL DE FONDS HORS D EAU REF {grouped} MERCI"
    _import(world, [camt_entry(8, "E2", [{"amount": "22500.00", "name": "Someone else", "text": text}])])

    assert _line("E2").payment == world.thomas
    world.thomas.refresh_from_db()
    assert world.thomas.status == Status.PAID


def test_without_reference_the_exact_amount_due_and_the_buyers_name_match(world):
    # Upper case, no accent, last name first, with a civility: still Élodie Dubois.
    _import(
        world,
        [camt_entry(8, "E3", [{"amount": "42000.00", "name": "MME DUBOIS ELODIE", "text": "virement"}])],
    )

    assert _line("E3").payment == world.elodie


def test_the_right_amount_from_someone_else_is_left_to_match_with_suggestions(world):
    result = _import(
        world, [camt_entry(8, "E4", [{"amount": "18500.00", "name": "SCI DU PARC", "text": "lot B12"}])]
    )

    assert (result.matched, result.to_match) == (0, 1)
    line = _line("E4")
    assert line.state == StatementLine.State.UNMATCHED and line.payment is None
    assert statement_suggestions(line, world.ada) == [world.claire]
    world.claire.refresh_from_db()
    assert world.claire.status == Status.TO_PAY


def test_a_similar_name_is_suggested_even_with_another_amount(world):
    _import(world, [camt_entry(8, "E5", [{"amount": "1000.00", "name": "Petit Thomas"}])])

    assert statement_suggestions(_line("E5"), world.ada) == [world.thomas]


def test_a_transfer_above_what_is_due_is_never_matched_automatically(world):
    reference = world.claire.creditor_reference
    _import(world, [camt_entry(8, "E6", [{"amount": "18500.01", "name": "Claire Martin", "ref": reference}])])

    line = _line("E6")
    assert line.state == StatementLine.State.UNMATCHED
    due, received = money_format(Decimal("18500.00"), "EUR"), money_format(Decimal("18500.01"), "EUR")
    assert f"{received} received for {reference}, on which only {due} is still due" in line.note
    world.claire.refresh_from_db()
    assert world.claire.amount_paid == 0
    # By hand it is refused too, in words: the difference is settled with the buyer first.
    with pytest.raises(PaymentError, match="still due"):
        statement_line_match(line=line, payment=world.claire, actor=world.ada)


def test_a_part_payment_with_the_reference_is_recorded_and_the_rest_stays_due(world):
    reference = world.claire.creditor_reference
    _import(world, [camt_entry(8, "E7", [{"amount": "8500.00", "ref": reference}])])

    world.claire.refresh_from_db()
    assert (world.claire.status, world.claire.amount_paid) == (Status.TO_PAY, Decimal("8500.00"))


def test_each_transaction_of_a_grouped_entry_pays_its_own_request(world):
    entry = camt_entry(
        8,
        "E8",
        [
            {"amount": "42000.00", "ref": world.elodie.creditor_reference},
            {"amount": "22500.00", "text": f"ref {world.thomas.creditor_reference}"},
            {"amount": "7.00", "name": "Unknown"},
        ],
    )
    result = _import(world, [entry])

    assert (result.new, result.matched, result.to_match) == (3, 2, 1)
    assert [_line("E8", i).payment for i in range(3)] == [world.elodie, world.thomas, None]


def test_the_same_statement_again_or_an_overlapping_one_creates_nothing_twice(world):
    first = camt_entry(8, "E9", [{"amount": "42000.00", "ref": world.elodie.creditor_reference}])
    second = camt_entry(8, "E10", [{"amount": "5.00", "name": "Nobody"}])
    _import(world, [first, second])

    again = _import(world, [first, second])
    overlapping = _import(
        world,
        [second, camt_entry(8, "E11", [{"amount": "18500.00", "name": "Martin Claire"}])],
        name="next.xml",
    )

    assert (again.new, again.already, again.statement) == (0, 2, None)
    assert (overlapping.new, overlapping.already, overlapping.matched) == (1, 1, 1)
    assert StatementLine.objects.count() == 3
    assert BankStatement.objects.count() == 2
    world.elodie.refresh_from_db()
    assert world.elodie.amount_paid == Decimal("42000.00")  # paid once, not twice


def test_a_file_with_a_bad_entry_writes_nothing(world):
    good = camt_entry(8, "E12", [{"amount": "42000.00", "ref": world.elodie.creditor_reference}])
    bad = camt_entry(8, "E13", [{"amount": "1,5"}], amount="1.50")
    with pytest.raises(StatementError, match="Entry 2"):
        _import(world, [good, bad])

    assert not StatementLine.objects.exists() and not BankStatement.objects.exists()
    world.elodie.refresh_from_db()
    assert world.elodie.amount_paid == 0


def test_matching_by_hand_pays_the_request_once_and_ignoring_sets_a_line_aside(world):
    _import(world, [camt_entry(8, "E14", [{"amount": "22500.00", "name": "Notary office"}])])
    _import(world, [camt_entry(8, "E15", [{"amount": "3.00", "name": "Bank"}])], name="b.xml")
    line = _line("E14")

    statement_line_match(line=line, payment=world.thomas, actor=world.ada)
    statement_line_match(line=line, payment=world.thomas, actor=world.ada)  # a second click

    world.thomas.refresh_from_db()
    assert (world.thomas.status, world.thomas.amount_paid) == (Status.PAID, Decimal("22500.00"))
    assert Receipt.objects.filter(payment=world.thomas).count() == 1
    assert _line("E14").statement.lines_matched == 1
    with pytest.raises(PaymentError, match="already matched"):
        statement_line_match(line=line, payment=world.claire, actor=world.ada)
    with pytest.raises(PaymentError, match="cannot be ignored"):
        statement_line_ignore(line=line, actor=world.ada)

    ignored = statement_line_ignore(line=_line("E15"), actor=world.ada)
    assert ignored.state == StatementLine.State.IGNORED
    assert AuditEntry.objects.filter(action="statement_line.ignored", object_id=str(ignored.pk)).exists()


def test_payments_of_other_programmes_are_neither_matched_nor_suggested(world):
    other = ProgrammeFactory(code="waw")
    bob = staff_of(other, "bob@example.test")
    foreign = request_make(_sale(other, bob, "Claire", "Martin"), actor=bob, amount="999.00", reference="X")
    _import(
        world,
        [
            camt_entry(
                8, "E16", [{"amount": "999.00", "name": "Claire Martin", "ref": foreign.creditor_reference}]
            )
        ],
    )

    line = _line("E16")
    assert line.state == StatementLine.State.UNMATCHED
    assert foreign not in statement_suggestions(line, world.ada)


def test_a_call_for_funds_paid_by_transfer_is_marked_paid_and_allocated_in_the_ledger(world):
    from schedules.models import LedgerEntry
    from schedules.services.calls import call_for_funds_issue
    from tests.schedules.factories import schedule_make

    sale = world.elodie.sale
    Sale.objects.filter(pk=sale.pk).update(deed_signed_on=date(2026, 2, 1))  # only a signed deed is called
    first = schedule_make(sale)[0]
    call = call_for_funds_issue(tranche_id=first.pk, actor=world.ada)
    reference = call.payment.creditor_reference
    amount = f"{call.amount:.2f}"

    _import(world, [camt_entry(8, "C1", [{"amount": amount, "name": "Dubois", "ref": reference}])])

    call.refresh_from_db()
    line = _line("C1")
    assert (line.call, line.payment) == (call, call.payment)
    assert call.paid_at is not None
    entry = LedgerEntry.objects.get(payment=call.payment)
    assert entry.amount == call.amount and entry.allocations.get().tranche_id == first.pk


def test_a_transfer_on_another_account_than_the_programmes_escrow_is_left_for_a_person(world):
    reference = world.elodie.creditor_reference
    content = camt_file(
        8,
        [camt_entry(8, "A1", [{"amount": "42000.00", "ref": reference}])],
        iban="FR7630004000031234567890143",
    )
    statement_import_done(
        file_name="other.xml", content=content, format=BankStatement.Format.CAMT053, actor=world.ada
    )

    line = _line("A1")
    assert line.state == StatementLine.State.UNMATCHED
    assert "not on the escrow account of" in line.note
    assert statement_suggestions(line, world.ada) == [world.elodie]
