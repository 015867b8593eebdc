from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from portal.admin_helpers import DeleteEachAdminMixin
from portal.admin_titles import FormTitlesMixin
from portal.audit.changes import form_values
from portal.users import admin_accounts  # noqa: F401  (allauth's admins, audited)
from portal.users.models import User
from portal.users.services import user_delete, user_password_set, user_save


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django's form computes the new hash; the saving is left to user_password_set, which
    UserAdmin.log_change calls with the administrator who asked (the form does not know him)."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user._password_to_save = True
        return user


@admin.register(User)
class UserAdmin(FormTitlesMixin, DeleteEachAdminMixin, BaseUserAdmin):
    form_titles = {
        "add_button": _("Add a user"),
        "list": _("Users"),
        "add": _("Add a user"),
        "change": _("Change the user"),
        "view": _("The user"),
    }
    change_password_form = PasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal details"), {"fields": ["first_name", "last_name", "phone", "language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]
    # When someone joined and last logged in are facts, not settings.
    readonly_fields = ["last_login", "date_joined"]

    # Administrators by role run the company's accounts, but only a superuser makes or touches
    # a superuser: otherwise an administrator could make himself one, or set a superuser's
    # password and log in as him.
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # The roles too: user_save records the groups added and removed with the rest.
        user_save(actor=request.user, user=obj, values=form_values(form))

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): the roles were saved by user_save, audited.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        user_delete(actor=request.user, user=obj)

    def log_change(self, request, obj, message):
        # Django's password page saves through the form, then logs: the log is where the
        # request (the actor) and the user with his new hash meet.
        if getattr(obj, "_password_to_save", False):
            obj._password_to_save = False
            user_password_set(actor=request.user, user=obj)
        return super().log_change(request, obj, message)
