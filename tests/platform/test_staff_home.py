"""The back-office's home page shows each staff member what he must act on, from his programmes."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from payments.services.lists import payment_reconcile
from portal.alerts.models import Alert
from portal.users.roles import Role
from sales.models import Sale
from tests.conftest import make_user
from tests.factories import request_make
from tests.payments_admin.helpers import paid_by_transfer
from tests.sales_admin.helpers import count_get_queries, programme_with_staff, sale_make, staff_of

pytestmark = pytest.mark.django_db

HOME = "/admin/"
# Session, user, permissions, the panels (a count and a few rows each) and the recent actions.
HOME_QUERY_BUDGET = 16


@pytest.fixture(autouse=True)
def _backoffice(settings):
    settings.STAFF_MFA_REQUIRED = False
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    """Programme A: Anne (sales), Ada (accountant), Sam (customer service); programme B: Bob
    (sales) and Bea (accountant). Chief administers every programme."""
    a, anne = programme_with_staff("aaa", "anne@example.test")
    b, bob = programme_with_staff("bbb", "bob@example.test")
    return SimpleNamespace(
        a=a,
        b=b,
        anne=anne,
        bob=bob,
        ada=staff_of(a, "ada@example.test", role=Role.ACCOUNTANT),
        bea=staff_of(b, "bea@example.test", role=Role.ACCOUNTANT),
        sam=staff_of(a, "sam@example.test", role=Role.CUSTOMER_SERVICE),
        chief=make_user("chief@example.test", role=Role.ADMINISTRATOR, language="en", first_name="Chief"),
    )


def requested_by_buyer(programme, advisor, *, count: int = 1) -> list[Sale]:
    sales = [sale_make(programme, advisor) for _ in range(count)]
    Sale.objects.filter(pk__in=[sale.pk for sale in sales]).update(requested_by_buyer=True)
    return sales


def held_until(programme, advisor, moment) -> Sale:
    sale = sale_make(programme, advisor)
    Sale.objects.filter(pk=sale.pk).update(hold_until=moment)
    return sale


def paid(programme, advisor, accountant, reference: str):
    payment = request_make(sale_make(programme, advisor), actor=advisor, reference=reference)
    paid_by_transfer(payment, accountant)
    return payment


def overdue(programme, advisor, reference: str):
    payment = request_make(sale_make(programme, advisor), actor=advisor, reference=reference)
    type(payment).objects.filter(pk=payment.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    return payment


def home(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.context["staff_home"], response.content.decode()


def test_a_salesperson_sees_his_programmes_requests_holds_and_overdue_payments_but_not_reconciling(
    client, world
):
    requested_by_buyer(world.a, world.anne, count=2)
    requested_by_buyer(world.b, world.bob, count=3)
    soon = timezone.now() + timedelta(days=2)
    held_until(world.a, world.anne, soon)
    held_until(world.a, world.anne, timezone.now() + timedelta(days=10))  # not soon
    held_until(world.b, world.bob, soon)
    overdue(world.a, world.anne, "LATE-A")
    overdue(world.b, world.bob, "LATE-B")
    paid(world.a, world.anne, world.ada, "PAID-A")

    panels, page = home(client, world.anne)

    assert panels.requests.count == 2
    assert panels.holds_ending.count == 1
    assert [payment.reference for payment in panels.overdue.rows] == ["LATE-A"]
    assert panels.to_reconcile is None
    assert "Reservation requests to answer" in page
    assert "/admin/sales/sale/?request=pending" in page
    assert "Options ending within 3 days" in page
    assert "LATE-A" in page and "LATE-B" not in page
    assert "Payments to reconcile" not in page


def test_an_accountant_sees_the_money_to_reconcile_of_his_programmes_only(client, world):
    paid(world.a, world.anne, world.ada, "PAID-A1")
    done = paid(world.a, world.anne, world.ada, "PAID-A2")
    payment_reconcile(actor=world.ada, payment=done)
    request_make(sale_make(world.a, world.anne), actor=world.anne, reference="OPEN-A")  # no money yet
    paid(world.b, world.bob, world.bea, "PAID-B")
    requested_by_buyer(world.a, world.anne)

    panels, page = home(client, world.ada)

    assert panels.to_reconcile.count == 1
    assert [payment.reference for payment in panels.to_reconcile.rows] == ["PAID-A1"]
    assert "PAID-B" not in page and "OPEN-A" not in page
    assert panels.requests is None and panels.holds_ending is None and panels.overdue is None
    assert "Reconcile the payment" in page
    assert "?reconciled=no&amp;status__in=paid,refund_requested,partly_refunded,refunded" in page


def test_the_reconcile_link_opens_the_payments_list_with_just_those_payments(client, world):
    paid(world.a, world.anne, world.ada, "PAID-A1")
    request_make(sale_make(world.a, world.anne), actor=world.anne, reference="OPEN-A")
    client.force_login(world.ada)
    panels, _ = home(client, world.ada)
    address = (
        "/admin/payments/payment/?reconciled=no&status__in=paid,refund_requested,partly_refunded,refunded"
    )

    response = client.get(address)

    assert response.status_code == 200
    assert [payment.reference for payment in response.context["cl"].result_list] == ["PAID-A1"]


def test_customer_service_sees_only_his_alerts_and_not_another_users(client, world):
    for index in range(7):
        Alert.objects.create(
            user=world.sam, key=f"sam-{index}", text=f"Message {index} for Sam", link="/admin/"
        )
    Alert.objects.create(user=world.sam, key="sam-read", text="Already read", read_at=timezone.now())
    Alert.objects.create(user=world.anne, key="anne-1", text="For Anne only")
    requested_by_buyer(world.a, world.anne)

    panels, page = home(client, world.sam)

    assert panels.alerts.count == 7
    assert len(panels.alerts.rows) == 5
    assert "Message 6 for Sam" in page and "Message 1 for Sam" not in page
    assert "Already read" not in page and "For Anne only" not in page
    assert "See the 7 unread alerts" in page and "/admin/alerts/alert/?state=unread" in page
    assert panels.requests is None and panels.to_reconcile is None
    assert "Reservation requests to answer" not in page


def test_an_administrator_sees_every_programme_in_every_panel(client, world):
    requested_by_buyer(world.a, world.anne)
    requested_by_buyer(world.b, world.bob)
    paid(world.a, world.anne, world.ada, "PAID-A")
    paid(world.b, world.bob, world.bea, "PAID-B")

    panels, page = home(client, world.chief)

    assert panels.requests.count == 2
    assert panels.to_reconcile.count == 2
    assert panels.overdue.count == 0  # he advises none of them
    assert "PAID-A" in page and "PAID-B" in page


def test_each_panel_says_in_words_when_there_is_nothing_to_do(client, world):
    _, page = home(client, world.chief)

    assert "No unread alert: you are up to date." in page
    assert "Every payment received is reconciled." in page
    assert "No reservation request is waiting for an answer." in page
    assert "No option ends within 3 days." in page
    assert "No payment of your sales is overdue." in page


def test_the_app_list_stays_on_the_home_page(client, world):
    _, page = home(client, world.anne)

    assert 'id="home-alerts"' in page
    assert "/admin/sales/sale/" in page and 'class="app-sales' in page


def test_a_buyer_never_reaches_the_home_page(client, world, buyer):
    client.force_login(buyer)

    response = client.get(HOME)

    assert response.status_code in (302, 403)
    assert "staff_home" not in (response.context or {})


def grow(world, size: int, *, start: int = 0) -> None:
    for index in range(start, start + size):
        Alert.objects.create(user=world.anne, key=f"g-anne-{index}", text=f"Alert {index}")
        Alert.objects.create(user=world.ada, key=f"g-ada-{index}", text=f"Alert {index}")
        Alert.objects.create(user=world.chief, key=f"g-chief-{index}", text=f"Alert {index}")
        requested_by_buyer(world.a, world.anne)
        held_until(world.a, world.anne, timezone.now() + timedelta(days=1))
        overdue(world.a, world.anne, f"LATE-{index}")
        paid(world.a, world.anne, world.ada, f"PAID-{index}")


@pytest.mark.parametrize("persona", ["anne", "ada", "sam", "chief"])
def test_the_home_page_costs_the_same_few_queries_whatever_the_data(client, world, persona):
    client.force_login(getattr(world, persona))
    grow(world, 2)
    small = count_get_queries(client, HOME)

    grow(world, 20, start=2)
    large = count_get_queries(client, HOME)

    assert small == large
    assert large <= HOME_QUERY_BUDGET


def test_the_options_panel_opens_the_sales_list_with_just_those_options(client, world):
    soon = held_until(world.a, world.anne, timezone.now() + timedelta(days=2))
    edge = held_until(world.a, world.anne, timezone.now() + timedelta(days=3, minutes=-5))
    held_until(world.a, world.anne, timezone.now() + timedelta(days=3, minutes=5))  # not soon
    held_until(world.a, world.anne, timezone.now() - timedelta(minutes=5))  # already over
    held_until(world.b, world.bob, timezone.now() + timedelta(days=1))  # not Anne's programme

    panels, page = home(client, world.anne)
    listed = client.get("/admin/sales/sale/?hold=ending").context["cl"].result_list

    assert panels.holds_ending.count == 2
    assert "/admin/sales/sale/?hold=ending" in page and "See the 2 options" in page
    assert sorted(sale.pk for sale in listed) == sorted([soon.pk, edge.pk])
