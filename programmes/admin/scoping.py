"""Staff see only their programmes' objects in the back-office (ACC-4), wherever the admin looks.

Every ModelAdmin and inline of the project's programme data mixes in `ProgrammeScopedAdmin` and
says how its model reaches its programme (`programme_path`). The mixin then scopes the lists and
change pages (`get_queryset`), the choices of foreign keys and many-to-many fields
(`get_field_queryset`), the answers of autocomplete widgets (`get_search_results`), and, through
`ScopedRelatedFieldListFilter`, the choices of the list filters. An object outside the scope does
not exist for the admin: its change, history and delete URLs answer 404.
"""

import html

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from portal.branding.selectors import company_settings_get
from programmes.models import Programme
from programmes.selectors import programmes_scope


def programme_path_of(model) -> str | None:
    """How a model reaches its programme, when it has one of its own; None otherwise."""
    if model is Programme:
        return ""
    if any(field.name == "programme" for field in model._meta.concrete_fields):
        return "programme"
    return None


class RowsPerPageChangeList(ChangeList):
    """A change list whose page length is the company's setting (BRD-1), read per request."""

    def __init__(
        self,
        request,
        model,
        list_display,
        list_display_links,
        list_filter,
        date_hierarchy,
        search_fields,
        list_select_related,
        list_per_page,
        *args,
        **kwargs,
    ):
        rows = company_settings_get().rows_per_page or list_per_page
        super().__init__(
            request,
            model,
            list_display,
            list_display_links,
            list_filter,
            date_hierarchy,
            search_fields,
            list_select_related,
            rows,
            *args,
            **kwargs,
        )


class ProgrammeScopedAdmin:
    """Mix into a ModelAdmin or an inline, before the admin class, and set `programme_path`."""

    # The lookup from this admin's model to its programme; "" for the programme itself.
    programme_path: str = "programme"
    # "12 results (340 total)" costs a second COUNT on every page of every list; the filtered
    # count is what staff read.
    show_full_result_count = False

    def scope_queryset(self, request, queryset):
        return programmes_scope(queryset, request.user, self.programme_path)

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def scope_related(self, request, queryset):
        """The same queryset, of any model, cut down to what this user may see; None when the
        model is not programme data (users, for example), which the admins scope themselves."""
        model = queryset.model
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, ProgrammeScopedAdmin):
            scoped = related_admin.scope_queryset(request, queryset)
        else:
            path = programme_path_of(model)
            if path is None:
                return None
            scoped = programmes_scope(queryset, request.user, path)
        # Buildings and lots name their programme: fetch it with them, not once per choice.
        return scoped.select_related("programme") if programme_path_of(model) == "programme" else scoped

    def get_field_queryset(self, db, db_field, request):
        # Used by formfield_for_foreignkey and formfield_for_manytomany for their choices.
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        scoped = self.scope_related(request, queryset)
        return scoped if scoped is not None else queryset

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            # The autocomplete view passes this admin's queryset; scope it again all the same, so
            # a widget never offers another programme's object whatever queryset it was handed.
            queryset = self.scope_queryset(request, queryset)
        return queryset, may_have_duplicates

    def action_checkbox(self, obj):
        # The very input Django renders, without rendering a widget template for every row.
        label = gettext("Select this object for an action - {}").format(html.escape(str(obj)))
        return mark_safe(
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{html.escape(str(obj.pk))}" '
            f'class="action-select" aria-label="{label}">'
        )

    def get_changelist(self, request, **kwargs):
        return RowsPerPageChangeList

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # The admin's change, history and delete pages send a missing object back to the index
        # with a message; an object of another programme answers 404 instead, as everywhere.
        raise Http404


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-object filter offering only the objects of the user's programmes."""

    def field_choices(self, field, request, model_admin):
        queryset = field.remote_field.model._default_manager.all()
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        scoped = model_admin.scope_related(request, queryset)
        if scoped is None:
            return super().field_choices(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in scoped]
