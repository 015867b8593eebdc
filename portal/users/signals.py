from allauth.mfa.signals import authenticator_removed
from django.dispatch import receiver

from portal.middleware import MFA_OK_KEY


@receiver(authenticator_removed)
def forget_mfa_enrolment(sender, request, user, authenticator, **kwargs):
    # The back-office guard remembers enrolment in the session; removing TOTP must reset it.
    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_OK_KEY, None)
