"""A sale's schedule: copied from its programme's template, edited by staff, re-priced, and its
balance consigned when conformity is disputed (SCH-1, SCH-2)."""

from decimal import Decimal

import pytest

from payments.models import Payment
from portal.audit.models import AuditEntry
from portal.users.roles import Role
from programmes.models import Programme
from sales.errors import SaleError
from sales.services import sale_update
from schedules.models import ScheduleTemplate, Tranche, Trigger
from schedules.rules import ScheduleRuleError
from schedules.selectors import sale_balance
from schedules.services.templates import schedule_template_save
from schedules.services.tranches import (
    ScheduleError,
    planned_parts,
    schedule_copy_for_sale,
    schedule_update,
    tranche_consign,
    tranche_unconsign,
)
from tests.conftest import make_user
from tests.factories import ProgrammeFactory, SaleFactory
from tests.payments.factories import sale_with_buyer_make
from tests.schedules.factories import VEFA_PARTS
from tests.schedules.ledger_helpers import money_in, paid_of

pytestmark = pytest.mark.django_db


def parts(pairs):
    return [{"label": Trigger(t).label, "trigger": t, "percent": Decimal(p)} for t, p in pairs]


def template_make(programme, pairs=VEFA_PARTS):
    return schedule_template_save(
        actor=None, template=ScheduleTemplate(programme=programme), values={}, tranches=parts(pairs)
    )


@pytest.fixture
def french():
    programme = ProgrammeFactory(country=Programme.Country.FR)
    template_make(programme)
    return programme


def schedule_of(sale):
    return list(Tranche.objects.filter(sale=sale).order_by("position"))


def called(tranche, on="2026-01-10"):
    Tranche.objects.filter(pk=tranche.pk).update(state=Tranche.State.CALLED, called_on=on)


def test_a_new_sale_gets_its_programmes_schedule_with_amounts_adding_up_to_its_price(french):
    sale = SaleFactory(programme=french, price=Decimal("199999.99"))

    tranches = schedule_of(sale)
    assert [(t.trigger, t.percent) for t in tranches] == [(t, Decimal(p)) for t, p in VEFA_PARTS]
    assert [t.amount for t in tranches] == [
        Decimal("39999.99"),
        Decimal("29999.99"),
        Decimal("69999.99"),
        Decimal("49999.99"),
        Decimal("10000.03"),
    ]
    assert sum(t.amount for t in tranches) == sale.price
    assert AuditEntry.objects.filter(action="schedule.copied", object_id=str(sale.pk)).count() == 1


def test_copying_again_changes_nothing(french):
    sale = SaleFactory(programme=french)
    before = [(t.pk, t.amount) for t in schedule_of(sale)]

    assert schedule_copy_for_sale(sale=sale, actor=None) == []
    assert [(t.pk, t.amount) for t in schedule_of(sale)] == before


def test_a_deposit_paid_before_the_schedule_existed_counts_towards_its_first_tranche():
    advisor = make_user("advisor@example.test", role=Role.SALES)
    accountant = make_user("accountant@example.test", role=Role.ACCOUNTANT)
    programme = ProgrammeFactory(country=Programme.Country.FR)
    sale = sale_with_buyer_make(advisor=advisor, programme=programme, price="200000.00")
    money_in(sale, "5000.00", actor=accountant, kind=Payment.Kind.DEPOSIT, reference="DEP")
    assert sale_balance(sale).unallocated == Decimal("5000.00")  # no schedule yet

    template_make(programme)  # the template comes after the sale; its schedule is copied now
    schedule_copy_for_sale(sale=sale, actor=advisor)

    assert paid_of(sale) == [Decimal("5000.00"), *[Decimal("0.00")] * (len(VEFA_PARTS) - 1)]
    assert sale_balance(sale).unallocated == Decimal("0.00")
    assert AuditEntry.objects.filter(action="ledger.allocated", object_id=str(sale.pk)).exists()


def test_a_programme_without_template_gives_its_sales_no_schedule():
    sale = SaleFactory(programme=ProgrammeFactory())
    assert schedule_of(sale) == []


def test_a_french_template_above_the_ceiling_is_refused_and_nothing_saved():
    programme = ProgrammeFactory(country=Programme.Country.FR)
    pairs = [
        (Trigger.DEED, "20"),
        (Trigger.FOUNDATIONS, "16"),
        (Trigger.WEATHER_TIGHT, "34"),
        (Trigger.DELIVERY, "30"),
    ]
    with pytest.raises(
        ScheduleRuleError, match="at most 35 % may be called by foundations; this schedule calls 36 %"
    ):
        template_make(programme, pairs)
    assert not ScheduleTemplate.objects.filter(programme=programme).exists()


def test_a_polish_template_may_call_40_percent_at_foundations():
    programme = ProgrammeFactory(country=Programme.Country.PL, currency=Programme.Currency.PLN)
    template = template_make(programme, [(Trigger.FOUNDATIONS, "40"), (Trigger.DELIVERY, "60")])
    assert [t.percent for t in template.tranches.order_by("position")] == [Decimal("40"), Decimal("60")]
    assert AuditEntry.objects.filter(action="schedule_template.created", object_id=str(template.pk)).exists()


def test_changing_a_template_records_the_tranches_before_and_after(french):
    template = french.schedule_template
    schedule_template_save(
        actor=None,
        template=template,
        values={"payment_days": 30},
        tranches=parts(
            [
                (Trigger.DEED, "35"),
                (Trigger.WEATHER_TIGHT, "35"),
                (Trigger.COMPLETION, "25"),
                (Trigger.DELIVERY, "5"),
            ]
        ),
    )
    entry = AuditEntry.objects.filter(action="schedule_template.tranches_changed").latest("pk")
    assert entry.data["before"][0] == "Signature of the deed · deed · 20 %"
    assert entry.data["after"][0] == "Signature of the deed · deed · 35 %"
    assert AuditEntry.objects.get(action="schedule_template.changed").data == {"payment_days": [15, 30]}


def test_staff_change_the_tranches_not_yet_called_and_amounts_follow(french):
    sale = SaleFactory(programme=french, price=Decimal("100000.00"))
    deed, foundations, weather, completion, delivery = schedule_of(sale)
    called(deed)
    planned = planned_parts(schedule_of(sale))
    planned[1]["percent"] = Decimal("30")  # weather-tight 35 → 30
    planned[2]["percent"] = Decimal("30")  # completion 25 → 30
    planned[2]["label"] = "Cloisons et finitions"

    schedule_update(sale=sale, tranches=planned, actor=None)

    tranches = schedule_of(sale)
    assert [(t.label, t.percent, t.amount) for t in tranches[2:4]] == [
        ("Weather-tight", Decimal("30"), Decimal("30000.00")),
        ("Cloisons et finitions", Decimal("30"), Decimal("30000.00")),
    ]
    assert tranches[0].amount == Decimal("20000.00") and tranches[0].state == Tranche.State.CALLED
    assert sum(t.amount for t in tranches) == sale.price
    entry = AuditEntry.objects.get(action="schedule.changed", object_id=str(sale.pk))
    assert "Weather-tight · weather_tight · 35 % · 35000.00" in entry.data["before"]
    assert "Cloisons et finitions · completion · 30 % · 30000.00" in entry.data["after"]


def test_a_sales_schedule_above_the_french_ceiling_is_refused(french):
    sale = SaleFactory(programme=french)
    planned = planned_parts(schedule_of(sale))
    planned[2]["trigger"] = Trigger.FOUNDATIONS  # weather-tight's 35 % moved to the foundations
    with pytest.raises(ScheduleError, match="CCH art. R261-14: at most 35 % may be called by foundations"):
        schedule_update(sale=sale, tranches=planned, actor=None)
    assert [t.trigger for t in schedule_of(sale)] == [t for t, _p in VEFA_PARTS]


def test_a_called_tranche_cannot_be_changed(french):
    sale = SaleFactory(programme=french)
    deed = schedule_of(sale)[0]
    called(deed)
    planned = planned_parts(schedule_of(sale))
    planned.append({"id": deed.pk, "label": "x", "trigger": Trigger.DEED, "percent": Decimal("20")})
    with pytest.raises(ScheduleError, match="Only the tranches not yet called"):
        schedule_update(sale=sale, tranches=planned, actor=None)


def test_a_new_price_changes_only_the_tranches_not_yet_called(french):
    sale = SaleFactory(programme=french, price=Decimal("200000.00"))
    deed, foundations, *_rest = schedule_of(sale)
    called(deed)
    called(foundations)

    sale_update(actor=None, sale=sale, changes={"price": Decimal("210000.00")})

    assert [t.amount for t in schedule_of(sale)] == [
        Decimal("40000.00"),
        Decimal("30000.00"),
        Decimal("73500.00"),
        Decimal("52500.00"),
        Decimal("14000.00"),
    ]
    assert AuditEntry.objects.filter(action="schedule.repriced", object_id=str(sale.pk)).exists()


def test_a_price_below_what_was_called_is_refused_and_the_price_kept(french):
    sale = SaleFactory(programme=french, price=Decimal("200000.00"))
    deed = schedule_of(sale)[0]
    called(deed)
    with pytest.raises(SaleError, match="below the amounts already called"):
        sale_update(actor=None, sale=sale, changes={"price": Decimal("39999.99")})


def test_the_french_delivery_balance_up_to_5_percent_can_be_consigned_and_released(french):
    sale = SaleFactory(programme=french, price=Decimal("200000.00"))
    delivery = schedule_of(sale)[-1]
    called(delivery)

    tranche_consign(tranche=delivery, actor=None, reason="Réserves sur la conformité")
    delivery.refresh_from_db()
    assert delivery.state == Tranche.State.CONSIGNED
    assert tranche_consign(tranche=delivery, actor=None, reason="again").state == Tranche.State.CONSIGNED
    assert AuditEntry.objects.filter(action="tranche.consigned").count() == 1

    tranche_unconsign(tranche=delivery, actor=None, reason="Réserves levées")
    delivery.refresh_from_db()
    assert delivery.state == Tranche.State.CALLED


@pytest.mark.parametrize(("amount", "allowed"), [("10000.00", True), ("10000.01", False)])
def test_consigning_more_than_5_percent_of_the_price_is_refused(french, amount, allowed):
    sale = SaleFactory(programme=french, price=Decimal("200000.00"))
    delivery = schedule_of(sale)[-1]
    Tranche.objects.filter(pk=delivery.pk).update(amount=Decimal(amount))
    if allowed:
        assert (
            tranche_consign(tranche=delivery, actor=None, reason="dispute").state == Tranche.State.CONSIGNED
        )
    else:
        with pytest.raises(
            ScheduleError,
            match=r"at most 5 % of the price \(€10,000.00\) can be consigned; this tranche is €10,000.01\.",
        ):
            tranche_consign(tranche=delivery, actor=None, reason="dispute")


def test_only_the_delivery_tranche_of_a_french_sale_can_be_consigned(french):
    sale = SaleFactory(programme=french)
    with pytest.raises(ScheduleError, match="only the delivery tranche"):
        tranche_consign(tranche=schedule_of(sale)[-2], actor=None, reason="dispute")

    polish = ProgrammeFactory(country=Programme.Country.PL, currency=Programme.Currency.PLN)
    template_make(polish)
    with pytest.raises(ScheduleError, match="only the delivery tranche of a French sale"):
        tranche_consign(tranche=schedule_of(SaleFactory(programme=polish))[-1], actor=None, reason="dispute")


def test_the_sales_timeline_reads_the_schedule_entries_in_words(french):
    from portal.audit.presenters import audit_title

    sale = SaleFactory(programme=french)
    entry = AuditEntry.objects.get(action="schedule.copied", object_id=str(sale.pk))
    assert audit_title(entry) == "Schedule copied from the programme's template"


def test_a_tranche_that_holds_money_is_not_removed(french):
    from schedules.models import Allocation, LedgerEntry

    sale = SaleFactory(programme=french)
    deed, *rest = schedule_of(sale)
    entry = LedgerEntry.objects.create(
        sale=sale,
        programme=french,
        kind=LedgerEntry.Kind.DEPOSIT,
        amount=Decimal("1000.00"),
        currency="EUR",
        booked_on="2026-01-05",
        source_key="test:deposit",
    )
    Allocation.objects.create(entry=entry, tranche=deed, amount=Decimal("1000.00"))
    planned = planned_parts(rest)
    planned[0]["percent"] = Decimal("35")  # the deed's 20 % moved to the foundations
    with pytest.raises(ScheduleError, match="A tranche that has received money cannot be removed."):
        schedule_update(sale=sale, tranches=planned, actor=None)
    assert Tranche.objects.filter(pk=deed.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_the_template_at_once_give_the_sale_one_schedule():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    programme = ProgrammeFactory(country=Programme.Country.FR)
    sale = SaleFactory(programme=programme)  # no template yet: no schedule
    template_make(programme)
    barrier = threading.Barrier(2)

    def copy():
        try:
            barrier.wait(timeout=10)
            schedule_copy_for_sale(sale=sale, actor=None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [t.trigger for t in schedule_of(sale)] == [t for t, _p in VEFA_PARTS]
    assert AuditEntry.objects.filter(action="schedule.copied", object_id=str(sale.pk)).count() == 1
