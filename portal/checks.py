"""`manage.py check --deploy`: settings that must never reach a server open to the public."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Host names that only the machine itself reaches: the quick start may answer to these alone.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
# Secret keys anyone can read: the quick start's default (portal/settings.py) and the placeholder
# in .env.example. Sessions, password-reset and payment links signed with them can be forged.
PLACEHOLDER_SECRET_KEYS = frozenset({"change-me-to-a-long-random-string"})
# What the simulated checkout's secrets start with (payments.providers), old and new.
SIMULATED_SECRET_PREFIX = "whsec_simulated_"


@register(Tags.security, deploy=True)
def staff_mfa_relaxed(app_configs, **kwargs):
    if settings.STAFF_MFA_REQUIRED:
        return []
    return [
        Warning(
            "Staff may open the back-office without a second factor (STAFF_MFA_REQUIRED is off).",
            hint="Only the quick start may relax this; unset STAFF_MFA_REQUIRED in production.",
            id="portal.W001",
        )
    ]


@register(Tags.security, deploy=True)
def quickstart_exposed(app_configs, **kwargs):
    """The quick start (SQLite, simulated payments, public secrets) serves one developer only."""
    if not settings.QUICKSTART:
        return []
    errors = []
    if not settings.DEBUG:
        errors.append(
            Error(
                "The quick start is on (PORTAL_QUICKSTART) with DEBUG off: this looks like a server.",
                hint="Unset PORTAL_QUICKSTART and configure the database, Redis, email and Stripe.",
                id="portal.E001",
            )
        )
    public = [host for host in settings.ALLOWED_HOSTS if host not in LOCAL_HOSTS]
    if public:
        errors.append(
            Error(
                f"The quick start is on (PORTAL_QUICKSTART) and answers to {', '.join(public)}.",
                hint="The quick start serves localhost only; unset PORTAL_QUICKSTART on a server.",
                id="portal.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def public_or_derived_secrets(app_configs, **kwargs):
    stripe_hint = "Copy the signing secret (whsec_…) of the webhook endpoint from Stripe's dashboard."
    problems = [
        (
            settings.SECRET_KEY == settings.QUICKSTART_SECRET_KEY
            or settings.SECRET_KEY in PLACEHOLDER_SECRET_KEYS,
            "SECRET_KEY is a published default: anyone can sign sessions and links with it.",
            'Set SECRET_KEY to python -c "import secrets; print(secrets.token_urlsafe(50))".',
            "portal.E003",
        ),
        (
            bool(settings.STRIPE_SECRET_KEY) and not settings.STRIPE_WEBHOOK_SECRET,
            "STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET: Stripe's events cannot be checked.",
            stripe_hint,
            "portal.E004",
        ),
        (
            settings.STRIPE_WEBHOOK_SECRET.startswith(SIMULATED_SECRET_PREFIX),
            "STRIPE_WEBHOOK_SECRET is a simulated checkout's secret, not one Stripe gave.",
            stripe_hint,
            "portal.E005",
        ),
        (
            settings.PAYMENTS_SIMULATED and not settings.QUICKSTART,
            "The simulated checkout is on outside the quick start: buyers could pay without money.",
            "PAYMENTS_SIMULATED belongs to the quick start and the tests only.",
            "portal.E006",
        ),
    ]
    return [Error(message, hint=hint, id=code) for failed, message, hint, code in problems if failed]
