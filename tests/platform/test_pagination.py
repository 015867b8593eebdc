"""The client space's lists count their rows without a COUNT query when one page holds them all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.pagination import FirstPagePaginator
from programmes.models import Lot
from tests.factories import ProgrammeFactory, lots_make

pytestmark = pytest.mark.django_db


def read(paginator, number):
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(number)
        rows = [lot.number for lot in page.object_list]
        shown = (page.number, page.paginator.count, page.paginator.num_pages, page.has_next())
    return rows, shown, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("number", [None, "", "1", 1, "abc"])
def test_a_first_page_that_holds_every_row_is_read_in_one_query(number):
    lots_make(ProgrammeFactory(), 3)

    rows, shown, sql = read(FirstPagePaginator(Lot.objects.order_by("number"), 5), number)

    assert rows == ["L001", "L002", "L003"]
    assert shown == (1, 3, 1, False)
    assert len(sql) == 1 and "COUNT" not in sql[0]


def test_a_page_exactly_full_is_still_known_to_be_the_last():
    lots_make(ProgrammeFactory(), 5)

    rows, shown, sql = read(FirstPagePaginator(Lot.objects.order_by("number"), 5), 1)

    assert len(rows) == 5 and shown == (1, 5, 1, False) and len(sql) == 1


def test_longer_lists_are_counted_and_paged_as_django_does():
    lots_make(ProgrammeFactory(), 12)
    paginator = FirstPagePaginator(Lot.objects.order_by("number"), 5)

    first, first_shown, _sql = read(paginator, 1)
    last, last_shown, _sql = read(FirstPagePaginator(Lot.objects.order_by("number"), 5), "9")

    assert first == ["L001", "L002", "L003", "L004", "L005"] and first_shown == (1, 12, 3, True)
    assert last == ["L011", "L012"] and last_shown == (3, 12, 3, False)  # past the end: the last page


def test_an_empty_list_has_one_empty_page():
    rows, shown, _sql = read(FirstPagePaginator(Lot.objects.none(), 5), 1)

    assert rows == [] and shown == (1, 0, 1, False)
