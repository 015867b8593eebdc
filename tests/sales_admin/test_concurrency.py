import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from sales.models import Sale, SaleLot
from tests.factories import BuyerFactory, lots_make
from tests.sales_admin.helpers import programme_with_staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_the_same_lot_at_once_make_one_sale_and_one_sentence():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL")
    programme, anne = programme_with_staff("con", "anne@example.test")
    bob = programme_with_staff("oth", "bob@example.test")[1]
    programme.staff.add(bob)
    [lot] = lots_make(programme, 1)
    buyers = [BuyerFactory(), BuyerFactory()]
    start = threading.Barrier(2)
    answers = {}

    def save(user, buyer):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        data = {"lots": [lot.pk], "main_buyer": buyer.pk, "contract_type": "vefa"}
        start.wait()
        try:
            answers[user.email] = client.post(reverse("admin:sales_sale_add"), data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=pair) for pair in zip([anne, bob], buyers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert Sale.objects.count() == 1
    assert SaleLot.objects.filter(lot=lot, live=True).count() == 1
    statuses = sorted(response.status_code for response in answers.values())
    assert statuses == [200, 302]
    [refused] = [response for response in answers.values() if response.status_code == 200]
    content = refused.content.decode()
    assert any(
        sentence in content
        for sentence in ("is not available", "was just taken by another sale", "Select a valid choice")
    )
