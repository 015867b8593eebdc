"""SAL-1: buyers in the back-office."""

import pytest
from django.urls import reverse

from sales.models import Buyer
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:sales_buyer_add")


def buyer_form(**overrides) -> dict:
    data = {
        "civility": "mrs",
        "first_name": "Zofia",
        "last_name": "Nowak",
        "email": "Zofia.Nowak@Example.test",
        "phone": "06 12 34 56 78",
        "address": "3 rue Neuve",
        "postcode": "69001",
        "city": "Lyon",
        "country": "FR",
        "language": "pl",
    }
    data.update(overrides)
    return data


def test_staff_record_a_buyer_before_his_sale_with_his_phone_in_international_form(client, world):
    client.force_login(world.anne)

    response = client.post(ADD, buyer_form())

    assert response.status_code == 302
    buyer = Buyer.objects.get()
    assert (buyer.email, buyer.phone, buyer.language) == ("zofia.nowak@example.test", "+33612345678", "pl")
    assert buyer.email in client.get(reverse("admin:sales_buyer_changelist")).content.decode()


def test_a_phone_is_read_in_the_buyers_country(client, world):
    client.force_login(world.anne)

    client.post(ADD, buyer_form(phone="512 345 678", country="PL"))

    assert Buyer.objects.get().phone == "+48512345678"


def test_a_bad_phone_is_refused_in_words(client, world):
    client.force_login(world.anne)

    response = client.post(ADD, buyer_form(phone="12"))

    assert "“12” is not a valid phone number." in response.content.decode()
    assert not Buyer.objects.exists()


def test_an_email_already_used_in_another_case_is_refused(client, world):
    BuyerFactory(email="zofia.nowak@example.test")
    client.force_login(world.anne)

    response = client.post(ADD, buyer_form())

    assert "Buyer with this Email address already exists." in response.content.decode()
    assert Buyer.objects.count() == 1
