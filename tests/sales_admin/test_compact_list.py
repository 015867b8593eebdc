"""The sales list's rows, written in one pass (portal/admin_list), say what Django's template says.

They are compared with Django's own admin/change_list_results.html rendered on the same change
list, so a Django upgrade that changes the admin's markup shows here. Whitespace between tags is
ignored.
"""

import re

import pytest
from django.contrib.admin.templatetags.admin_list import result_list
from django.template import RequestContext
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BlockNode
from django.urls import reverse

from portal.users.roles import Role
from sales.models import Sale
from sales.services import sale_move_stage
from tests.conftest import make_user
from tests.factories import ProgrammeFactory
from tests.sales_admin.helpers import sale_make, sales_make, staff_of

pytestmark = pytest.mark.django_db

LIST = reverse("admin:sales_sale_changelist")


def normalized(html) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def django_block(template_name: str, block_name: str, response) -> str:
    """One block of one of Django's admin templates, rendered with the page's context."""
    template = get_template(template_name).template
    [block] = [node for node in template.nodelist.get_nodes_by_type(BlockNode) if node.name == block_name]
    context = RequestContext(response.wsgi_request, response.context_data)
    with context.bind_template(template):
        return block.render(context)


@pytest.fixture
def listed(world, chief):
    """Sales in two programmes, some moved on, with a few lots and buyers each."""
    sales_make(world.a, world.anne, 3)
    sales_make(world.b, world.bob, 2)
    cancelled = sale_make(world.a, world.anne, lots=2)
    sale_move_stage(actor=world.anne, sale=cancelled, target="cancelled")
    return world


QUERIES = [
    "",
    "?o=3.-8",
    "?o=2.-3.4",
    "?stage__exact=option",
    "?q=L001&p=1",
    "?_popup=1&_to_field=id",
    "?_facets=1",
    "?q=%3Cb%3E",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("persona", ["anne", "chief"])
def test_the_rows_match_djangos_template(client, listed, chief, persona, query):
    client.force_login(listed.anne if persona == "anne" else chief)

    response = client.get(LIST + query)

    assert response.status_code == 200
    cl = response.context["cl"]
    django = render_to_string("admin/change_list_results.html", result_list(cl))
    assert normalized(cl.compact_result_list()) == normalized(django)


def test_the_page_shows_the_compact_rows_within_djangos_page(client, listed):
    client.force_login(listed.anne)

    response = client.get(LIST)

    content = normalized(response.content.decode())
    assert normalized(response.context["cl"].compact_result_list()) in content
    # The rest is Django's own templates: filters, search, pagination, actions, sidebar, tools.
    for part in (
        'id="changelist-filter"',
        'id="changelist-search"',
        'class="paginator"',
        'name="action"',
        'id="nav-sidebar"',
        'id="user-tools"',
    ):
        assert part in content, part
    assert "Open a sale" in content  # the add button, worded by the sale admin


def test_a_list_without_results_says_so(client, listed):
    client.force_login(listed.anne)

    response = client.get(LIST, {"q": "no such sale"})

    assert 'id="result_list"' not in response.content.decode()
    assert "0 sales" in normalized(response.content.decode())


def test_the_rows_show_programme_advisor_main_buyer_and_lots_in_order(client, world):
    sale = sale_make(world.a, world.anne, lots=3, buyers=2)
    client.force_login(world.anne)

    row = next(line for line in client.get(LIST).content.decode().split("<tr") if sale.reference in line)

    numbers = ", ".join(sorted(link.lot.number for link in sale.sale_lots.all()))
    main = sale.sale_buyers.get(is_main=True).buyer
    assert f'<td class="field-lot_list">{numbers}</td>' in row
    assert f'<td class="field-main_buyer">{main.first_name} {main.last_name}</td>' in row
    assert f'<td class="field-programme nowrap">{world.a.name}</td>' in row
    assert f'<td class="field-advisor nowrap">{world.anne}</td>' in row


def test_an_advisor_on_no_programmes_staff_still_shows_in_his_rows(client, world, chief):
    outsider = make_user("outsider@example.test", role=Role.SALES, first_name="Olga", last_name="Outsider")
    sale = sale_make(world.a, world.anne)
    Sale.objects.filter(pk=sale.pk).update(advisor=outsider)
    client.force_login(chief)

    row = next(line for line in client.get(LIST).content.decode().split("<tr") if sale.reference in line)

    assert '<td class="field-advisor nowrap">Olga Outsider</td>' in row


# The advisor filter: the staff of the user's programmes, not a scan of the sales --------------


def advisor_choices(response) -> list[str]:
    [spec] = [spec for spec in response.context["cl"].filter_specs if str(spec.title) == "advisor"]
    return [label for _pk, label in spec.lookup_choices]


def test_the_advisor_filter_offers_the_staff_of_their_programmes(client, world):
    colleague = staff_of(world.a, "colleague@example.test")
    sale_make(world.a, world.anne)
    sale_make(world.b, world.bob)
    client.force_login(world.anne)

    offered = advisor_choices(client.get(LIST))

    # Bob works on programme B only: neither he nor B's sales are anything of Anne's.
    assert sorted(offered) == sorted([str(world.anne), str(colleague)])


def test_an_administrator_is_offered_the_staff_of_every_programme(client, world, chief):
    client.force_login(chief)

    offered = advisor_choices(client.get(LIST))

    assert sorted(offered) == sorted([str(world.anne), str(world.bob)])


def test_filtering_by_advisor_lists_only_their_sales(client, world):
    colleague = staff_of(world.a, "colleague@example.test")
    annes = sale_make(world.a, world.anne)
    colleagues = sale_make(world.a, colleague)
    client.force_login(world.anne)

    content = client.get(LIST, {"advisor__id__exact": colleague.pk}).content.decode()

    assert colleagues.reference in content and annes.reference not in content


def test_filtering_by_another_programmes_advisor_shows_none_of_its_sales(client, world):
    bobs = sale_make(world.b, world.bob)
    client.force_login(world.anne)

    response = client.get(LIST, {"advisor__id__exact": world.bob.pk})

    assert response.status_code == 200
    assert bobs.reference not in response.content.decode()
    assert str(world.bob) not in advisor_choices(response)


def test_a_programme_shared_with_another_staff_member_offers_him(client, world):
    shared = ProgrammeFactory(name="Programme SHARED", code="shr")
    shared.staff.add(world.anne, world.bob)
    client.force_login(world.anne)

    offered = advisor_choices(client.get(LIST))

    assert str(world.bob) in offered
