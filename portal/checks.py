from django.conf import settings
from django.core.checks import Tags, Warning, register


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
