"""A paginator that spares the COUNT query when the first page holds every row."""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property


class FirstPagePaginator(Paginator):
    """Reads the first page with one row more than it shows: when that row is missing, the page
    holds every row and their number is known without asking the database. Most buyers have one
    or two purchases, so their pages make one query fewer; longer lists count as usual."""

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._first_rows: list | None = None

    @cached_property
    def count(self) -> int:
        if self._first_rows is not None and len(self._first_rows) <= self.per_page:
            return len(self._first_rows)
        return Paginator.count.func(self)  # type: ignore[attr-defined]

    def page(self, number) -> Page:
        if number != 1:
            return super().page(number)
        if self._first_rows is None:
            self._first_rows = list(self.object_list[: self.per_page + 1])
        self.validate_number(1)
        return self._get_page(self._first_rows[: self.per_page], 1, self)

    def get_page(self, number) -> Page:
        """As Django's: a missing or unreadable number is the first page, which reads its rows
        before their count is asked for."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        if number == 1:
            return self.page(1)
        return super().get_page(number)
