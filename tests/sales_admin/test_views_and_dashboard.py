"""SAL-6: saved views of the sales list (per user) and the sales dashboard."""

import pytest
from django.urls import reverse

from sales.models import SavedView
from sales.services import sale_move_stage
from tests.factories import ProgrammeFactory
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db

LIST = reverse("admin:sales_sale_changelist")
SAVE = reverse("admin:sales_sale_savedview_save")
DASHBOARD = reverse("admin:sales_sale_dashboard")


def test_the_current_filters_are_saved_under_a_name_and_reopen(client, world):
    signed = sale_make(world.a, world.anne)
    sale_move_stage(actor=world.anne, sale=signed, target="reservation_signed")
    option = sale_make(world.a, world.anne)
    client.force_login(world.anne)
    page = client.get(LIST, {"stage__exact": "reservation_signed", "p": "1"})
    assert page.context["current_query"] == "stage__exact=reservation_signed&p=1"

    response = client.post(SAVE, {"name": "Signed", "query": page.context["current_query"]})

    view = SavedView.objects.get(owner=world.anne)
    assert (view.name, view.query) == ("Signed", "stage__exact=reservation_signed")
    assert response.url == f"{LIST}?stage__exact=reservation_signed"
    listed = client.get(LIST)
    assert 'href="?stage__exact=reservation_signed">Signed</a>' in listed.content.decode()
    reopened = client.get(response.url).content.decode()
    assert signed.reference in reopened and option.reference not in reopened


def test_saving_a_name_again_replaces_that_view(client, world):
    client.force_login(world.anne)

    client.post(SAVE, {"name": "Mine", "query": "stage__exact=option"})
    client.post(SAVE, {"name": "Mine", "query": "stage__exact=cancelled"})

    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "stage__exact=cancelled")]


def test_a_view_without_a_name_is_not_saved(client, world):
    client.force_login(world.anne)

    response = client.post(SAVE, {"name": "", "query": "stage__exact=option"}, follow=True)

    assert "Give the view a name" in response.content.decode()
    assert not SavedView.objects.exists()


def test_saved_views_belong_to_their_owner(client, world):
    mine = SavedView.objects.create(owner=world.anne, name="Anne's", query="stage__exact=option")
    SavedView.objects.create(owner=world.bob, name="Bob's", query="stage__exact=cancelled")
    client.force_login(world.bob)

    page = client.get(LIST)
    delete = client.post(reverse("admin:sales_sale_savedview_delete", args=[mine.pk]))

    assert [view.name for view in page.context["saved_views"]] == ["Bob's"]
    assert "Anne&#x27;s" not in page.content.decode()
    assert delete.status_code == 404
    assert SavedView.objects.filter(pk=mine.pk).exists()


def test_the_owner_deletes_his_view(client, world):
    mine = SavedView.objects.create(owner=world.anne, name="Old", query="stage__exact=option")
    client.force_login(world.anne)

    response = client.post(reverse("admin:sales_sale_savedview_delete", args=[mine.pk]))

    assert response.url == LIST
    assert not SavedView.objects.exists()


def test_the_dashboard_counts_and_sums_per_stage_and_programme(client, world):
    world.a.staff.add(world.anne)
    other = ProgrammeFactory(name="Programme ZZZ", code="zzz", currency="PLN")
    other.staff.add(world.anne)
    sale_make(world.a, world.anne)  # 200,000 at option
    sale_make(world.a, world.anne, lots=2)  # 400,000 at option
    signed = sale_make(world.a, world.anne)
    sale_move_stage(actor=world.anne, sale=signed, target="reservation_signed")
    cancelled = sale_make(world.a, world.anne)
    sale_move_stage(actor=world.anne, sale=cancelled, target="cancelled")
    sale_make(other, world.anne)  # 200,000 zł at option
    client.force_login(world.anne)

    response = client.get(DASHBOARD)

    dashboard = response.context["dashboard"]
    assert dashboard["stages"][:2] == ["Option", "Reservation signed"]
    row_a, row_z = dashboard["rows"]
    assert (row_a.name, row_z.name) == ("Programme AAA", "Programme ZZZ")
    assert [cell.count for cell in row_a.cells] == [2, 1, 0, 0, 0, 0, 0, 1, 0]
    assert (row_a.cells[0].amount, row_a.cells[1].amount) == ("€600,000.00", "€200,000.00")
    assert row_a.amount == "€800,000.00"  # the cancelled sale is not a live one
    assert row_z.cells[0].amount == "PLN200,000.00"
    assert dashboard["totals"][0].count == 3
    assert dashboard["totals"][0].amount == "€600,000.00 · PLN200,000.00"
    assert dashboard["total_count"] == 5


def test_the_dashboard_chart_is_drawn_on_the_server_without_script(client, world):
    for _ in range(2):
        sale_make(world.a, world.anne)
    signed = sale_make(world.a, world.anne)
    sale_move_stage(actor=world.anne, sale=signed, target="reservation_signed")
    client.force_login(world.anne)

    response = client.get(DASHBOARD)

    bars = response.context["dashboard"]["bars"]
    option, reservation = bars[0], bars[1]
    assert (option.count, reservation.count) == (2, 1)
    assert option.height == pytest.approx(2 * reservation.height)
    assert option.y + option.height == reservation.y + reservation.height  # one baseline
    content = response.content.decode()
    assert "<svg" in content and f'height="{option.height}"' in content
    assert "<script" not in content.split('id="content"')[-1]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_the_dashboard_is_linked_from_the_sales_list_and_the_admin_index(client, world):
    client.force_login(world.anne)

    assert DASHBOARD in client.get(LIST).content.decode()
    assert DASHBOARD in client.get(reverse("admin:index")).content.decode()


def test_the_dashboard_of_someone_without_sales_is_empty(client, world):
    client.force_login(world.bob)

    response = client.get(DASHBOARD)

    assert response.context["dashboard"]["rows"] == []
    assert "No sale yet." in response.content.decode()


def test_the_chart_keeps_its_numbers_readable_by_the_browser_in_french(client, world):
    world.anne.language = "fr"
    world.anne.save()
    for _ in range(3):
        sale_make(world.a, world.anne)
    client.force_login(world.anne)

    response = client.get(DASHBOARD)

    svg = response.content.decode().split('id="dashboard-chart"')[1].split("</svg>")[0]
    bar = response.context["dashboard"]["bars"][1]
    assert f'x="{bar.x}"' in svg and "." in str(bar.x)
    assert not any("," in value for value in svg.split('"')[1::2] if value[:1].isdigit())
