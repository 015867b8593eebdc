"""Shared by the back-office tests: personas, data sets and the query counter."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.users.roles import Role
from sales.models import SaleAssignment
from sales.services import sale_create, sale_move_stage
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make


def staff_of(programme, email: str, *, role: Role = Role.SALES):
    """A staff member assigned to one programme, reading English pages."""
    user = make_user(
        email, role=role, first_name=email.split("@")[0].title(), last_name="Staff", language="en"
    )
    programme.staff.add(user)
    return user


def sale_make(programme, actor, *, lots: int = 1, buyers: int = 1, **kwargs):
    return sale_create(
        actor=actor,
        programme=programme,
        lots=lots_make(programme, lots),
        buyers=[BuyerFactory() for _ in range(buyers)],
        advisor=actor,
        **kwargs,
    )


def sales_make(programme, actor, count: int, *, notary=None) -> list:
    """`count` sales with two lots and two buyers each, some moved along, some with a notary."""
    made = []
    for index in range(count):
        sale = sale_make(programme, actor, lots=2, buyers=2)
        if index % 2:
            sale_move_stage(actor=actor, sale=sale, target="reservation_signed")
        if notary is not None:
            SaleAssignment.objects.create(sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
        made.append(sale)
    return made


def programme_with_staff(code: str, email: str):
    programme = ProgrammeFactory(code=code, name=f"Programme {code.upper()}")
    return programme, staff_of(programme, email)


def count_get_queries(client, url: str) -> int:
    """The queries of one GET of `url`, once the session and caches are warm."""
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def captured_get(client, url: str):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [query["sql"] for query in queries.captured_queries]


# Every back-office page, session and user included, costs at most this many queries, and the
# same number with ten times more data.
ADMIN_QUERY_BUDGET = 12
