"""The busiest parts of an admin change list written in one pass instead of one template node at a time.

Django renders a change list's rows through `items_for_result`, which looks up each column's
field, label, choices and CSS classes again for every cell, reverses the change URL and
re-parses the preserved filters for every row, then a template node per cell; the headers,
filters, pagination, search form, action bar, user tools and navigation sidebar go through
templates and inclusion tags of their own. Here what every row shares is worked out once per
request and the HTML is written directly: the same markup as Django's templates (the admin's
scripts and styles rely on it; tests/sales_admin/test_compact_list.py compares the two), for a
fraction of the cost. A change list with editable columns (`list_editable`) and filters with
templates of their own keep Django's rendering.

The few words on these parts are Django's own, translated by Django's catalogues; `markup`
reads them there, and keeps them out of the project's (makemessages only collects literal
arguments of gettext and its usual aliases).
"""

from programmes.admin.compact.changelist import CompactChangeList
from programmes.admin.compact.page import (
    actions_html,
    add_link_html,
    compact_context,
    nav_sidebar_html,
    user_tools_html,
)

__all__ = [
    "CompactChangeList",
    "actions_html",
    "add_link_html",
    "compact_context",
    "nav_sidebar_html",
    "user_tools_html",
]
