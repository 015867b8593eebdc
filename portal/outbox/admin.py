from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_helpers import ReadOnlyAdminMixin
from portal.admin_titles import FormTitlesMixin
from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_resend


class OutboxChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows none of the bodies, and an HTML email can weigh tens of kilobytes.
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer("text", "html", "attachments", "last_error")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(FormTitlesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    form_titles = {
        "list": _("Outbox"),
        "view": _("The outbox message"),
        "change": _("The outbox message"),
    }
    # Rows are written by the outbox services only: staff read them and may ask for a resend.
    list_display = ["created_at", "channel", "state", "recipient_list", "subject", "attempts", "sent_at"]
    list_filter = ["channel", "state", "created_at"]
    search_fields = ["key", "recipients", "subject"]
    # The row has no relations, so the list costs the same few queries whatever its length.
    list_select_related = False
    # The outbox keeps every message ever sent; counting the whole table on each page is wasted work.
    show_full_result_count = False
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    actions = ["resend"]

    def get_changelist(self, request, **kwargs):
        return OutboxChangeList

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return ", ".join(obj.recipients)

    @admin.action(description=_("Resend the selected sent or failed messages"), permissions=["resend"])
    def resend(self, request, queryset):
        count = outbox_resend(actor=request.user, message_ids=queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def has_resend_permission(self, request):
        return request.user.has_perm("outbox.change_outboxmessage")
