"""ACC-4 in the back-office: staff of programme A see nothing of programme B, anywhere."""

import json

import pytest
from django.urls import reverse

from sales.models import SaleAssignment
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory
from tests.sales_admin.helpers import sale_make

pytestmark = pytest.mark.django_db

SALES = reverse("admin:sales_sale_changelist")
BUYERS = reverse("admin:sales_buyer_changelist")


@pytest.fixture
def sales(world):
    sale_a = sale_make(world.a, world.anne)
    sale_b = sale_make(world.b, world.bob)
    # Anne works on a second programme, so the programme filter has something to offer.
    other = ProgrammeFactory(name="Programme CCC", code="ccc")
    other.staff.add(world.anne)
    return sale_a, sale_b


def change_url(sale) -> str:
    return reverse("admin:sales_sale_change", args=[sale.pk])


def filter_choices(response, title: str) -> list[str]:
    [spec] = [spec for spec in response.context["cl"].filter_specs if str(spec.title) == title]
    return [str(label) for _pk, label in spec.lookup_choices]


def test_the_sales_list_shows_only_their_programmes_sales(client, world, sales):
    client.force_login(world.anne)

    content = client.get(SALES).content.decode()

    assert sales[0].reference in content
    assert sales[1].reference not in content


def test_the_sales_filters_offer_only_their_programmes_and_advisors(client, world, sales):
    client.force_login(world.anne)

    response = client.get(SALES)

    assert filter_choices(response, "programme") == ["Programme AAA", "Programme CCC"]
    assert filter_choices(response, "advisor") == [str(world.anne)]
    assert "Programme BBB" not in response.content.decode()


def test_a_filter_on_another_programme_shows_none_of_its_sales(client, world, sales):
    client.force_login(world.anne)

    content = client.get(SALES, {"programme__id__exact": world.b.pk}).content.decode()

    assert sales[1].reference not in content


def test_searching_finds_nothing_of_another_programme(client, world, sales):
    client.force_login(world.anne)
    buyer_b = sales[1].buyers.get()

    content = client.get(SALES, {"q": buyer_b.email}).content.decode()

    assert sales[1].reference not in content


def test_the_change_page_of_another_programmes_sale_shows_nothing_of_it(client, world, sales):
    client.force_login(world.anne)
    buyer_b = sales[1].buyers.get()

    response = client.get(change_url(sales[1]))

    assert response.status_code == 404
    content = response.content.decode()
    assert buyer_b.email not in content and sales[1].reference not in content


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("admin:sales_sale_stage", []),
        ("admin:sales_sale_reactivate", []),
        ("admin:sales_sale_request", ["confirm"]),
        ("admin:sales_sale_access", ["send"]),
    ],
)
def test_the_buttons_of_another_programmes_sale_answer_404(client, world, sales, name, extra):
    client.force_login(world.anne)

    response = client.post(reverse(name, args=[sales[1].pk, *extra]), {"target": "cancelled"})

    assert response.status_code == 404
    sales[1].refresh_from_db()
    assert sales[1].stage == "option"


def test_the_buyers_list_shows_their_programmes_buyers_and_buyers_without_a_sale(client, world, sales):
    newcomer = BuyerFactory(last_name="Newcomer")
    client.force_login(world.anne)

    content = client.get(BUYERS).content.decode()

    assert sales[0].buyers.get().email in content
    assert newcomer.email in content
    assert sales[1].buyers.get().email not in content


def test_a_buyer_of_both_programmes_shows_only_the_sales_of_mine(client, world, sales):
    from sales.services import sale_create
    from tests.factories import lots_make

    shared = sales[0].buyers.get()
    other = sale_create(actor=world.bob, programme=world.b, lots=lots_make(world.b, 1), buyers=[shared])
    client.force_login(world.anne)

    content = client.get(reverse("admin:sales_buyer_change", args=[shared.pk])).content.decode()

    assert sales[0].reference in content
    assert other.reference not in content


def test_another_programmes_buyer_does_not_open(client, world, sales):
    client.force_login(world.anne)
    buyer_b = sales[1].buyers.get()

    response = client.get(reverse("admin:sales_buyer_change", args=[buyer_b.pk]))

    assert response.status_code == 404
    assert buyer_b.email not in response.content.decode()


def test_the_buyer_autocomplete_answers_only_buyers_they_may_see(client, world, sales):
    newcomer = BuyerFactory(last_name="Newcomer")
    client.force_login(world.anne)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "sales", "model_name": "sale", "field_name": "buyers", "term": ""},
    )

    names = {row["text"] for row in json.loads(response.content)["results"]}
    assert names == {str(sales[0].buyers.get()), str(newcomer)}


def test_the_add_form_offers_only_their_programmes_lots(client, world, sales):
    from tests.factories import lots_make

    [lot_a] = lots_make(world.a, 1)
    [lot_b] = lots_make(world.b, 1)
    client.force_login(world.anne)

    response = client.get(reverse("admin:sales_sale_add"))

    offered = set(response.context["adminform"].form.fields["lots"].queryset)
    assert lot_a in offered and lot_b not in offered


def test_the_advisor_choices_are_the_staff_of_their_programmes(client, world, sales):
    client.force_login(world.anne)

    form = client.get(change_url(sales[0])).context["adminform"].form

    assert list(form.fields["advisor"].queryset) == [world.anne]
    assert [value for value, _label in form.fields["advisor"].choices if value] == [world.anne.pk]


def test_notaries_are_offered_but_no_buyer_or_staff_account(client, world, sales):
    from portal.users.roles import Role

    notary = make_user("notary@example.test", role=Role.NOTARY, last_name="Notary")
    buyer_account = make_user("someone@example.test", role=Role.BUYER)
    client.force_login(world.anne)

    response = client.get(change_url(sales[0]))

    [inline] = response.context["inline_admin_formsets"]
    offered = [value for value, _label in inline.formset.empty_form.fields["user"].choices if value]
    assert offered == [notary.pk]
    assert buyer_account.pk not in offered and world.bob.pk not in offered


def test_the_dashboard_counts_only_their_programmes(client, world, sales):
    sale_make(world.b, world.bob)
    client.force_login(world.anne)

    dashboard = client.get(reverse("admin:sales_sale_dashboard")).context["dashboard"]

    assert [row.name for row in dashboard["rows"]] == ["Programme AAA"]
    assert dashboard["total_count"] == 1


def test_an_administrator_sees_every_programmes_sales_and_buyers(client, world, sales, chief):
    client.force_login(chief)

    sales_page = client.get(SALES).content.decode()
    buyers_page = client.get(BUYERS).content.decode()

    assert sales[0].reference in sales_page and sales[1].reference in sales_page
    assert sales[1].buyers.get().email in buyers_page
    assert client.get(change_url(sales[1])).status_code == 200


def test_a_notary_assigned_to_a_sale_cannot_open_the_back_office(client, world, sales):
    from portal.users.roles import Role

    notary = make_user("notary@example.test", role=Role.NOTARY)
    SaleAssignment.objects.create(sale=sales[0], user=notary, role=SaleAssignment.Role.NOTARY)
    client.force_login(notary)

    response = client.get(change_url(sales[0]))

    assert response.status_code == 302
    assert sales[0].reference not in response.content.decode()
