import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.request_context import address_from_request, client_address

# The client space has no inline script or style at all. The Django admin still writes a few
# style attributes, so its pages allow inline styles (never inline scripts).
_CSP = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'{admin}; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


def content_security_policy(*, form_targets: str = "") -> str:
    """The client space's policy; `form_targets` adds origins a form may post or redirect to
    (a payment page whose form leads to the processor's hosted checkout)."""
    policy = _CSP.format(admin="")
    return (
        policy.replace("form-action 'self'", f"form-action 'self' {form_targets}") if form_targets else policy
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_admin = request.path.startswith("/admin/")
        response.headers.setdefault(
            "Content-Security-Policy", _CSP.format(admin=" 'unsafe-inline'" if is_admin else "")
        )
        return response


class RequestContextMiddleware:
    """Makes the client's address available to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_address.set(address_from_request(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)


class UserLanguageMiddleware:
    """A logged-in user's own language drives his pages, whatever the browser says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


SESSION_STARTED_KEY = "portal_staff_started_at"
SESSION_SEEN_KEY = "portal_staff_seen_at"


class StaffSessionLimitMiddleware:
    """Ends a staff session after 30 idle minutes and after 12 hours in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            seen = request.session.get(SESSION_SEEN_KEY, now)
            if (
                now - seen > settings.STAFF_SESSION_IDLE_SECONDS
                or now - started > settings.STAFF_SESSION_MAX_SECONDS
            ):
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")
            # Writing the session on every request would cost a query each time; a minute is
            # precise enough for a 30-minute idle limit.
            if now - seen >= 60 or SESSION_SEEN_KEY not in request.session:
                request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


MFA_OK_KEY = "portal_staff_mfa_ok"


class StaffMfaRequiredMiddleware:
    """No back-office page opens for a staff member who has not enrolled TOTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_MFA_REQUIRED and request.path.startswith("/admin/"):
            user = request.user
            if user.is_authenticated and user.is_staff and not self._has_totp(request):
                messages.warning(
                    request,
                    _(
                        "Set up two-factor authentication with an authenticator app before opening the back-office."
                    ),
                )
                return redirect(
                    f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}"
                )
        return self.get_response(request)

    @staticmethod
    def _has_totp(request) -> bool:
        if request.session.get(MFA_OK_KEY):
            return True
        from allauth.mfa.models import Authenticator

        has_totp = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
        if has_totp:
            request.session[MFA_OK_KEY] = True
        return has_totp
