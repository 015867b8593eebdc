"""tests/totp.py makes second factors without allauth's private modules; this says when it drifts."""

from django.urls import reverse

from tests.accounts.test_login import PASSWORD
from tests.totp import totp_activate, totp_code


def test_the_test_totp_helper_still_matches_allauths_own_check(client, sales):
    secret = totp_activate(sales)
    client.post(reverse("account_login"), {"login": sales.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session.get("_auth_user_id") == str(sales.pk), (
        "allauth refused a code from tests/totp.py: the installed django-allauth stores or checks "
        "TOTP secrets differently now; update tests/totp.py (authenticator data or code format)."
    )


def test_a_code_from_another_time_window_is_refused_so_the_helper_is_not_trivially_accepted(client, sales):
    secret = totp_activate(sales)
    client.post(reverse("account_login"), {"login": sales.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, at=0)})
    assert "_auth_user_id" not in client.session
