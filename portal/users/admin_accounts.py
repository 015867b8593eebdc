"""allauth's admin pages for the parts of an account it keeps, with every write audited.

Administrators (by role) look after users' email addresses, second factors and sessions
(portal.users.roles). allauth's own admins save through plain forms; these take their place
and hand every save and delete to the users' services. A second factor's secret is never
edited (nor copied into the trail): an authenticator is read and, when lost, deleted; a session
is ended, which also closes it in Django's session store.
"""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.admin_helpers import DeleteEachAdminMixin
from portal.admin_titles import FormTitlesMixin
from portal.audit.changes import form_values
from portal.users.services import account_record_delete, account_record_save, email_address_verify


class AuditedEmailAddressAdmin(FormTitlesMixin, DeleteEachAdminMixin, EmailAddressAdmin):
    form_titles = {
        "add_button": _("Add an email address"),
        "add": _("Add an email address"),
        "change": _("Change the email address"),
        "view": _("The email address"),
    }

    def save_model(self, request, obj, form, change):
        account_record_save(actor=request.user, record=obj, values=form_values(form))

    def delete_model(self, request, obj):
        account_record_delete(actor=request.user, record=obj)

    @admin.action(description=_("Mark selected email addresses as verified"))
    def make_verified(self, request, queryset) -> None:
        for address in queryset.filter(verified=False):
            if email_address_verify(actor=request.user, email_address=address):
                email_confirmed.send(sender=EmailAddress, request=request, email_address=address)
                self.message_user(
                    request, _("Marked {email} as verified.").format(email=address.email), messages.SUCCESS
                )


class AuditedAuthenticatorAdmin(FormTitlesMixin, DeleteEachAdminMixin, AuthenticatorAdmin):
    form_titles = {
        "view": _("The second factor"),
        "change": _("The second factor"),
    }
    readonly_fields = ["user", "type", "created_at", "last_used_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        # A second factor is set up by its owner, who alone sees its secret.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        account_record_delete(actor=request.user, record=obj)


class AuditedUserSessionAdmin(FormTitlesMixin, DeleteEachAdminMixin, UserSessionAdmin):
    form_titles = {
        "view": _("The session"),
        "change": _("The session"),
    }
    readonly_fields = ["user", "ip", "user_agent", "created_at", "last_seen_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        account_record_delete(actor=request.user, record=obj, end=obj.end)


# allauth names these two in English only; the back-office speaks the reader's language.
Authenticator._meta.verbose_name = _("second factor")
Authenticator._meta.verbose_name_plural = _("second factors")
UserSession._meta.verbose_name = _("session")
UserSession._meta.verbose_name_plural = _("sessions")

for model, model_admin in [
    (EmailAddress, AuditedEmailAddressAdmin),
    (Authenticator, AuditedAuthenticatorAdmin),
    (UserSession, AuditedUserSessionAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
