from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.audit.changes import changes_of
from portal.branding.models import CompanySettings, all_language_codes
from portal.branding.selectors import company_settings_get
from portal.branding.services import company_settings_save

_COLOUR_INPUT = forms.TextInput(attrs={"type": "color"})


class CompanySettingsForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages offered"),
        choices=settings.LANGUAGES,
        initial=all_language_codes,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Languages users may choose for the pages and their emails."),
    )

    class Meta:
        model = CompanySettings
        fields = [
            "name",
            "logo",
            "legal_details",
            "email_sender_name",
            "primary_colour",
            "on_primary_colour",
            "page_background_colour",
            "page_text_colour",
            "login_background",
            "signup_enabled",
            "password_reset_link_enabled",
            "rows_per_page",
            "languages",
        ]
        widgets = {
            "primary_colour": _COLOUR_INPUT,
            "on_primary_colour": _COLOUR_INPUT,
            "page_background_colour": _COLOUR_INPUT,
            "page_text_colour": _COLOUR_INPUT,
        }


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    """One page for the one row: no list, no second row, no delete.

    Django's permission checks already restrict changes to superusers and holders of
    branding.change_companysettings (the administrator role).
    """

    form = CompanySettingsForm
    readonly_fields = ["updated_at"]
    fieldsets = [
        (
            _("Company"),
            {"fields": ["name", "logo", "legal_details", "email_sender_name"]},
        ),
        (
            _("Colours"),
            {
                "fields": [
                    "primary_colour",
                    "on_primary_colour",
                    "page_background_colour",
                    "page_text_colour",
                ],
                "description": _(
                    "Each text colour needs a contrast of at least 4.5:1 with its background (WCAG AA)."
                ),
            },
        ),
        (_("Login page"), {"fields": ["login_background", "signup_enabled", "password_reset_link_enabled"]}),
        (_("Display"), {"fields": ["rows_per_page", "languages", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        # Asked on every back-office page (the sidebar): the cached settings tell whether the
        # row exists, without a query of its own (saving the row drops the cached copy).
        return super().has_add_permission(request) and company_settings_get()._state.adding

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if CompanySettings.objects.filter(pk=CompanySettings.SINGLETON_PK).exists():
            return redirect(
                reverse("admin:branding_companysettings_change", args=[CompanySettings.SINGLETON_PK])
            )
        return redirect(reverse("admin:branding_companysettings_add"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # There is never another row to add.
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def response_post_save_change(self, request, obj):
        # There is no list to go back to: stay on the page that was just saved.
        return redirect(request.path)

    def response_post_save_add(self, request, obj):
        return redirect(reverse("admin:branding_companysettings_change", args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        company_settings_save(company=obj, actor=request.user, changes=changes_of(form))
