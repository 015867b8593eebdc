"""The ledger of a sale (SCH-4): money through payments lands on its tranches oldest first, a
deposit counts towards the first tranche, a refund takes back, an overpayment waits unallocated,
and the same arrival of money is never counted twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments.models import Payment, PaymentEvent
from payments.services.money import payment_record_transfer
from payments.services.refunds import refund_request
from payments.services.requests import payment_request_create
from portal.audit.models import AuditEntry
from portal.users.roles import Role
from schedules.models import Allocation, CallForFunds, LedgerEntry, Tranche
from schedules.selectors import sale_balance, sale_statement
from schedules.services.ledger import (
    LedgerError,
    ledger_allocate_unallocated,
    ledger_reallocate,
    ledger_record,
)
from tests.conftest import make_user
from tests.schedules.factories import schedule_make
from tests.schedules.ledger_helpers import SMALL_PARTS, money_in, paid_of, sale_make

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def advisor(db):
    return make_user("advisor@example.test", role=Role.SALES)


@pytest.fixture
def accountant(db):
    return make_user("accountant@example.test", role=Role.ACCOUNTANT)


# Money in -----------------------------------------------------------------------------------------


def test_a_transfer_pays_the_oldest_tranches_first(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "2500.00", actor=accountant, received_on=date(2026, 3, 2))

    assert paid_of(sale) == [D("2000.00"), D("500.00"), D("0.00")]
    entry = LedgerEntry.objects.get(sale=sale)
    assert (entry.kind, entry.amount, entry.booked_on) == (
        LedgerEntry.Kind.TRANSFER,
        D("2500.00"),
        date(2026, 3, 2),
    )
    assert (
        entry.source_key
        == f"payment-event:{PaymentEvent.objects.get(payment=entry.payment, kind='money_received').pk}"
    )
    balance = sale_balance(sale)
    assert (balance.due, balance.paid, balance.remaining, balance.unallocated) == (
        D("10000.00"),
        D("2500.00"),
        D("7500.00"),
        D("0.00"),
    )


def test_each_method_reads_as_its_kind(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "100.00", actor=accountant, method="cheque", reference="CHQ")
    assert LedgerEntry.objects.get(sale=sale).kind == LedgerEntry.Kind.CHEQUE


def test_a_deposit_paid_through_payments_counts_towards_the_first_tranche(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "1000.00", actor=accountant, kind=Payment.Kind.DEPOSIT, reference="DEP")

    entry = LedgerEntry.objects.get(sale=sale)
    assert entry.kind == LedgerEntry.Kind.DEPOSIT
    assert paid_of(sale) == [D("1000.00"), D("0.00"), D("0.00")]


def test_a_deposit_paid_before_the_schedule_waits_then_goes_to_the_first_tranche(advisor, accountant):
    sale = sale_make(advisor, with_schedule=False)
    money_in(sale, "1500.00", actor=accountant, kind=Payment.Kind.DEPOSIT, reference="DEP")
    assert sale_balance(sale).unallocated == D("1500.00")

    schedule_make(sale, SMALL_PARTS)
    assert ledger_allocate_unallocated(sale=sale) == 1

    assert paid_of(sale) == [D("1500.00"), D("0.00"), D("0.00")]
    assert sale_balance(sale).unallocated == D("0.00")
    assert ledger_allocate_unallocated(sale=sale) == 0  # nothing left: nothing done


def test_a_payment_answering_a_call_pays_that_tranche_first_and_marks_the_call_paid(advisor, accountant):
    sale = sale_make(advisor)
    second = Tranche.objects.get(sale=sale, position=2)
    # The calls part makes calls and their requests; the ledger only needs the link between them.
    payment = payment_request_create(
        actor=advisor, sale=sale, amount=D("3000.00"), reference="CALL-2", notify=False
    )
    call = CallForFunds.objects.create(
        tranche=second,
        sale=sale,
        programme=sale.programme,
        buyer=payment.buyer,
        payment=payment,
        number="C-2",
        amount=D("3000.00"),
        currency="EUR",
        percent=D("30"),
        cumulated_percent=D("50"),
        notified_on=date(2026, 3, 1),
        due_on=date(2026, 3, 16),
    )
    payment_record_transfer(
        actor=accountant, payment=payment, amount=D("3000.00"), received_on=date(2026, 3, 5)
    )

    assert paid_of(sale) == [D("0.00"), D("3000.00"), D("0.00")]
    call.refresh_from_db()
    assert call.paid_at is not None


def test_an_overpayment_stays_unallocated(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "10250.00", actor=accountant)

    assert paid_of(sale) == [D("2000.00"), D("3000.00"), D("5000.00")]
    balance = sale_balance(sale)
    assert (balance.paid, balance.remaining, balance.unallocated) == (D("10000.00"), D("0.00"), D("250.00"))
    entry = LedgerEntry.objects.get(sale=sale)
    assert sum(a.amount for a in entry.allocations.all()) == D("10000.00")


def test_a_tranche_is_never_paid_above_its_amount_to_the_cent(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "1999.99", actor=accountant, reference="A")
    money_in(sale, "0.02", actor=accountant, reference="B")

    assert paid_of(sale) == [D("2000.00"), D("0.01"), D("0.00")]


# Refunds ------------------------------------------------------------------------------------------


def test_a_refund_takes_back_from_the_most_recently_paid_tranche(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "2000.00", actor=accountant, reference="A")
    second = money_in(sale, "1000.00", actor=accountant, reference="B")

    refund_request(actor=accountant, payment=second, amount=D("400.00"))

    entry = LedgerEntry.objects.get(sale=sale, kind=LedgerEntry.Kind.REFUND)
    assert entry.amount == D("-400.00")
    assert paid_of(sale) == [D("2000.00"), D("600.00"), D("0.00")]
    assert sale_balance(sale).paid == D("2600.00")


def test_a_refund_gives_back_the_unallocated_money_first(advisor, accountant):
    sale = sale_make(advisor, with_schedule=False)
    deposit = money_in(sale, "1000.00", actor=accountant, kind=Payment.Kind.DEPOSIT, reference="DEP")
    schedule_make(sale, SMALL_PARTS)

    refund_request(actor=accountant, payment=deposit, amount=D("1000.00"))

    assert paid_of(sale) == [D("0.00"), D("0.00"), D("0.00")]
    assert sale_balance(sale).unallocated == D("0.00")


def test_money_taken_back_makes_the_call_unpaid_again(advisor, accountant):
    sale = sale_make(advisor)
    first = Tranche.objects.get(sale=sale, position=1)
    payment = money_in(sale, "2000.00", actor=accountant)
    call = CallForFunds.objects.create(
        tranche=first,
        sale=sale,
        programme=sale.programme,
        buyer=payment.buyer,
        number="C-1",
        amount=D("2000.00"),
        currency="EUR",
        percent=D("20"),
        cumulated_percent=D("20"),
        notified_on=date(2026, 3, 1),
        due_on=date(2026, 3, 16),
        paid_at=timezone.now(),
    )
    refund_request(actor=accountant, payment=payment, amount=D("1.00"))

    call.refresh_from_db()
    assert call.paid_at is None


# Once per source ------------------------------------------------------------------------------------


def test_the_same_source_is_recorded_once(advisor):
    sale = sale_make(advisor)
    first = ledger_record(
        sale=sale,
        kind=LedgerEntry.Kind.TRANSFER,
        amount=D("500.00"),
        booked_on=date(2026, 3, 2),
        source_key="statement-line:1",
    )
    again = ledger_record(
        sale=sale,
        kind=LedgerEntry.Kind.TRANSFER,
        amount=D("500.00"),
        booked_on=date(2026, 3, 2),
        source_key="statement-line:1",
    )

    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(sale=sale).count() == 1
    assert Allocation.objects.filter(entry__sale=sale).count() == 1
    assert paid_of(sale)[0] == D("500.00")


def test_a_refund_must_be_negative_and_only_a_refund(advisor):
    sale = sale_make(advisor)
    with pytest.raises(LedgerError):
        ledger_record(
            sale=sale,
            kind=LedgerEntry.Kind.REFUND,
            amount=D("5.00"),
            booked_on=date(2026, 3, 2),
            source_key="x:1",
        )
    with pytest.raises(LedgerError):
        ledger_record(
            sale=sale,
            kind=LedgerEntry.Kind.CARD,
            amount=D("-5.00"),
            booked_on=date(2026, 3, 2),
            source_key="x:2",
        )


# Re-allocation ------------------------------------------------------------------------------------


def test_an_accountant_moves_money_between_tranches_and_it_is_audited(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "2500.00", actor=accountant)
    entry = LedgerEntry.objects.get(sale=sale)
    first, second, third = Tranche.objects.filter(sale=sale).order_by("position")

    ledger_reallocate(
        entry=entry,
        allocations={first.pk: D("500.00"), third.pk: D("1500.00")},
        actor=accountant,
        reason="Buyer asked",
    )

    assert paid_of(sale) == [D("500.00"), D("0.00"), D("1500.00")]
    assert sale_balance(sale).unallocated == D("500.00")
    audit = AuditEntry.objects.get(action="ledger.reallocated")
    assert audit.data["old"] == {"1. Signature of the deed": "2000.00", "2. Foundations completed": "500.00"}
    assert audit.data["new"] == {"1. Signature of the deed": "500.00", "3. Completion of works": "1500.00"}
    assert audit.data["reason"] == "Buyer asked"


def test_a_reallocation_above_the_entry_is_refused(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "2500.00", actor=accountant)
    entry = LedgerEntry.objects.get(sale=sale)
    second, third = Tranche.objects.filter(sale=sale, position__gt=1).order_by("position")

    with pytest.raises(LedgerError, match="more than the entry"):
        ledger_reallocate(
            entry=entry, allocations={second.pk: D("2000.00"), third.pk: D("500.01")}, actor=accountant
        )
    # exactly the entry is accepted
    ledger_reallocate(
        entry=entry, allocations={second.pk: D("2000.00"), third.pk: D("500.00")}, actor=accountant
    )
    assert paid_of(sale) == [D("0.00"), D("2000.00"), D("500.00")]


def test_a_reallocation_over_a_tranche_is_refused(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "2000.00", actor=accountant, reference="A")
    money_in(sale, "2001.00", actor=accountant, reference="B")
    entry = LedgerEntry.objects.filter(sale=sale).order_by("pk").last()
    first = Tranche.objects.get(sale=sale, position=1)

    with pytest.raises(LedgerError, match="above its amount"):
        ledger_reallocate(entry=entry, allocations={first.pk: D("0.01")}, actor=accountant)
    assert paid_of(sale) == [D("2000.00"), D("2001.00"), D("0.00")]


def test_a_reallocation_to_another_sales_tranche_is_refused(advisor, accountant):
    sale, other = sale_make(advisor), sale_make(advisor)
    money_in(sale, "100.00", actor=accountant)
    entry = LedgerEntry.objects.get(sale=sale)
    foreign = Tranche.objects.get(sale=other, position=1)

    with pytest.raises(LedgerError, match="own sale"):
        ledger_reallocate(entry=entry, allocations={foreign.pk: D("100.00")}, actor=accountant)


def test_sales_staff_may_not_reallocate(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "100.00", actor=accountant)
    entry = LedgerEntry.objects.get(sale=sale)
    first = Tranche.objects.get(sale=sale, position=1)

    with pytest.raises(LedgerError, match="Only accountants"):
        ledger_reallocate(entry=entry, allocations={first.pk: D("50.00")}, actor=advisor)


# Reading --------------------------------------------------------------------------------------------


def test_the_statement_lists_entries_oldest_first_with_their_allocations(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "2500.00", actor=accountant, received_on=date(2026, 3, 9), reference="LATE")
    money_in(sale, "100.00", actor=accountant, received_on=date(2026, 3, 1), reference="EARLY")

    with CaptureQueriesContext(connection) as queries:
        statement = sale_statement(sale)
        lines = [
            (e.reference, [(a.tranche.position, a.amount) for a in e.allocations.all()]) for e in statement
        ]

    assert lines == [
        ("EARLY", [(2, D("100.00"))]),
        ("LATE", [(1, D("2000.00")), (2, D("500.00"))]),
    ]
    assert len(queries) == 2


def test_the_balance_counts_called_and_overdue_tranches(advisor, accountant):
    sale = sale_make(advisor)
    Tranche.objects.filter(sale=sale, position=1).update(
        state=Tranche.State.CALLED, called_on=date(2026, 1, 1), due_on=date(2026, 1, 16)
    )
    Tranche.objects.filter(sale=sale, position=2).update(
        state=Tranche.State.CALLED, called_on=date(2026, 3, 1), due_on=date(2026, 3, 16)
    )
    money_in(sale, "500.00", actor=accountant)

    with CaptureQueriesContext(connection) as queries:
        balance = sale_balance(sale, today=date(2026, 3, 16))
    assert len(queries) == 2
    assert (balance.called, balance.called_remaining, balance.overdue) == (
        D("5000.00"),
        D("4500.00"),
        D("1500.00"),  # the deed tranche, past due; the second is due today: not overdue yet
    )
    assert balance.due == balance.paid + balance.remaining


def test_a_card_payment_and_its_refund_through_the_provider_land_in_the_ledger(advisor, accountant):
    from payments.services.refunds import refund_execute
    from tests.payments.factories import event_send, session_object, session_open

    sale = sale_make(advisor)
    payment = payment_request_create(
        actor=advisor, sale=sale, amount=D("2500.00"), reference="CARD-1", notify=False
    )
    event_send("checkout.session.completed", session_object(session_open(payment), intent="pi_ledger_card"))
    entry = LedgerEntry.objects.get(sale=sale)
    assert entry.kind == LedgerEntry.Kind.CARD
    assert paid_of(sale) == [D("2000.00"), D("500.00"), D("0.00")]

    refund = refund_request(actor=accountant, payment=payment, amount=D("700.00"))
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).exists()  # still pending
    refund_execute(refund_id=refund.pk)  # the provider says done
    refund_execute(refund_id=refund.pk)  # said twice: counted once

    refunded = LedgerEntry.objects.get(sale=sale, kind=LedgerEntry.Kind.REFUND)
    assert (refunded.amount, refunded.source_key, refunded.refund_id) == (
        D("-700.00"),
        f"refund:{refund.pk}",
        refund.pk,
    )
    assert paid_of(sale) == [D("1800.00"), D("0.00"), D("0.00")]


def test_money_a_refund_gave_back_cannot_be_reallocated(advisor, accountant):
    sale = sale_make(advisor, with_schedule=False)
    payment = money_in(sale, "500.00", actor=accountant)
    refund_request(actor=accountant, payment=payment, amount=D("500.00"))
    schedule_make(sale, SMALL_PARTS)
    entry = LedgerEntry.objects.get(sale=sale, kind=LedgerEntry.Kind.TRANSFER)
    first = Tranche.objects.get(sale=sale, position=1)

    with pytest.raises(LedgerError, match="on no tranche"):
        ledger_reallocate(entry=entry, allocations={first.pk: D("0.01")}, actor=accountant)
    assert paid_of(sale) == [D("0.00"), D("0.00"), D("0.00")]


def test_the_balances_of_many_sales_cost_two_queries(advisor, accountant):
    from schedules.selectors import sale_balances

    sales = [sale_make(advisor) for _ in range(3)]
    for index, sale in enumerate(sales):
        money_in(sale, f"{index + 1}000.00", actor=accountant, reference=f"R{index}")

    with CaptureQueriesContext(connection) as queries:
        balances = sale_balances([sale.pk for sale in sales])

    assert len(queries) == 2
    assert [balances[sale.pk].paid for sale in sales] == [D("1000.00"), D("2000.00"), D("3000.00")]


def test_an_overpayment_goes_to_a_tranche_that_grows_later(advisor, accountant):
    sale = sale_make(advisor)
    money_in(sale, "10250.00", actor=accountant)
    Tranche.objects.filter(sale=sale, position=3).update(amount=D("5250.00"))  # staff re-priced it

    assert ledger_allocate_unallocated(sale=sale) == 1

    assert paid_of(sale) == [D("2000.00"), D("3000.00"), D("5250.00")]
    assert sale_balance(sale).unallocated == D("0.00")
    assert Allocation.objects.filter(entry__sale=sale).count() == 3  # the same allocation, grown
