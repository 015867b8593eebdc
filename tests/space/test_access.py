"""Who sees which sale in the client space (ACC-4, SAL-7): a foreign sale answers 404."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sale_urls(sale):
    return [reverse("space:sale", args=[sale.pk]), reverse("space:calendar", args=[sale.pk])]


def test_a_visitor_is_sent_to_the_login_page(client, anna_sale):
    for url in [reverse("space:dashboard"), reverse("space:reserve"), *sale_urls(anna_sale)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_buyer_opens_his_own_sale_and_its_calendar(client, anna, anna_sale):
    client.force_login(anna.user)
    for url in sale_urls(anna_sale):
        assert client.get(url).status_code == 200


def test_a_buyer_gets_404_for_another_buyers_sale(client, anna, anna_sale, boris_sale):
    client.force_login(anna.user)
    for url in sale_urls(boris_sale):
        response = client.get(url)
        assert response.status_code == 404
        assert boris_sale.reference not in response.content.decode()


def test_a_sale_that_does_not_exist_answers_404_like_a_foreign_one(client, anna, anna_sale):
    client.force_login(anna.user)
    assert client.get(reverse("space:sale", args=[anna_sale.pk + 1000])).status_code == 404


def test_a_co_buyer_sees_the_shared_sale(client, piotr, anna_sale):
    client.force_login(piotr.user)
    for url in sale_urls(anna_sale):
        assert client.get(url).status_code == 200
    assert anna_sale.reference in client.get(reverse("space:dashboard")).content.decode()


def test_the_dashboard_lists_only_the_buyers_own_sales(client, anna, anna_sale, boris_sale):
    client.force_login(anna.user)
    html = client.get(reverse("space:dashboard")).content.decode()
    assert reverse("space:sale", args=[anna_sale.pk]) in html
    assert reverse("space:sale", args=[boris_sale.pk]) not in html


def test_an_assigned_notary_sees_the_sale(client, notary, anna_sale):
    client.force_login(notary)
    for url in sale_urls(anna_sale):
        assert client.get(url).status_code == 200
    assert anna_sale.reference in client.get(reverse("space:dashboard")).content.decode()


def test_a_notary_not_assigned_gets_404(client, other_notary, anna_sale):
    client.force_login(other_notary)
    for url in sale_urls(anna_sale):
        assert client.get(url).status_code == 404
    assert anna_sale.reference not in client.get(reverse("space:dashboard")).content.decode()


def test_an_assigned_partner_sees_the_sale_but_not_another(client, partner, anna_sale, boris_sale):
    client.force_login(partner)
    for url in sale_urls(anna_sale):
        assert client.get(url).status_code == 200
    for url in sale_urls(boris_sale):
        assert client.get(url).status_code == 404


def test_a_notary_and_a_partner_cannot_reach_the_reservation_pages(client, notary, partner, programme):
    lot = programme.lots.first()
    for user in (notary, partner):
        client.force_login(user)
        assert client.get(reverse("space:reserve")).status_code == 404
        assert client.post(reverse("space:reserve_lot", args=[lot.pk])).status_code == 404


def test_staff_are_sent_to_the_back_office(client, advisor, anna_sale):
    client.force_login(advisor)
    for url in [reverse("space:dashboard"), reverse("space:reserve"), *sale_urls(anna_sale)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")


def test_the_home_page_sends_a_buyer_to_his_dashboard(client, anna):
    client.force_login(anna.user)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("space:dashboard")
