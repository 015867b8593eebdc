"""notify_in_app: one alert per key, in the caller's transaction, pointing inside the portal."""

import pytest
from django.db import transaction

from portal.alerts.models import Alert
from portal.notify import notify_in_app


def test_asking_twice_with_one_key_makes_one_alert(sales, accountant):
    first = notify_in_app(key="payment:7:received", user=sales, text="Payment received.", link="/admin/")
    again = notify_in_app(key="payment:7:received", user=accountant, text="Another text.", link="")

    assert again == first
    assert Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert (alert.user, alert.text, alert.link, alert.read_at) == (
        sales,
        "Payment received.",
        "/admin/",
        None,
    )


def test_an_alert_goes_with_the_transaction_that_caused_it(sales):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_in_app(key="payment:8:failed", user=sales, text="Payment failed.")
        raise RuntimeError("the payment could not be saved")

    assert not Alert.objects.exists()


def test_a_repeated_key_inside_a_transaction_leaves_it_usable(sales):
    with transaction.atomic():
        notify_in_app(key="payment:9:expired", user=sales, text="Expired.")
        notify_in_app(key="payment:9:expired", user=sales, text="Expired.")
        notify_in_app(key="payment:9:refunded", user=sales, text="Refunded.")

    assert Alert.objects.count() == 2


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "admin/"]
)
def test_an_alert_links_only_to_a_page_of_the_portal(sales, link):
    with pytest.raises(ValueError):
        notify_in_app(key="x", user=sales, text="Text.", link=link)

    assert not Alert.objects.exists()
