"""Second-factor codes for tests, through allauth's public API only.

allauth keeps its TOTP helpers in a private module (`allauth.mfa.totp.internal`), so the tests do
not import them: an authenticator is created through the public model and the MFA adapter's
`encrypt` hook, and codes follow RFC 6238 with allauth's documented settings. If allauth changes
how it stores or checks TOTP secrets, tests/accounts/test_totp_helper.py fails and says so.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time

from allauth.mfa import app_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator


def totp_secret() -> str:
    """A fresh base32 secret, as an authenticator app would scan it."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def totp_activate(user, secret: str | None = None) -> str:
    """Give `user` an authenticator app; returns its secret."""
    secret = secret or totp_secret()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": get_adapter().encrypt(secret)}
    )
    return secret


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` now (RFC 6238, HMAC-SHA1)."""
    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD
    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**app_settings.TOTP_DIGITS:0{app_settings.TOTP_DIGITS}}"


def totp_enrolment_secret(page) -> str:
    """The secret the enrolment page offers to type in by hand (its form's `secret`)."""
    form = page.context["form"] if page.context else None
    secret = getattr(form, "secret", None)
    if not secret:
        raise AssertionError(
            "allauth's TOTP enrolment page no longer exposes its form's `secret`: "
            "update tests/totp.py for the installed django-allauth."
        )
    return secret
