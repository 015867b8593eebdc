"""Staff see the payments of their programmes only; another programme's payment does not exist."""

import pytest

from tests.payments_admin.helpers import paid_by_transfer, url

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_payments_of_the_users_programmes_only(client, world):
    client.force_login(world.anne)

    response = client.get(url("payment_changelist"))

    assert response.status_code == 200
    assert "INV-A1" in response.text
    assert "INV-B1" not in response.text


def test_the_programme_filter_offers_only_the_users_programmes(client, world):
    from tests.factories import ProgrammeFactory

    c = ProgrammeFactory(code="ccc")
    c.staff.add(world.anne)
    client.force_login(world.anne)

    response = client.get(url("payment_changelist"))

    assert f"programme__id__exact={world.a.pk}" in response.text
    assert f"programme__id__exact={c.pk}" in response.text
    assert f"programme__id__exact={world.b.pk}" not in response.text


def test_an_administrator_sees_every_programme(client, world, chief):
    client.force_login(chief)

    response = client.get(url("payment_changelist"))

    assert "INV-A1" in response.text
    assert "INV-B1" in response.text


@pytest.mark.parametrize(
    "page",
    [
        "payment_change",
        "payment_history",
        "payment_transfer",
        "payment_refund",
        "payment_receipt",
        "mypayment_change",
    ],
)
def test_another_programmes_payment_answers_404_on_every_page(client, world, chief, page):
    paid_by_transfer(world.payment_a, chief)
    client.force_login(world.bob)

    assert client.get(url(page, world.payment_a.pk)).status_code == 404


@pytest.mark.parametrize("operation", ["cancel", "renew", "reconcile", "unreconcile"])
def test_another_programmes_payment_answers_404_to_its_buttons(client, world, operation):
    client.force_login(world.bob)

    response = client.post(url("payment_operation", world.payment_a.pk, operation))

    assert response.status_code == 404
    world.payment_a.refresh_from_db()
    assert world.payment_a.status == "to_pay"


def test_another_programmes_sale_answers_404_to_the_request_pages(client, world):
    client.force_login(world.bob)

    assert client.get(url("payment_request", world.sale_a.pk)).status_code == 404
    assert client.post(url("payment_deposit", world.sale_a.pk)).status_code == 404


def test_the_export_leaves_out_other_programmes(client, world):
    client.force_login(world.anne)

    body = b"".join(client.get(url("payment_export", "csv")).streaming_content).decode("utf-8-sig")

    assert "INV-A1" in body
    assert "INV-B1" not in body


def test_my_payments_shows_only_the_sales_the_user_advises(client, world):
    from tests.factories import request_make
    from tests.sales_admin.helpers import sale_make, staff_of

    colleague = staff_of(world.a, "carl@example.test")
    request_make(sale_make(world.a, colleague), actor=colleague, reference="INV-CARL")
    client.force_login(world.anne)

    mine = client.get(url("mypayment_changelist")).text
    everything = client.get(url("payment_changelist")).text

    assert "INV-A1" in mine
    assert "INV-CARL" not in mine
    assert "INV-CARL" in everything
    carls = world.a.payments.get(reference="INV-CARL")
    assert client.get(url("mypayment_change", carls.pk)).status_code == 404
    assert client.get(url("payment_change", carls.pk)).status_code == 200


def test_the_list_has_no_add_and_the_page_no_save(client, world):
    client.force_login(world.ada)

    assert client.get(url("payment_add")).status_code == 403
    page = client.get(url("payment_change", world.payment_a.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert client.post(url("payment_change", world.payment_a.pk), {"reference": "X"}).status_code == 403
    assert client.get(url("payment_delete", world.payment_a.pk)).status_code == 403
