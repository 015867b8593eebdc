"""The client's address behind the proxy: one rule for the audit trail and the login rate limits."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.middleware import RequestContextMiddleware
from portal.request_context import address_from_request, client_address
from portal.users.adapter import AccountAdapter

SPOOFED = "198.51.100.66, 203.0.113.9"


def request_from(remote: str = "10.0.0.5", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert address_from_request(request_from(forwarded=SPOOFED)) == "10.0.0.5"


def test_behind_one_proxy_the_right_most_forwarded_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address_from_request(request_from(forwarded=SPOOFED)) == "203.0.113.9"


def test_behind_two_proxies_the_second_address_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_from_request(request_from(forwarded=SPOOFED)) == "198.51.100.66"


def test_a_header_shorter_than_the_proxy_chain_or_not_an_address_falls_back_to_the_socket(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_from_request(request_from(forwarded="203.0.113.9")) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert address_from_request(request_from(forwarded="1.2.3.4, not-an-address")) == "10.0.0.5"


def test_the_audit_trail_and_the_rate_limits_read_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from(forwarded=SPOOFED)
    seen = []
    RequestContextMiddleware(lambda request: seen.append(client_address.get()))(request)
    assert seen == ["203.0.113.9"]
    assert AccountAdapter(request).get_client_ip(request) == "203.0.113.9"


def failed_logins(client, count: int, *, forwarded: str, first: int = 0) -> str:
    """`count` wrong passwords for different accounts (so only the per-address limit counts)."""
    content = ""
    for number in range(first, first + count):
        response = client.post(
            reverse("account_login"),
            {"login": f"nobody{number}@example.test", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        content = response.content.decode()
    return content


LIMITED = "Too many failed login attempts"


@pytest.mark.django_db
def test_spoofing_the_forwarded_header_does_not_escape_the_login_rate_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(10):
        assert LIMITED not in failed_logins(client, 1, forwarded=f"192.0.2.{number}", first=number)
    assert LIMITED in failed_logins(client, 1, forwarded="192.0.2.200", first=99)


@pytest.mark.django_db
def test_behind_a_proxy_the_login_rate_limit_counts_per_real_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert LIMITED not in failed_logins(client, 10, forwarded="192.0.2.1, 203.0.113.9")
    # The same client writing another left-hand entry is still the same client.
    assert LIMITED in failed_logins(client, 1, forwarded="192.0.2.77, 203.0.113.9", first=50)
    # Another client behind the same proxy is not locked out by the first.
    assert LIMITED not in failed_logins(client, 1, forwarded="203.0.113.10", first=60)
