import time
import uuid

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from portal.request_context import address_from_request
from portal.users.models import User

# allauth emails whose text staff may edit, and how allauth's context feeds their placeholders.
EDITABLE_ACCOUNT_EMAILS = {
    "account/email/email_confirmation": "email_confirmation",
    "account/email/email_confirmation_signup": "email_confirmation",
    "account/email/password_reset_key": "password_reset",
    "account/email/login_code": "login_code",
}

# What in allauth's email context opens an account.
SECRET_CONTEXT = ("activate_url", "password_reset_url", "code", "key")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        from portal.branding.selectors import company_settings_get

        return company_settings_get().signup_enabled

    def is_reauthentication_required(self, *, app, **kwargs):
        # Logging in a moment ago is as good as typing the password again: a staff member sent
        # to enrol his second factor right after logging in is not asked for it twice.
        request = self.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_client_ip(self, request):
        # allauth keys its rate limits on this; the audit trail uses the same rule.
        address = address_from_request(request)
        if not address:
            raise PermissionDenied(_("Unable to determine the client's address."))
        return address

    def send_mail(self, template_prefix, email, context):
        """Every account email goes through the outbox, in the recipient's own language and in
        the company's layout."""
        # allauth loads its adapter while Django starts; the outbox and texts apps load later.
        from django.conf import settings
        from django.urls import reverse
        from django.utils.html import escape, linebreaks, urlize

        from portal.outbox.services import outbox_enqueue_email
        from portal.texts.emails import EmailButton, email_compose
        from portal.texts.services import texts_language, texts_render_email

        user = User.objects.filter(email__iexact=email).only("language", "first_name", "last_name").first()
        language = user.language if user else translation.get_language()
        with translation.override(language):
            kind = EDITABLE_ACCOUNT_EMAILS.get(template_prefix)
            if kind:
                link = context.get("activate_url") or context.get("password_reset_url") or ""
                if kind == "login_code":
                    link = settings.SITE_URL + reverse("account_confirm_login_code")
                values = {
                    "user_name": (user.get_full_name() if user else "") or email,
                    "link": link,
                    "code": context.get("code", ""),
                }
                composed = texts_render_email(kind=kind, language=language, values=values)
            else:
                request = self.request
                message = self.render_mail(
                    template_prefix, email, {"request": request, "email": email, **context}
                )
                html = next(
                    (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
                )
                composed = email_compose(
                    subject=message.subject,
                    text=message.body,
                    html=html or linebreaks(urlize(escape(message.body))),
                    language=texts_language(language),
                    button=EmailButton(url=settings.SITE_URL + "/", label=_("Open the portal")),
                )
        # Each request from the user is a new message; the key only guards the row against replays.
        outbox_enqueue_email(
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4()}",
            to=email,
            subject=composed.subject,
            text=composed.text,
            html=composed.html,
            # A confirmation or reset link, or a login code, opens the account: not kept once sent.
            secret=any(context.get(name) for name in SECRET_CONTEXT),
        )
