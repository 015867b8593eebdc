"""The confirmation step of the back-office's destructive actions (cancel a sale, refuse a
reservation request, cancel a payment request, refund): a page that says what will happen, in
words and amounts, and asks for a reason the audit trail keeps. Nothing changes before its POST."""

from django import forms
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

# The hidden mark of the confirmation page's own form: a first click elsewhere (a button of the
# sale's page) posts without it and is shown the confirmation, changing nothing.
CONFIRMED = "confirmed"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in the audit trail with your name."),
        error_messages={"required": _("Say why: the reason is kept in the audit trail.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why: the reason is kept in the audit trail."))
        return reason


def confirmation_reason(request) -> ReasonForm:
    """The reason asked for: bound only when the confirmation page's own form posted it, so a first
    click (without the mark) shows the page with no error."""
    return ReasonForm(request.POST if CONFIRMED in request.POST else None)


def confirmation_page(
    request,
    admin,
    *,
    form: forms.Form,
    title: str,
    consequences: list[str],
    submit: str,
    back_url: str,
    back_label: str,
    hidden: dict | None = None,
    status: int = 200,
):
    """The confirmation page of `admin` (a ModelAdmin): what will happen, the reason, the button."""
    context = {
        **admin.admin_site.each_context(request),
        "title": title,
        "opts": admin.opts,
        "form": form,
        "consequences": consequences,
        "submit": submit,
        "back_url": back_url,
        "back_label": back_label,
        "hidden": {CONFIRMED: "1", **(hidden or {})},
    }
    return TemplateResponse(request, "admin/confirm_action.html", context, status=status)
