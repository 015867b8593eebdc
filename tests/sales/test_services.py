import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from portal.audit.selectors import audit_entries_for
from programmes.models import Lot
from sales.errors import SaleError
from sales.models import Sale, SaleLot, Stage
from sales.services import (
    sale_create,
    sale_move_stage,
    sale_reactivate,
    sale_request_reservation,
    sales_expire_holds,
)
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory()


def new_sale(programme, sales, lots=None, **kwargs):
    lots = lots or lots_make(programme, 1)
    return sale_create(
        actor=sales, programme=programme, lots=lots, buyers=[BuyerFactory()], advisor=sales, **kwargs
    )


def lot_status(lot) -> str:
    lot.refresh_from_db()
    return lot.status


def test_a_new_sale_options_its_lots_and_takes_their_price(programme, sales):
    lots = lots_make(programme, 2, price="150000.00")
    sale = new_sale(programme, sales, lots)
    assert sale.reference == f"{programme.code.upper()}-{sale.pk:05d}"
    assert sale.price == Decimal("300000.00")
    assert {lot_status(lot) for lot in lots} == {Lot.Status.OPTIONED}
    assert [entry.action for entry in audit_entries_for(sale)] == ["sale.created"]


def test_a_lot_already_in_a_live_sale_cannot_be_sold_again(programme, sales):
    lot = lots_make(programme, 1)[0]
    new_sale(programme, sales, [lot])
    with pytest.raises(SaleError, match="is not available"):
        new_sale(programme, sales, [lot])


def test_the_database_itself_refuses_a_second_live_sale_of_a_lot(programme, sales):
    from django.db import IntegrityError, transaction

    lot = lots_make(programme, 1)[0]
    first = new_sale(programme, sales, [lot])
    second = Sale.objects.create(programme=programme, reference="X-2", price=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SaleLot.objects.create(sale=second, lot=lot)
    assert SaleLot.objects.filter(lot=lot, live=True).get().sale == first


def test_stages_move_along_the_pipeline_and_lots_follow(programme, sales):
    lot = lots_make(programme, 1)[0]
    sale = new_sale(programme, sales, [lot])
    sale = sale_move_stage(actor=sales, sale=sale, target=Stage.RESERVATION_SIGNED)
    assert lot_status(lot) == Lot.Status.RESERVED and sale.reservation_signed_on == timezone.localdate()
    sale = sale_move_stage(actor=sales, sale=sale, target=Stage.WITHDRAWAL_PERIOD)
    assert sale.withdrawal_ends_on == timezone.localdate() + timedelta(days=10)
    for stage in [Stage.DEPOSIT_PAID, Stage.FINANCING, Stage.DEED_SIGNED]:
        sale = sale_move_stage(actor=sales, sale=sale, target=stage)
    assert lot_status(lot) == Lot.Status.SOLD
    sale = sale_move_stage(actor=sales, sale=sale, target=Stage.DELIVERED)
    assert lot_status(lot) == Lot.Status.DELIVERED
    changes = [e.data for e in audit_entries_for(sale) if e.action == "sale.stage_changed"]
    assert [c["to"] for c in changes] == [
        "reservation_signed",
        "withdrawal_period",
        "deposit_paid",
        "financing",
        "deed_signed",
        "delivered",
    ]
    assert all(e.actor == sales for e in audit_entries_for(sale))


def test_an_illegal_move_is_refused_with_a_sentence(programme, sales):
    sale = new_sale(programme, sales)
    with pytest.raises(SaleError) as refused:
        sale_move_stage(actor=sales, sale=sale, target=Stage.DEED_SIGNED)
    assert "cannot move to “Deed signed”" in str(refused.value)
    assert "Reservation signed" in str(refused.value)
    sale.refresh_from_db()
    assert sale.stage == Stage.OPTION


def test_moving_to_the_current_stage_again_changes_nothing(programme, sales):
    sale = new_sale(programme, sales)
    sale_move_stage(actor=sales, sale=sale, target=Stage.RESERVATION_SIGNED)
    sale_move_stage(actor=sales, sale=sale, target=Stage.RESERVATION_SIGNED)
    assert [e.action for e in audit_entries_for(sale)].count("sale.stage_changed") == 1


def test_cancelling_frees_the_lots_for_another_sale(programme, sales):
    lot = lots_make(programme, 1)[0]
    sale = new_sale(programme, sales, [lot])
    sale_move_stage(actor=sales, sale=sale, target=Stage.CANCELLED)
    assert lot_status(lot) == Lot.Status.AVAILABLE
    assert not SaleLot.objects.filter(sale=sale, live=True).exists()
    assert new_sale(programme, sales, [lot]).stage == Stage.OPTION


def test_expired_holds_are_cancelled_and_their_lots_freed_once(programme, sales):
    expired_lot, live_lot = lots_make(programme, 2)
    expired = new_sale(programme, sales, [expired_lot], hold_until=timezone.now() - timedelta(hours=1))
    held = new_sale(programme, sales, [live_lot], hold_until=timezone.now() + timedelta(days=1))
    assert sales_expire_holds() == 1
    assert sales_expire_holds() == 0
    expired.refresh_from_db()
    held.refresh_from_db()
    assert (expired.stage, expired.cancel_reason) == (Stage.CANCELLED, Sale.CancelReason.HOLD_EXPIRED)
    assert held.stage == Stage.OPTION
    assert lot_status(expired_lot) == Lot.Status.AVAILABLE and lot_status(live_lot) == Lot.Status.OPTIONED


def test_a_cancelled_sale_is_reactivated_as_a_new_linked_file(programme, sales):
    lot = lots_make(programme, 1)[0]
    old = new_sale(programme, sales, [lot], contract_number="C-1")
    sale_move_stage(actor=sales, sale=old, target=Stage.CANCELLED)
    new = sale_reactivate(actor=sales, sale=old)
    assert new.reactivated_from == old and new.pk != old.pk
    assert list(new.lots.all()) == [lot] and lot_status(lot) == Lot.Status.OPTIONED
    assert [b.pk for b in new.buyers.all()] == [b.pk for b in old.buyers.all()]
    with pytest.raises(SaleError, match="already reactivated"):
        sale_reactivate(actor=sales, sale=old)


def test_a_live_sale_cannot_be_reactivated(programme, sales):
    with pytest.raises(SaleError, match="Only a cancelled or withdrawn sale"):
        sale_reactivate(actor=sales, sale=new_sale(programme, sales))


def test_a_reactivation_is_refused_when_the_lot_was_sold_meanwhile(programme, sales):
    lot = lots_make(programme, 1)[0]
    old = new_sale(programme, sales, [lot])
    sale_move_stage(actor=sales, sale=old, target=Stage.CANCELLED)
    new_sale(programme, sales, [lot])
    with pytest.raises(SaleError, match="is not available"):
        sale_reactivate(actor=sales, sale=old)


def test_a_buyer_requests_a_reservation_where_the_programme_allows_it(programme, sales):
    programme.self_reservation_enabled = True
    programme.save()
    programme.staff.add(sales)
    user = make_user("asker@example.test")
    BuyerFactory(user=user)
    lot = lots_make(programme, 1)[0]
    sale = sale_request_reservation(user=user, lot=lot)
    assert sale.requested_by_buyer and sale.stage == Stage.OPTION and sale.advisor == sales
    assert sale.hold_until > timezone.now() + timedelta(days=6)
    other = make_user("other@example.test")
    BuyerFactory(user=other)
    with pytest.raises(SaleError, match="has just been taken"):
        sale_request_reservation(user=other, lot=lot)


def test_a_programme_closed_to_requests_refuses_them(programme):
    user = make_user("asker@example.test")
    BuyerFactory(user=user)
    with pytest.raises(SaleError, match="cannot be requested"):
        sale_request_reservation(user=user, lot=lots_make(programme, 1)[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_the_same_lot_at_once_cannot_both_succeed():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    staff = make_user("first@example.test")
    programme = ProgrammeFactory()
    lot = lots_make(programme, 1)[0]
    buyers = [BuyerFactory(), BuyerFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def save(buyer):
        try:
            barrier.wait(timeout=10)
            sale_create(actor=staff, programme=programme, lots=[lot], buyers=[buyer])
            outcomes.append("sold")
        except SaleError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(buyer,)) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "sold"]
    assert SaleLot.objects.filter(lot=lot, live=True).count() == 1
