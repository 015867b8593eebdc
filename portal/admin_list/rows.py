"""The headers and rows of a change list, written in one pass (see portal/admin_list)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin.templatetags.admin_list import result_headers, result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.admin_list.markup import (
    DateTimeFormat,
    capfirst_escaped,
    django_format,
    django_text,
    escape_text,
)

# Stands for a row's primary key in the change URL reversed once for all rows.
_PK_PLACEHOLDER = "0pk0placeholder0"


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
    missing_display: str = "-"  # the admin's own empty value, shown when a related object is missing
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
    empty = escape_text(column.empty_value_display)
    if isinstance(field.remote_field, models.ManyToOneRel):

        def cell(result):
            try:
                value = getattr(result, name)
            except ObjectDoesNotExist:
                return f"{start}{empty}{end}"
            return f"{start}{empty if value is None else escape_text(value)}{end}"

        return cell
    if column.choices is not None:
        labels = {key: escape_text(label) for key, label in column.choices.items()}

        def cell(result):
            value = getattr(result, name)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            try:
                return f"{start}{labels.get(value, empty)}{end}"
            except TypeError:  # a value that cannot be a key: as display_for_field does
                return (
                    f"{start}{escape_text(display_for_field(value, field, column.empty_value_display))}{end}"
                )

        return cell
    if column.datetime_format is not None:
        formatted = column.datetime_format
        empty_values = field.empty_values
        # timezone.template_localtime(), with the setting and the page's time zone read once.
        use_tz, zone = settings.USE_TZ, timezone.get_current_timezone()

        def cell(result):
            value = getattr(result, name)
            if value in empty_values:
                return f"{start}{empty}{end}"
            if use_tz and value.utcoffset() is not None and getattr(value, "convert_to_local_time", True):
                value = value.astimezone(zone)
            return f"{start}{escape_text(formatted(value))}{end}"

        return cell
    return None


def _method_cell(column: Column):
    """The whole cell of a row for a column shown by a ModelAdmin method (not a link, not a
    yes/no icon): the same as the general path, a text written straight away."""
    if column.method is None or column.is_link or column.boolean:
        return None
    method, classes, tag = column.method, column.class_name, column.tag
    empty, missing = column.empty_value_display, escape_text(column.missing_display)

    def cell(result):
        try:
            value = method(result)
        except ObjectDoesNotExist:
            return f'<{tag} class="{classes}">{missing}</{tag}>'
        if isinstance(value, str):
            if value.strip():
                return f'<{tag} class="{classes}">{escape_text(value)}</{tag}>'
            value = ""
        nowrap = " nowrap" if isinstance(value, (datetime.date, datetime.time)) else ""
        return f'<{tag} class="{classes}{nowrap}">{escape_text(display_for_value(value, empty))}</{tag}>'

    return cell


class CompactResults:
    """The headers and rows of a change list (`cl.compact_result_list`): mixed into
    CompactChangeList."""

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
                    title = django_format(
                        "Sorting priority: %(priority_number)s", priority_number=header["sort_priority"]
                    )
                    priority = (
                        f'<span class="sortpriority" title="{title}">{escape(header["sort_priority"])}</span>'
                    )
                direction = "ascending" if header["ascending"] else "descending"
                sort_options = (
                    '<div class="sortoptions">'
                    f'<a class="sortremove" href="{escape(header["url_remove"])}" '
                    f'title="{django_text("Remove from sorting")}"></a>{priority}'
                    f'<a href="{escape(header["url_toggle"])}" class="toggle {direction}" '
                    f'title="{django_text("Toggle sorting")}"></a></div>'
                )
            text = capfirst_escaped(header["text"])
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
                class_name=f"field-{_column_name(name, index)}",
                is_link=is_link,
                tag="th" if is_link and first else "td",
                empty_value_display=default_empty,
                missing_display=default_empty,
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
            elif (
                field is None and not callable(name) and name != "__str__" and hasattr(self.model_admin, name)
            ):
                method = getattr(self.model_admin, name)
                column.method = method
                column.boolean = getattr(method, "boolean", False)
                column.empty_value_display = getattr(method, "empty_value_display", default_empty)
                if name == "action_checkbox":
                    column.class_name = "action-checkbox"
            # Anything else (a callable, an auto-created field, a model method or property, a
            # lookup through relations) goes through lookup_field for each row, as in Django.
            column.cell = _plain_cell(column) or _method_cell(column)
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
        with_filters = add_preserved_filters(
            {"preserved_filters": self.preserved_filters, "opts": self.opts}, url
        )
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
                if not boolean and isinstance(value, str) and value.strip():
                    return value, classes  # a text: what display_for_value would give
            else:
                _field, attr, value = lookup_field(column.name, result, self.model_admin)
                empty = getattr(attr, "empty_value_display", empty)
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
        except ObjectDoesNotExist:
            return column.missing_display, classes
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
                content = escape_text(shown)
                url = self._change_url(result, link_parts) if column.is_link else None
                if url is not None:
                    opener = ""
                    if self.is_popup:
                        opener = f' data-popup-opener="{escape(result.serializable_value(opener_attr))}"'
                    content = f'<a href="{escape(url)}"{opener}>{content}</a>'
                cells.append(f'<{column.tag} class="{" ".join(classes)}">{content}</{column.tag}>')
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return "\n".join(rows)


def _column_name(name, index: int) -> str:
    """The name in a column's `field-…` class, as Django's changelist writes it (a callable by its
    name, a lambda by its position); tests/sales_admin/test_compact_list.py compares the markup."""
    if callable(name):
        return f"lambda{index}" if name.__name__ == "<lambda>" else name.__name__
    return name
