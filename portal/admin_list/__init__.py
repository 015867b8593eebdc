"""A change list whose headers and rows are written in one pass instead of one template node
per cell.

Django renders a change list's rows through `items_for_result`, which looks up each column's
field, label, choices and CSS classes again for every cell, reverses the change URL and
re-parses the preserved filters for every row, then renders a template node per cell. Here what
every row shares is worked out once per request and the rows' HTML is written directly, with the
same markup as Django's `admin/change_list_results.html` (the admin's scripts and styles rely on
it; tests/sales_admin/test_compact_list.py compares the two). `make bench` shows what it pays on
the sales list; the rest of the page (filters, search, pagination, actions, sidebar) is Django's
own templates. A list with editable columns (`list_editable`) keeps Django's rows.

The few words of the headers are Django's own, translated by Django's catalogues (`markup`).
"""

from django.contrib.admin.views.main import ChangeList

from portal.admin_list.rows import CompactResults


class CompactChangeList(CompactResults, ChangeList):
    """A ChangeList whose template shows `{{ cl.compact_result_list }}` where Django's has
    `{% result_list cl %}` (templates/admin/compact_change_list.html)."""


__all__ = ["CompactChangeList"]
