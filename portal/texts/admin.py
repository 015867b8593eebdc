from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin

from portal.admin_helpers import DeleteEachAdminMixin
from portal.audit.changes import changes_of
from portal.branding.selectors import company_settings_get
from portal.texts.emails import email_compose
from portal.texts.kinds import KINDS
from portal.texts.models import Channel, MessageTemplate
from portal.texts.services import (
    TextParts,
    texts_default,
    texts_preview,
    texts_template_delete,
    texts_template_save,
)

# The HTML preview is the one page that shows staff-written HTML: it runs in a sandboxed frame of
# the change page, with no script, no form and no request anywhere but images.
_PREVIEW_CSP = (
    "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; sandbox"
)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "language", "channel", "subject", "text", "html"]
        widgets = {
            "subject": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "text": forms.Textarea(attrs={"rows": 16, "class": "texts-editor-source"}),
            "html": forms.Textarea(attrs={"rows": 16, "class": "texts-editor-source"}),
        }


@admin.register(MessageTemplate)
class MessageTemplateAdmin(DeleteEachAdminMixin, admin.ModelAdmin):
    """Texts staff edited. A kind without a row here is sent with its shipped default."""

    form = MessageTemplateForm
    list_display = ["kind", "language", "channel", "subject", "updated_at"]
    list_filter = ["kind", "language", "channel"]
    search_fields = ["subject", "text"]
    fields = ["kind", "language", "channel", "subject", "text", "html"]

    class Media:
        css = {"all": ["texts/admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        # Which text a row replaces is chosen once; another text is another row.
        return ["kind", "language", "channel"] if obj else []

    def get_changeform_initial_data(self, request):
        """Start from a default: ?kind=…&language=…&channel=… fills the add form with that default text."""
        initial = super().get_changeform_initial_data(request)
        kind = KINDS.get(initial.get("kind", ""))
        channel = initial.setdefault("channel", Channel.EMAIL)
        languages = {code for code, _name in settings.LANGUAGES}
        if kind and channel in kind.channels and initial.get("language") in languages:
            default = texts_default(kind=initial["kind"], language=initial["language"], channel=channel)
            initial.update(subject=default.subject, text=default.text, html=default.html)
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(self._editor_help(context["adminform"].form, obj))
        context.update(
            kind_choices=[(name, kind.label) for name, kind in KINDS.items()],
            language_choices=settings.LANGUAGES,
            channel_choices=Channel.choices,
            default_choice={name: request.GET.get(name, "") for name in ("kind", "language", "channel")},
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _editor_help(self, form, obj) -> dict:
        """The kind's placeholders and a preview of the text in the editor, filled with samples."""

        def current(name: str) -> str:
            return str(form[name].value() or "") if name in form.fields else str(getattr(obj, name, "") or "")

        kind_name, channel = current("kind"), current("channel") or Channel.EMAIL
        kind = KINDS.get(kind_name)
        if kind is None or channel not in kind.channels:
            return {"text_kind": None}
        parts = TextParts(subject=current("subject"), text=current("text"), html=current("html"))
        try:
            preview = texts_preview(kind=kind_name, channel=channel, parts=parts)
        except ValueError:
            preview = None  # unbalanced braces: the form shows the error, there is nothing to preview
        html_preview_url = ""
        if obj is not None and obj.pk and channel == Channel.EMAIL:
            html_preview_url = reverse("admin:texts_messagetemplate_preview", args=[obj.pk])
        return {"text_kind": kind, "preview": preview, "html_preview_url": html_preview_url}

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:object_id>/preview/", preview, name="texts_messagetemplate_preview"),
            *super().get_urls(),
        ]

    @xframe_options_sameorigin
    def preview_view(self, request, object_id: int) -> HttpResponse:
        """The saved HTML body filled with samples, as a page for the change form's frame."""
        obj = self.get_object(request, str(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        parts = TextParts(subject=obj.subject, text=obj.text, html=obj.html)
        rendered = texts_preview(kind=obj.kind, channel=obj.channel, parts=parts, language=obj.language)
        # The email as it is sent, in the company's layout; the logo from the portal, not the email.
        page = email_compose(
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            language=obj.language,
            button=rendered.button,
            logo_src=company_settings_get().logo_url,
        ).html
        response = HttpResponse(page)
        response["Content-Security-Policy"] = _PREVIEW_CSP
        return response

    def save_model(self, request, obj, form, change):
        texts_template_save(template=obj, actor=request.user, changes=changes_of(form))

    def delete_model(self, request, obj):
        texts_template_delete(template=obj, actor=request.user)
