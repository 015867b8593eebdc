from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.accounts.test_login import PASSWORD, login
from tests.totp import totp_activate, totp_code, totp_enrolment_secret


def test_a_staff_member_enrols_totp_gets_recovery_codes_then_opens_the_admin(client, sales):
    login(client, sales.email)
    first = client.get("/admin/")
    assert first.url.startswith(reverse("mfa_activate_totp"))

    page = client.get(first.url)
    assert page.status_code == 200
    secret = totp_enrolment_secret(page)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302

    kinds = set(Authenticator.objects.filter(user=sales).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get("/admin/").status_code == 200


def test_once_enrolled_a_staff_login_asks_for_the_code(client, sales):
    secret = totp_activate(sales)
    response = client.post(reverse("account_login"), {"login": sales.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session["_auth_user_id"] == str(sales.pk)
    assert client.get("/admin/").status_code == 200
