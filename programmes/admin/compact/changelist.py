"""A change list that writes its busiest parts in one pass (see programmes/admin/compact)."""

import string

from django.contrib.admin.templatetags.admin_list import pagination, paginator_number
from django.contrib.admin.views.main import IS_FACETS_VAR, IS_POPUP_VAR, SEARCH_VAR, ChangeList
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils.encoding import iri_to_uri
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from programmes.admin.compact.markup import django_format, django_plural, django_text, escape_text
from programmes.admin.compact.results import CompactResults

FILTER_TEMPLATE = "admin/filter.html"
SELECTED = ' class="selected"'
# What iri_to_uri leaves as it is: a query string made by urlencode holds nothing else.
_URI_SAFE = frozenset(string.ascii_letters + string.digits + "_.-~" + "/#%[]=:;$&()+,!?*@'")


def _iri(value) -> str:
    """The template's `|iriencode`, without quoting again what is already a URI."""
    value = str(value)
    return value if _URI_SAFE.issuperset(value) else iri_to_uri(value)


class CompactChangeList(CompactResults, ChangeList):
    """Mix into a ChangeList. Its template shows `cl.compact_result_list` where Django's has
    `{% result_list cl %}`, and likewise `cl.compact_filter_nav`, `cl.compact_pagination` and
    `cl.compact_search_form`; `compact_context` adds the other parts to the view's context."""

    # The search form --------------------------------------------------------------------------

    def compact_search_form(self):
        """admin/search_form.html for this list."""
        if not self.search_fields:
            return ""
        described = ' aria-describedby="searchbar_helptext"' if self.search_help_text else ""
        parts = [
            '<div id="toolbar"><form id="changelist-search" method="get" role="search">',
            "<div><!-- DIV needed for valid HTML -->",
            f'<label for="searchbar"><img src="{escape_text(static("admin/img/search.svg"))}" alt="Search"></label>',
            f'<input type="text" size="40" name="{SEARCH_VAR}" value="{escape_text(self.query)}" id="searchbar"{described}>',
            f'<input type="submit" value="{django_text("Search")}">',
        ]
        if self.result_count != self.full_result_count:
            query = ""
            if self.is_popup:
                query = f"{IS_POPUP_VAR}=1{'&' if self.add_facets else ''}"
            if self.add_facets:
                query += IS_FACETS_VAR
            if self.show_full_result_count:
                total = django_format(
                    "%(full_result_count)s total", full_result_count=localize(self.full_result_count)
                )
            else:
                total = django_text("Show all")
            results = django_plural("%(counter)s result", "%(counter)s results", self.result_count)
            parts.append(f'<span class="small quiet">{results} (<a href="?{query}">{total}</a>)</span>')
        for name, value in self.params.items():
            if name != SEARCH_VAR:
                parts.append(f'<input type="hidden" name="{escape_text(name)}" value="{escape_text(value)}">')
        parts.append("</div>")
        if self.search_help_text:
            parts.append(
                f'<br class="clear"><div class="help" id="searchbar_helptext">{escape_text(self.search_help_text)}</div>'
            )
        parts.append("</form></div>")
        return mark_safe("\n".join(parts))

    # The pagination ---------------------------------------------------------------------------

    def compact_pagination(self):
        """admin/pagination.html for this list (Django's own pieces, without its template)."""
        context = pagination(self)
        links = ""
        if context["pagination_required"]:
            links = "\n".join(str(paginator_number(self, number)) for number in context["page_range"])
        count = self.result_count
        name = self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural
        show_all = ""
        if context["show_all_url"]:
            show_all = f'<a href="{escape_text(context["show_all_url"])}" class="showall">{django_text("Show all")}</a>'
        save = ""
        if self.formset and count:
            save = f'<input type="submit" name="_save" class="default" value="{django_text("Save")}">'
        return mark_safe(
            f'<p class="paginator">\n{links}\n{escape_text(localize(count))} {escape_text(name)}\n{show_all}\n{save}\n</p>'
        )

    # The filters ------------------------------------------------------------------------------

    def compact_filter_nav(self):
        """The filters' side panel, as the `filters` block of admin/change_list.html writes it."""
        if not self.has_filters:
            return ""
        extra = ""
        if self.is_facets_optional or self.has_active_filters:
            facets = clear = ""
            if self.is_facets_optional:
                if self.add_facets:
                    link = f'<a href="{escape(self.remove_facet_link)}" class="hidelink">{django_text("Hide counts")}</a>'
                else:
                    link = f'<a href="{escape(self.add_facet_link)}" class="viewlink">{django_text("Show counts")}</a>'
                facets = f"<h3>{link}</h3>"
            if self.has_active_filters:
                clear = (
                    f'<h3><a href="{escape(self.clear_all_filters_qs)}">&#10006; '
                    f"{django_text('Clear all filters')}</a></h3>"
                )
            extra = f'<div id="changelist-filter-extra-actions">{facets}{clear}</div>'
        return mark_safe(
            '<nav id="changelist-filter" aria-labelledby="changelist-filter-header">'
            f'<h2 id="changelist-filter-header">{django_text("Filter")}</h2>{extra}\n{self._filters_html()}</nav>'
        )

    def _filters_html(self) -> str:
        """Every filter as admin/filter.html writes it (a filter with a template of its own
        is rendered with it)."""
        parts = []
        for spec in self.filter_specs:
            choices = list(spec.choices(self))
            if spec.template != FILTER_TEMPLATE:
                parts.append(
                    get_template(spec.template).render(
                        {"title": spec.title, "choices": choices, "spec": spec}
                    )
                )
                continue
            items = "".join(
                f"<li{SELECTED if choice['selected'] else ''}>"
                f'<a href="{escape_text(_iri(choice["query_string"]))}">{escape_text(choice["display"])}</a></li>'
                for choice in choices
            )
            title = escape_text(spec.title)
            summary = django_format(" By %(filter_title)s ", filter_title=spec.title)
            parts.append(
                f'<details data-filter-title="{title}" open><summary>{summary}</summary><ul>{items}</ul></details>'
            )
        return "\n".join(parts)
