"""The busiest parts of an admin change list written in one pass instead of one template node at a time.

Django renders a change list's rows through `items_for_result`, which looks up each column's
field, label, choices and CSS classes again for every cell, reverses the change URL and
re-parses the preserved filters for every row, then a template node per cell; the filters, the
column headers and the navigation sidebar go through template loops of their own. Here what
every row shares is worked out once per request and the HTML is written directly: the same
markup as Django's templates (the admin's scripts and styles rely on it), for a fraction of the
cost. A change list with editable columns (`list_editable`) and filters with templates of
their own keep Django's rendering.

The few words on these parts are Django's own, translated by Django's catalogues; `_django`
reads them there, and keeps them out of the project's (makemessages only collects literal
arguments of gettext and its usual aliases).
"""

import datetime
import html
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib.admin.templatetags.admin_list import (
    _coerce_field_name,
    pagination,
    paginator_number,
    result_headers,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.encoding import iri_to_uri
from django.utils.formats import get_format, localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

FILTER_TEMPLATE = "admin/filter.html"
SELECTED = ' class="selected"'

# Stands for a row's primary key in the change URL reversed once for all rows.
_PK_PLACEHOLDER = "0pk0placeholder0"


def _django(msgid: str) -> str:
    """Django's {% translate "..." %}: the translation as it is (a literal is safe)."""
    return gettext(msgid)


def _django_format(msgid: str, **values) -> str:
    """Django's {% blocktranslate %}: the translation as it is, its values escaped."""
    return gettext(msgid) % {name: conditional_escape(value) for name, value in values.items()}


def _escape(value) -> str:
    """conditional_escape() as a plain string: the same characters, without wrapping each
    cell in a SafeString (the rows are marked safe as a whole)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class DateTimeFormat:
    """dateformat.format(value, format) with the format taken apart once: a list writes a
    date and time on every row."""

    def __init__(self, format_string: str):
        self.parts = []
        for index, piece in enumerate(dateformat.re_formatchars.split(str(format_string))):
            if index % 2:
                self.parts.append((True, piece))
            elif piece:
                self.parts.append((False, dateformat.re_escaped.sub(r"\1", piece)))

    def __call__(self, value: datetime.datetime) -> str:
        formatter = dateformat.DateFormat(value)
        return "".join(str(getattr(formatter, piece)()) if is_code else piece for is_code, piece in self.parts)


def _capfirst(value) -> str:
    """Django's `capfirst` filter, escaping as the template would."""
    text = str(value)
    text = text and text[0].upper() + text[1:]
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


@dataclass
class Column:
    name: Any  # as in list_display: a name or a callable
    class_name: str  # "field-<name>"
    is_link: bool
    tag: str  # "th" for the first link column, "td" otherwise
    field: models.Field | None = None  # a model field shown as such
    choices: dict | None = None  # the field's choices, as display_for_field reads them
    nowrap: bool = False  # dates, times and foreign keys
    datetime_format: "DateTimeFormat | None" = None  # a date and time field's format
    method: Any = None  # a ModelAdmin method, called with the row
    boolean: bool = False
    empty_value_display: str = "-"
    cell: Any = None  # a quicker way to the whole cell, for the plainest columns


def _model_field(opts, name):
    """The model field shown for `name`, or None when it is something else (a method, a
    property, a lookup through relations, a reverse relation), as lookup_field sees it."""
    if callable(name):
        return None
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.is_relation and ((field.many_to_one and not field.related_model) or field.one_to_many):
        return None
    if field.is_relation and not field.many_to_many and getattr(field, "attname", None) == name:
        return None  # "<fk>_id": shown as a plain value
    return field


def _plain_cell(column: Column):
    """The whole cell of a row, written straight from the value, for the columns that show a
    model field without a link: a foreign key, a field with choices, a date and time. The same
    as the general path (_cell_value), with what it decides for every row decided once."""
    field = column.field
    if column.is_link or field is None:
        return None
    name = field.name
    classes = f"{column.class_name} nowrap" if column.nowrap else column.class_name
    start, end = f'<{column.tag} class="{classes}">', f"</{column.tag}>"
    empty = _escape(column.empty_value_display)
    if isinstance(field.remote_field, models.ManyToOneRel):

        def cell(result):
            try:
                value = getattr(result, name)
            except ObjectDoesNotExist:
                return f"{start}{empty}{end}"
            return f"{start}{empty if value is None else _escape(value)}{end}"

        return cell
    if column.choices is not None:
        labels = {key: _escape(label) for key, label in column.choices.items()}

        def cell(result):
            value = getattr(result, name)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            try:
                return f"{start}{labels.get(value, empty)}{end}"
            except TypeError:  # a value that cannot be a key: as display_for_field does
                return f"{start}{_escape(display_for_field(value, field, column.empty_value_display))}{end}"

        return cell
    if column.datetime_format is not None:
        formatted = column.datetime_format
        empty_values = field.empty_values

        def cell(result):
            value = getattr(result, name)
            if value in empty_values:
                return f"{start}{empty}{end}"
            return f"{start}{_escape(formatted(timezone.template_localtime(value)))}{end}"

        return cell
    return None


class CompactChangeList(ChangeList):
    """Mix into a ChangeList. Its template shows `cl.compact_result_list` where Django's has
    `{% result_list cl %}`, and `cl.compact_filters` instead of the `admin_list_filter` loop."""

    # The results ------------------------------------------------------------------------------

    def compact_result_list(self):
        if self.formset:
            # Editable columns: Django's own rows, each with its form.
            return render_to_string("admin/change_list_results.html", result_list(self))
        if not self.result_list:
            return ""
        return mark_safe(
            '<div class="results">\n<table id="result_list">\n<thead>\n<tr>\n'
            f"{self._headers_html()}\n</tr>\n</thead>\n<tbody>\n{self._rows_html()}\n</tbody>\n</table>\n</div>"
        )

    def _headers_html(self) -> str:
        headers = list(result_headers(self))
        sorted_count = sum(1 for header in headers if header["sortable"] and header["sorted"])
        cells = []
        for header in headers:
            sort_options = ""
            if header["sortable"] and header["sort_priority"] > 0:
                priority = ""
                if sorted_count > 1:
                    title = _django_format(
                        "Sorting priority: %(priority_number)s", priority_number=header["sort_priority"]
                    )
                    priority = f'<span class="sortpriority" title="{title}">{escape(header["sort_priority"])}</span>'
                direction = "ascending" if header["ascending"] else "descending"
                sort_options = (
                    '<div class="sortoptions">'
                    f'<a class="sortremove" href="{escape(header["url_remove"])}" '
                    f'title="{_django("Remove from sorting")}"></a>{priority}'
                    f'<a href="{escape(header["url_toggle"])}" class="toggle {direction}" '
                    f'title="{_django("Toggle sorting")}"></a></div>'
                )
            text = _capfirst(header["text"])
            if header["sortable"]:
                text = f'<a href="{escape(header["url_primary"])}">{text}</a>'
            else:
                text = f"<span>{text}</span>"
            cells.append(
                f'<th scope="col"{header["class_attrib"]}>{sort_options}'
                f'<div class="text">{text}</div><div class="clear"></div></th>'
            )
        return "".join(cells)

    def _columns(self) -> list[Column]:
        default_empty = self.model_admin.get_empty_value_display()
        opts = self.lookup_opts
        columns, first = [], True
        for index, name in enumerate(self.list_display):
            if self.list_display_links is None:
                is_link = False
            else:
                is_link = (first and not self.list_display_links) or name in self.list_display_links
            column = Column(
                name=name,
                class_name=f"field-{_coerce_field_name(name, index)}",
                is_link=is_link,
                tag="th" if is_link and first else "td",
                empty_value_display=default_empty,
            )
            if is_link:
                first = False
            field = _model_field(opts, name)
            if field is not None and not field.auto_created:
                column.field = field
                column.nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
                if getattr(field, "flatchoices", None):
                    try:
                        # The labels in the page's language, translated once rather than per row.
                        column.choices = {
                            key: str(label) if isinstance(label, Promise) else label
                            for key, label in dict(field.flatchoices).items()
                        }
                    except TypeError:  # list-like choices: display_for_field handles them
                        column.choices = None
                elif isinstance(field, models.DateTimeField):
                    column.datetime_format = DateTimeFormat(get_format("DATETIME_FORMAT"))
            elif field is None and not callable(name) and name != "__str__" and hasattr(self.model_admin, name):
                method = getattr(self.model_admin, name)
                column.method = method
                column.boolean = getattr(method, "boolean", False)
                column.empty_value_display = getattr(method, "empty_value_display", default_empty)
                if name == "action_checkbox":
                    column.class_name = "action-checkbox"
            # Anything else (a callable, an auto-created field, a model method or property, a
            # lookup through relations) goes through lookup_field for each row, as in Django.
            column.cell = _plain_cell(column)
            columns.append(column)
        return columns

    def _link_parts(self) -> tuple[str, str, str] | None:
        """(before the key, after the key, preserved filters) of the rows' change URLs."""
        try:
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(_PK_PLACEHOLDER,),
                current_app=self.model_admin.admin_site.name,
            )
        except NoReverseMatch:
            return None
        with_filters = add_preserved_filters({"preserved_filters": self.preserved_filters, "opts": self.opts}, url)
        if not with_filters.startswith(url):
            return None
        before, _placeholder, after = url.partition(_PK_PLACEHOLDER)
        return before, after, with_filters[len(url) :]

    def _change_url(self, result, link_parts) -> str | None:
        pk = getattr(result, self.pk_attname)
        if link_parts is not None and isinstance(pk, int):
            before, after, filters = link_parts
            return f"{before}{pk}{after}{filters}"
        # Other keys are quoted by reverse() in ways not worth repeating here.
        try:
            url = self.url_for_result(result)
        except NoReverseMatch:
            return None
        return add_preserved_filters({"preserved_filters": self.preserved_filters, "opts": self.opts}, url)

    def _cell_value(self, column: Column, result) -> tuple[Any, list[str]]:
        """What the cell shows (escaped when written) and its CSS classes, as items_for_result."""
        classes = [column.class_name]
        empty = column.empty_value_display
        try:
            if column.field is not None:
                field = column.field
                value = getattr(result, field.name)
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                if column.nowrap:
                    classes.append("nowrap")
                if isinstance(field.remote_field, models.ManyToOneRel):
                    return (empty if value is None else value), classes
                if column.choices is not None:
                    return column.choices.get(value, empty), classes
                if column.datetime_format and value not in field.empty_values:
                    # display_for_field's formats.localize(), its format read once.
                    return column.datetime_format(timezone.template_localtime(value)), classes
                return display_for_field(value, field, empty, avoid_link=column.is_link), classes
            if column.method is not None:
                value, boolean = column.method(result), column.boolean
            else:
                _field, attr, value = lookup_field(column.name, result, self.model_admin)
                empty = getattr(attr, "empty_value_display", empty)
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
        except ObjectDoesNotExist:
            return empty, classes
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if isinstance(value, (datetime.date, datetime.time)):
            classes.append("nowrap")
        return display_for_value(value, empty, boolean), classes

    def _rows_html(self) -> str:
        columns = self._columns()
        link_parts = self._link_parts() if any(column.is_link for column in columns) else None
        opener_attr = str(self.to_field) if self.to_field else self.pk_attname
        rows = []
        for result in self.result_list:
            cells = []
            for column in columns:
                if column.cell is not None:
                    cells.append(column.cell(result))
                    continue
                shown, classes = self._cell_value(column, result)
                content = _escape(shown)
                url = self._change_url(result, link_parts) if column.is_link else None
                if url is not None:
                    opener = ""
                    if self.is_popup:
                        opener = f' data-popup-opener="{escape(result.serializable_value(opener_attr))}"'
                    content = f'<a href="{escape(url)}"{opener}>{content}</a>'
                cells.append(f'<{column.tag} class="{" ".join(classes)}">{content}</{column.tag}>')
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return "\n".join(rows)

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
            show_all = f'<a href="{_escape(context["show_all_url"])}" class="showall">{_django("Show all")}</a>'
        save = ""
        if self.formset and count:
            save = f'<input type="submit" name="_save" class="default" value="{_django("Save")}">'
        return mark_safe(
            f'<p class="paginator">\n{links}\n{_escape(localize(count))} {_escape(name)}\n{show_all}\n{save}\n</p>'
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
                    link = f'<a href="{escape(self.remove_facet_link)}" class="hidelink">{_django("Hide counts")}</a>'
                else:
                    link = f'<a href="{escape(self.add_facet_link)}" class="viewlink">{_django("Show counts")}</a>'
                facets = f"<h3>{link}</h3>"
            if self.has_active_filters:
                clear = (
                    f'<h3><a href="{escape(self.clear_all_filters_qs)}">&#10006; '
                    f"{_django('Clear all filters')}</a></h3>"
                )
            extra = f'<div id="changelist-filter-extra-actions">{facets}{clear}</div>'
        return mark_safe(
            '<nav id="changelist-filter" aria-labelledby="changelist-filter-header">'
            f'<h2 id="changelist-filter-header">{_django("Filter")}</h2>{extra}\n{self._filters_html()}</nav>'
        )

    def _filters_html(self) -> str:
        """Every filter as admin/filter.html writes it (a filter with a template of its own
        is rendered with it)."""
        parts = []
        for spec in self.filter_specs:
            choices = list(spec.choices(self))
            if spec.template != FILTER_TEMPLATE:
                parts.append(
                    get_template(spec.template).render({"title": spec.title, "choices": choices, "spec": spec})
                )
                continue
            items = "".join(
                f"<li{SELECTED if choice['selected'] else ''}>"
                f'<a href="{escape(iri_to_uri(choice["query_string"]))}">{conditional_escape(choice["display"])}</a></li>'
                for choice in choices
            )
            title = conditional_escape(spec.title)
            summary = _django_format(" By %(filter_title)s ", filter_title=spec.title)
            parts.append(
                f'<details data-filter-title="{title}" open><summary>{summary}</summary><ul>{items}</ul></details>'
            )
        return "\n".join(parts)


def nav_sidebar_html(available_apps, path: str):
    """admin/nav_sidebar.html and the app list it includes, for these apps and this page."""
    path = quote(path)  # as the template's `request.path|urlencode`

    def current(url) -> bool:
        return bool(url) and url in path

    if not available_apps:
        app_list = f"<p>{_django('You don’t have permission to view or edit anything.')}</p>"
    else:
        # The words every app and model repeat, translated once.
        add = _django("Add")
        head = (
            '<thead class="visually-hidden"><tr>'
            f'<th scope="col">{_django("Model name")}</th>'
            f'<th scope="col">{_django("Add link")}</th>'
            f'<th scope="col">{_django("Change or view list link")}</th>'
            "</tr></thead>"
        )
        apps = []
        for app in available_apps:
            label = _escape(app["app_label"])
            app_name = _escape(app["name"])
            title = _django_format("Models in the %(name)s application", name=mark_safe(app_name))
            rows = []
            for model in app["models"]:
                model_name = _escape(str(model["object_name"]).lower())
                is_current = current(model["admin_url"])
                name = _escape(model["name"])
                if model["admin_url"]:
                    aria = ' aria-current="page"' if is_current else ""
                    name = f'<a href="{_escape(model["admin_url"])}"{aria}>{name}</a>'
                add_cell = (
                    f'<td><a href="{_escape(model["add_url"])}" class="addlink" '
                    f'aria-describedby="{label}-{model_name}">{add}</a></td>'
                    if model["add_url"]
                    else "<td></td>"
                )
                rows.append(
                    f'<tr class="model-{model_name}{" current-model" if is_current else ""}">'
                    f'<th scope="row" id="{label}-{model_name}">{name}</th>{add_cell}</tr>'
                )
            apps.append(
                f'<div class="app-{label} module{" current-app" if current(app["app_url"]) else ""}"><table>'
                f'<caption><a href="{_escape(app["app_url"])}" class="section" title="{title}">{app_name}</a>'
                f"</caption>{head}{''.join(rows)}</table></div>"
            )
        app_list = "\n".join(apps)
    return mark_safe(
        f'<button class="sticky toggle-nav-sidebar" id="toggle-nav-sidebar" '
        f'aria-label="{_django("Toggle navigation")}"></button>\n'
        f'<nav class="sticky" id="nav-sidebar" aria-label="{_django("Sidebar")}">\n'
        f'<input type="search" id="nav-filter" placeholder="{_django("Start typing to filter…")}" '
        f'aria-label="{_django("Filter navigation items")}">\n{app_list}\n</nav>'
    )


def actions_html(context: dict, index: int):
    """admin/actions.html for a change list's context: the action form written out rather than
    widget by widget through the form renderer (the markup of Django's Select and HiddenInput)."""
    action_form, cl = context["action_form"], context["cl"]
    fields = []
    for field in action_form:
        widget = field.field.widget
        if isinstance(widget, forms.HiddenInput) and not field.field.required:
            value = field.value()
            value = "" if value is None else f' value="{_escape(value)}"'
            attrs = "".join(f' {name}="{_escape(attr)}"' for name, attr in widget.attrs.items())
            fields.append(f'<input type="hidden" name="{field.html_name}"{value}{attrs}>')
        elif type(widget) is forms.Select and not widget.attrs:
            current = str(field.value() or "")
            required = " required" if field.field.required and widget.use_required_attribute(field.initial) else ""
            options = "".join(
                f'<option value="{_escape(value)}"{" selected" if str(value) == current else ""}>{_escape(text)}</option>'
                for value, text in field.field.choices
            )
            fields.append(
                f'<label>{_escape(field.label)} <select name="{field.html_name}"{required}>{options}</select></label>'
            )
        else:
            fields.append(f"<label>{_escape(field.label)} {field}</label>" if field.label else str(field))
    counter = ""
    if context.get("actions_selection_counter"):
        shown = len(cl.result_list)
        counter = f'<span class="action-counter" data-actions-icnt="{shown}">{_escape(context["selection_note"])}</span>'
        if cl.result_count != shown:
            select_all = _django_format(
                "Select all %(total_count)s %(module_name)s",
                total_count=localize(cl.result_count),
                module_name=context["module_name"],
            )
            counter += (
                f'<span class="all hidden">{_escape(context["selection_note_all"])}</span>'
                '<span class="question hidden"><a role="button" href="#" '
                f'title="{_django("Click here to select the objects across all pages")}">{select_all}</a></span>'
                f'<span class="clear hidden"><a role="button" href="#">{_django("Clear selection")}</a></span>'
            )
    return mark_safe(
        f'<div class="actions">\n{"".join(fields)}\n'
        f'<button type="submit" class="button" title="{_django("Run the selected action")}" name="index" '
        f'value="{index}">{_django("Go")}</button>\n{counter}\n</div>'
    )


def compact_context(context: dict, request) -> None:
    """Adds to a change list's context what its template writes in one pass: `nav_sidebar`,
    and `actions_top` and `actions_bottom` (the action bars), each computed only if shown."""
    if "available_apps" in context:
        context["nav_sidebar"] = partial(nav_sidebar_html, context["available_apps"], request.path)
    if context.get("action_form") is not None:
        context["actions_top"] = partial(actions_html, context, 0)
        context["actions_bottom"] = partial(actions_html, context, 1 if context.get("actions_on_top") else 0)
