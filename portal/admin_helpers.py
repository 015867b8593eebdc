"""Small mixins for admin pages whose rows the services write."""


class ReadOnlyAdminMixin:
    """Rows that only services write: staff read them, nobody adds, edits or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeleteEachAdminMixin:
    """The list's "delete selected" goes through `delete_model` row by row, so each deletion is
    the service's own (audited), never a bare queryset delete."""

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
