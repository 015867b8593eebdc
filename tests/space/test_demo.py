"""The quick start's demo data for the client space: a reservation request waiting for its advisor."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from portal.users.models import User
from portal.users.roles import roles_sync
from sales.models import Sale, Stage


@pytest.mark.django_db(transaction=True)
def test_the_demo_co_buyer_has_a_reservation_request_he_may_withdraw(client):
    roles_sync(apps)  # an earlier transactional test may have flushed the groups the migrations made
    call_command("seed_demo", stdout=io.StringIO())
    paul = User.objects.get(email="cobuyer@demo.test")

    request = Sale.objects.get(requested_by_buyer=True, buyers__user=paul)

    assert request.stage == Stage.OPTION and request.hold_until is not None
    client.force_login(paul)
    page = client.get(reverse("space:sale", args=[request.pk])).content.decode()
    assert reverse("space:withdraw_request", args=[request.pk]) in page
