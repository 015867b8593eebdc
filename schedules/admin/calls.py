"""Calls for funds in the back-office (SCH-3, OPS-4).

"Add" on the batches picks a reached milestone of the user's programmes, shows the preview
(sales, amounts, cumulated percentages, totals) and starts the batch; the batch's page shows its
progress, refreshed by htmx until it is done. Calls are listed with what happened to them, and
each call's letter downloads as an attachment after the same scoping check. Only staff with the
right to start batches (`schedules.add_callbatch`) on a programme they see may start one.
"""

import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin_helpers import ReadOnlyAdminMixin
from portal.money import money_format
from programmes.admin.scoping import ProgrammeScopedAdmin, ScopedRelatedFieldListFilter
from schedules.models import CallBatch, CallForFunds, StageCertificate
from schedules.selectors_calls import call_batches_for, call_milestones_for, calls_preview
from schedules.services.calls import CallError, call_batch_start, call_letter_filename, stage_certificate_save

START_PERMISSION = "schedules.add_callbatch"

logger = logging.getLogger(__name__)


@admin.register(CallBatch)
class CallBatchAdmin(ProgrammeScopedAdmin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "milestone",
        "reached_on",
        "state",
        "progress_column",
        "created_by",
        "created_at",
    ]
    list_filter = [("programme", ScopedRelatedFieldListFilter), "trigger", "state"]
    list_select_related = ["programme", "milestone", "created_by"]
    ordering = ["-pk"]

    @admin.display(description=gettext_lazy("progress"))
    def progress_column(self, batch):
        return f"{batch.done} / {batch.total}"

    def has_add_permission(self, request):
        return request.user.has_perm(START_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "preview/<int:milestone_id>/",
                self.admin_site.admin_view(self.preview_view),
                name="schedules_callbatch_preview",
            ),
            path(
                "<int:batch_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="schedules_callbatch_progress",
            ),
            *super().get_urls(),
        ]

    def _milestone_or_404(self, request, milestone_id):
        milestone = call_milestones_for(request.user).filter(pk=milestone_id).first()
        if milestone is None:
            raise Http404
        if not self.has_add_permission(request):
            raise PermissionDenied
        return milestone

    def _batch_or_404(self, request, batch_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = call_batches_for(request.user).filter(pk=batch_id).first()
        if batch is None:
            raise Http404
        return batch

    def add_view(self, request, form_url="", extra_context=None):
        """Pick the reached milestone whose calls to make."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        milestones = list(call_milestones_for(request.user))
        started = dict(
            call_batches_for(request.user)
            .filter(milestone__in=milestones)
            .exclude(state=CallBatch.State.FAILED)
            .values_list("milestone_id", "pk")
        )
        rows = [(milestone, started.get(milestone.pk)) for milestone in milestones]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Calls for funds: choose the milestone reached"),
            "opts": self.opts,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/schedules/callbatch/call_start.html", context)

    def preview_view(self, request, milestone_id):
        milestone = self._milestone_or_404(request, milestone_id)
        if request.method == "POST":
            try:
                batch = call_batch_start(
                    programme=milestone.programme,
                    trigger=milestone.kind,
                    milestone=milestone,
                    reached_on=milestone.actual_date,
                    actor=request.user,
                )
            except CallError as error:
                messages.error(request, str(error))
            else:
                return HttpResponseRedirect(reverse("admin:schedules_callbatch_change", args=[batch.pk]))
        preview = calls_preview(milestone=milestone)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Calls for funds: %(stage)s, %(programme)s")
            % {"stage": milestone.get_kind_display(), "programme": milestone.programme},
            "opts": self.opts,
            "milestone": milestone,
            "preview": preview,
            "total": money_format(preview.total_amount, preview.currency),
        }
        return TemplateResponse(request, "admin/schedules/callbatch/call_preview.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The batch's page: its progress, refreshed until it is done."""
        if not str(object_id).isdigit():
            raise Http404
        batch = self._batch_or_404(request, int(object_id))
        context = {
            **self.admin_site.each_context(request),
            "title": str(batch),
            "opts": self.opts,
            "batch": batch,
            "original": batch,
        }
        return TemplateResponse(request, "admin/schedules/callbatch/call_batch.html", context)

    def progress_view(self, request, batch_id):
        batch = self._batch_or_404(request, batch_id)
        return TemplateResponse(
            request, "admin/schedules/callbatch/call_progress.html", {"batch": batch, "opts": self.opts}
        )


class SentFilter(admin.SimpleListFilter):
    title = gettext_lazy("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(sent_at__isnull=self.value() == "no")
        return queryset


class OpenedFilter(SentFilter):
    title = gettext_lazy("opened")
    parameter_name = "opened"

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(opened_at__isnull=self.value() == "no")
        return queryset


class PaidFilter(SentFilter):
    title = gettext_lazy("paid")
    parameter_name = "paid"

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(paid_at__isnull=self.value() == "no")
        return queryset


@admin.register(CallForFunds)
class CallForFundsAdmin(ProgrammeScopedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "programme",
        "stage_column",
        "buyer",
        "amount_column",
        "due_on",
        "sent_at",
        "opened_at",
        "paid_at",
    ]
    list_filter = [
        ("programme", ScopedRelatedFieldListFilter),
        "tranche__trigger",
        SentFilter,
        OpenedFilter,
        PaidFilter,
        "due_on",
    ]
    list_select_related = ["programme", "buyer", "tranche"]
    search_fields = ["number", "buyer__last_name", "buyer__email", "sale__reference"]
    ordering = ["-pk"]
    fields = [
        "number",
        "programme",
        "sale",
        "buyer",
        "stage_column",
        "amount_column",
        "percent",
        "cumulated_percent",
        "notified_on",
        "due_on",
        "transfer_reference",
        "generated_at",
        "sent_at",
        "opened_at",
        "paid_at",
        "letter_link",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("stage"), ordering="tranche__trigger")
    def stage_column(self, call):
        return call.tranche.get_trigger_display()

    @admin.display(description=gettext_lazy("amount"), ordering="amount")
    def amount_column(self, call):
        return money_format(call.amount, call.currency)

    @admin.display(description=gettext_lazy("transfer reference"))
    def transfer_reference(self, call):
        return call.payment.creditor_reference if call.payment_id else "—"

    @admin.display(description=gettext_lazy("letter (PDF)"))
    def letter_link(self, call):
        if not call.letter:
            return "—"
        url = reverse("admin:schedules_callforfunds_letter", args=[call.pk])
        return format_html('<a href="{}">{}</a>', url, call_letter_filename(call))

    def get_urls(self):
        return [
            path(
                "<int:call_id>/letter/",
                self.admin_site.admin_view(self.letter_view),
                name="schedules_callforfunds_letter",
            ),
            *super().get_urls(),
        ]

    def letter_view(self, request, call_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        call = self.get_queryset(request).filter(pk=call_id).first()
        if call is None or not call.letter:
            raise Http404
        logger.info("Call letter %s downloaded by user %s", call.number, request.user.pk)
        return FileResponse(
            default_storage.open(call.letter.name, "rb"),
            as_attachment=True,
            filename=call_letter_filename(call),
            content_type="application/pdf",
        )


@admin.register(StageCertificate)
class StageCertificateAdmin(ProgrammeScopedAdmin, admin.ModelAdmin):
    programme_path = "milestone__programme"
    list_display = ["milestone", "programme_column", "uploaded_at"]
    list_select_related = ["milestone__programme"]
    fields = ["milestone", "file"]

    @admin.display(description=gettext_lazy("programme"))
    def programme_column(self, certificate):
        return certificate.milestone.programme

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        def clean_file(form_self):
            upload = form_self.cleaned_data.get("file")
            if upload is not None and hasattr(upload, "read") and not getattr(upload, "_committed", False):
                head = upload.read(5)
                upload.seek(0)
                if head != b"%PDF-":
                    raise ValidationError(_("Upload the certificate as a PDF file."))
            return upload

        form.clean_file = clean_file
        return form

    def save_model(self, request, obj, form, change):
        stage_certificate_save(certificate=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
