from django.contrib import admin

from portal.admin_helpers import ReadOnlyAdminMixin
from portal.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_repr", "address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__email", "action"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
