"""The portal link a payment request carries: signed, so it can be written again in a reminder,
and void once staff issue a fresh link (a new nonce) or its validity ends."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from payments.models import Payment

_SIGNER = signing.Signer(salt="payments.link")


def payment_link_token(payment: Payment) -> str:
    return _SIGNER.sign(f"{payment.pk}.{payment.link_nonce}")


def payment_link_parse(token: str) -> tuple[int, str] | None:
    """(payment id, nonce) from a token, or None when it was not signed by us."""
    try:
        value = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    payment_id, _dot, nonce = value.partition(".")
    return (int(payment_id), nonce) if payment_id.isdigit() and nonce else None


def payment_link_path(payment: Payment) -> str:
    return reverse("payments:pay", args=[payment_link_token(payment)])


def payment_link_url(payment: Payment) -> str:
    return f"{settings.SITE_URL}{payment_link_path(payment)}"


def payment_admin_url(payment: Payment) -> str:
    return f"{settings.SITE_URL}{reverse('admin:payments_payment_change', args=[payment.pk])}"
