"""Each staff member's alerts in the back-office: a personal inbox, administrators included.

Only the reader's own alerts exist for him: another's alert answers 404 on its pages. Alerts are
written by `portal.notify.notify_in_app`; here they are only read and marked read or unread.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.alerts.models import Alert
from portal.alerts.selectors import alerts_unread_count, alerts_visible_to
from portal.alerts.services import alerts_mark_read, alerts_mark_unread


class ReadFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        # Translators: the state of an alert (a staff member's notification), as a list filter.
        return [("unread", _("Unread")), ("read", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() in ("unread", "read"):
            return queryset.filter(read_at__isnull=self.value() == "unread")
        return queryset


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["alert", "created_at"]
    # The row opens the page the alert is about, not a form about the alert.
    list_display_links = None
    list_filter = [ReadFilter]
    list_select_related = False
    show_full_result_count = False
    fields = ["text", "link", "created_at", "read_at"]
    readonly_fields = fields
    actions = ["mark_read", "mark_unread"]

    class Media:
        css = {"all": ["alerts/admin.css"]}

    def get_queryset(self, request):
        return alerts_visible_to(request.user)

    @admin.display(description=_("alert"))
    def alert(self, obj):
        text = format_html('<a href="{}">{}</a>', obj.link, obj.text) if obj.link else obj.text
        if not obj.is_unread:
            return text
        # In words as well as in weight, so screen readers tell unread alerts apart too.
        # Translators: the badge of an unread alert (a staff member's notification).
        badge = gettext("New")
        return format_html(
            '<span class="alerts-unread"><span class="alerts-badge">{}</span>{}</span>', badge, text
        )

    def action_checkbox(self, obj):
        # The very input Django renders, without rendering a widget template for every row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # refuses
        count = alerts_unread_count(request.user)
        if count:
            title = ngettext("My alerts (%(count)d unread)", "My alerts (%(count)d unread)", count) % {
                "count": count
            }
        else:
            title = gettext("My alerts")
        return super().changelist_view(request, extra_context={"title": title, **(extra_context or {})})

    @admin.action(description=_("Mark the selected alerts as read"), permissions=["change"])
    def mark_read(self, request, queryset):
        count = alerts_mark_read(user=request.user, alert_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d alert marked as read.", "%(count)d alerts marked as read.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark the selected alerts as unread"), permissions=["change"])
    def mark_unread(self, request, queryset):
        count = alerts_mark_unread(user=request.user, alert_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d alert marked as unread.", "%(count)d alerts marked as unread.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    # Alerts are written by the notify service only; staff read theirs and mark them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's actions need the permission; an alert's own page is for reading only.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another's alert does not exist for this reader: 404, as everywhere in the portal.
        raise Http404
