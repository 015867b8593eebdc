from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.admin_helpers import ReadOnlyAdminMixin
from portal.admin_titles import FormTitlesMixin
from portal.audit.models import AuditEntry
from portal.audit.presenters import audit_details, audit_title, object_type_name


class ActionFilter(admin.SimpleListFilter):
    """The actions by their words, not their codes."""

    title = _("what happened")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
        entries = [AuditEntry(action=action, object_type="") for action in actions]
        return sorted(((entry.action, audit_title(entry)) for entry in entries), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of object by their names ("Sales files"), not their labels ("sales.sale")."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        labels = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
        return sorted(((label, object_type_name(label)) for label in labels), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(FormTitlesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    form_titles = {
        "list": _("Audit trail"),
        "view": _("The audit entry"),
        "change": _("The audit entry"),
    }
    # Each entry reads as a sentence in the reader's language; the codes and the raw data stay
    # on the entry's page, for whoever must dig.
    list_display = ["created_at", "actor", "object_repr", "what_and_details"]
    list_filter = [ActionFilter, ObjectTypeFilter]
    search_fields = ["object_repr", "object_id", "actor__email", "action"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["created_at", "actor", "what", "object_repr", "details", "address"]}),
        (
            _("As recorded"),
            {"classes": ["collapse"], "fields": ["action", "object_type", "object_id", "data"]},
        ),
    ]
    readonly_fields = [*(f.name for f in AuditEntry._meta.fields), "what", "details"]

    @admin.display(description=_("what happened"), ordering="action")
    def what(self, obj):
        return audit_title(obj)

    @admin.display(description=_("what happened"), ordering="action")
    def what_and_details(self, obj):
        # One column, so the sentence has the width the list has left.
        return format_html(
            "<strong>{}</strong>{}",
            audit_title(obj),
            format_html_join("", "<div>{}</div>", ((line,) for line in audit_details(obj))),
        )

    @admin.display(description=_("details"))
    def details(self, obj):
        lines = audit_details(obj)
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) if lines else "–"
