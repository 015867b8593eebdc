"""The ledger in the back-office: accountants and administrators read it (accountants their
programmes' only), accountants and administrators re-allocate an entry with a reason, and every
page costs the same queries with ten times more data."""

from datetime import date
from decimal import Decimal

import pytest

from payments.services.money import payment_record_transfer
from payments.services.requests import payment_request_create
from portal.audit.models import AuditEntry
from portal.users.roles import Role
from sales.services import sale_create
from schedules.models import LedgerEntry, Tranche
from tests.conftest import make_user
from tests.factories import BuyerFactory, lots_make
from tests.sales_admin.helpers import (
    ADMIN_QUERY_BUDGET,
    count_get_queries,
    programme_with_staff,
    staff_of,
)
from tests.schedules.factories import schedule_make
from tests.schedules.ledger_helpers import SMALL_PARTS, paid_of

pytestmark = pytest.mark.django_db

LIST = "/admin/schedules/ledgerentry/"


def paid_sale(
    programme,
    advisor,
    accountant,
    amount: str = "2500.00",
    *,
    reference: str = "INV-1",
    on=None,
    method="transfer",
):
    sale = sale_create(
        actor=advisor,
        programme=programme,
        lots=lots_make(programme, 1, price=Decimal("10000.00")),
        buyers=[BuyerFactory()],
        advisor=advisor,
    )
    schedule_make(sale, SMALL_PARTS)
    payment = payment_request_create(
        actor=advisor, sale=sale, amount=Decimal(amount), reference=reference, notify=False
    )
    payment_record_transfer(
        actor=accountant,
        payment=payment,
        amount=Decimal(amount),
        received_on=on or date(2026, 3, 2),
        method=method,
    )
    return sale


@pytest.fixture
def world():
    a, anne = programme_with_staff("aaa", "anne@example.test")
    b, bob = programme_with_staff("bbb", "bob@example.test")
    ada = staff_of(a, "ada@example.test", role=Role.ACCOUNTANT)
    bea = staff_of(b, "bea@example.test", role=Role.ACCOUNTANT)
    carl = staff_of(a, "carl@example.test", role=Role.CUSTOMER_SERVICE)
    chief = make_user("chief@example.test", role=Role.ADMINISTRATOR, language="en")
    sale_a = paid_sale(a, anne, ada, reference="PAY-A")
    sale_b = paid_sale(b, bob, bea, reference="PAY-B")

    class World:
        pass

    world = World()
    world.__dict__.update(
        a=a,
        b=b,
        anne=anne,
        bob=bob,
        ada=ada,
        bea=bea,
        carl=carl,
        chief=chief,
        sale_a=sale_a,
        sale_b=sale_b,
        entry_a=LedgerEntry.objects.get(sale=sale_a),
        entry_b=LedgerEntry.objects.get(sale=sale_b),
    )
    return world


def entry_url(entry, page: str = "change") -> str:
    return f"{LIST}{entry.pk}/{page}/"


# Who reads what -----------------------------------------------------------------------------------


def test_an_accountant_reads_the_ledger_of_his_programmes_only(client, world):
    client.force_login(world.ada)

    page = client.get(LIST).text

    assert "PAY-A" in page
    assert "PAY-B" not in page
    assert client.get(entry_url(world.entry_a)).status_code == 200
    assert client.get(entry_url(world.entry_b)).status_code == 404
    assert client.get(entry_url(world.entry_b, "reallocate")).status_code == 404


def test_an_administrator_reads_every_programme(client, world):
    client.force_login(world.chief)

    page = client.get(LIST).text

    assert "PAY-A" in page and "PAY-B" in page


@pytest.mark.parametrize("persona", ["anne", "carl"])
def test_sales_staff_and_customer_service_do_not_open_the_ledger(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(LIST).status_code == 403
    assert client.get(entry_url(world.entry_a)).status_code == 403
    assert client.get(entry_url(world.entry_a, "reallocate")).status_code == 403


def test_nobody_adds_changes_or_deletes_an_entry(client, world):
    client.force_login(world.chief)

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(entry_url(world.entry_a, "delete")).status_code == 403
    response = client.post(entry_url(world.entry_a), {"amount": "1.00"})
    assert response.status_code == 403
    assert LedgerEntry.objects.get(pk=world.entry_a.pk).amount == Decimal("2500.00")


def test_the_filters(client, world):
    paid_sale(
        world.a, world.anne, world.ada, "100.00", reference="LATER", on=date(2026, 4, 10), method="cheque"
    )
    client.force_login(world.chief)

    by_programme = client.get(f"{LIST}?programme__id__exact={world.b.pk}").text
    by_kind = client.get(f"{LIST}?kind__exact=cheque").text
    by_date = client.get(f"{LIST}?booked_on__gte=2026-04-01&booked_on__lt=2026-05-01").text

    assert "PAY-B" in by_programme and "PAY-A" not in by_programme
    assert "LATER" in by_kind and "PAY-A" not in by_kind and "PAY-B" not in by_kind
    assert "LATER" in by_date and "PAY-A" not in by_date


# The entry's page and its re-allocation -------------------------------------------------------------


def test_the_entry_page_shows_its_allocations_and_the_reallocate_button(client, world):
    client.force_login(world.ada)

    page = client.get(entry_url(world.entry_a)).text

    assert 'id="ledger-allocations"' in page
    assert "1. Signature of the deed" in page
    assert entry_url(world.entry_a, "reallocate") in page


def test_an_accountant_reallocates_with_a_reason(client, world):
    first, second, third = Tranche.objects.filter(sale=world.sale_a).order_by("position")
    client.force_login(world.ada)
    body = {f"tranche_{first.pk}": "1000.00", f"tranche_{second.pk}": "", f"tranche_{third.pk}": "1500.00"}

    refused = client.post(entry_url(world.entry_a, "reallocate"), body)
    assert refused.status_code == 200  # the reason is required: the form comes back
    assert paid_of(world.sale_a) == [Decimal("2000.00"), Decimal("500.00"), Decimal("0.00")]

    done = client.post(entry_url(world.entry_a, "reallocate"), {**body, "reason": "Asked by the notary"})

    assert done.status_code == 302
    assert paid_of(world.sale_a) == [Decimal("1000.00"), Decimal("0.00"), Decimal("1500.00")]
    audit = AuditEntry.objects.get(action="ledger.reallocated")
    assert audit.actor == world.ada
    assert audit.data["reason"] == "Asked by the notary"


def test_a_split_above_the_entry_is_refused_in_words(client, world):
    first, second, _third = Tranche.objects.filter(sale=world.sale_a).order_by("position")
    client.force_login(world.chief)

    page = client.post(
        entry_url(world.entry_a, "reallocate"),
        {f"tranche_{first.pk}": "2000.00", f"tranche_{second.pk}": "500.01", "reason": "typo"},
    ).text

    assert "more than the entry" in page
    assert paid_of(world.sale_a) == [Decimal("2000.00"), Decimal("500.00"), Decimal("0.00")]


# Query budgets ----------------------------------------------------------------------------------------


def grow(world, size: int) -> None:
    for index in range(size):
        paid_sale(world.a, world.anne, world.ada, "3000.00", reference=f"GROW-{index}")


PAGES = {
    "ledger": lambda world: LIST,
    "ledger, filtered": lambda world: f"{LIST}?programme__id__exact={world.a.pk}&kind__exact=transfer&q=GROW",
    "entry page": lambda world: entry_url(world.entry_a),
    "re-allocation form": lambda world: entry_url(world.entry_a, "reallocate"),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["ada", "chief"])
def test_the_page_costs_the_same_few_queries_whatever_the_data(client, world, page, persona):
    client.force_login(getattr(world, persona))
    address = PAGES[page](world)
    grow(world, 1)
    small = count_get_queries(client, address)

    grow(world, 10)
    large = count_get_queries(client, address)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET
