"""The alerts inbox of the back-office: each staff member reads his own alerts, and only his."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from portal.alerts.models import Alert
from portal.notify import notify_in_app
from portal.users.roles import Role
from tests.conftest import make_user
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries

pytestmark = pytest.mark.django_db

LIST = reverse("admin:alerts_alert_changelist")


def alert_for(user, number: int, **fields) -> Alert:
    fields.setdefault("link", f"/admin/sales/sale/{number}/change/")
    return notify_in_app(
        key=f"test:{user.pk}:{number}", user=user, text=f"Payment {number} received.", **fields
    )


def change_url(alert) -> str:
    return reverse("admin:alerts_alert_change", args=[alert.pk])


def act(client, action: str, alerts: list[Alert]):
    return client.post(
        LIST, {"action": action, ACTION_CHECKBOX_NAME: [alert.pk for alert in alerts]}, follow=True
    )


@pytest.mark.parametrize("role", [Role.SALES, Role.ACCOUNTANT, Role.CUSTOMER_SERVICE, Role.ADMINISTRATOR])
def test_every_staff_role_reads_his_own_alerts(client, role):
    reader = make_user("reader@example.test", role=role)
    alert_for(reader, 1)
    client.force_login(reader)

    response = client.get(LIST)

    assert response.status_code == 200
    assert "Payment 1 received." in response.text
    assert client.get(change_url(reader.alerts.get())).status_code == 200


def test_a_staff_member_never_sees_the_alerts_of_another(client, sales, accountant):
    mine = alert_for(sales, 1)
    theirs = alert_for(accountant, 2)
    client.force_login(sales)

    listing = client.get(LIST)

    assert "Payment 1 received." in listing.text
    assert "Payment 2 received." not in listing.text
    assert client.get(change_url(mine)).status_code == 200
    for suffix in ("change/", "history/", "delete/"):
        url = reverse("admin:alerts_alert_change", args=[theirs.pk]).replace("change/", suffix)
        assert client.get(url).status_code in (403, 404), url
    assert client.get(change_url(theirs)).status_code == 404
    assert client.get(reverse("admin:alerts_alert_history", args=[theirs.pk])).status_code == 404


def test_administrators_too_see_only_their_own_alerts(client, administrator, sales):
    theirs = alert_for(sales, 1)
    client.force_login(administrator)

    assert "Payment 1 received." not in client.get(LIST).text
    assert client.get(change_url(theirs)).status_code == 404


def test_the_list_is_newest_first_and_marks_unread_alerts(client, sales):
    old = alert_for(sales, 1)
    new = alert_for(sales, 2)
    Alert.objects.filter(pk=old.pk).update(read_at=old.created_at)
    client.force_login(sales)

    page = client.get(LIST).text

    assert page.index("Payment 2 received.") < page.index("Payment 1 received.")
    assert page.count('class="alerts-badge"') == 1
    assert page.count('class="alerts-unread"') == 1
    assert '<a href="/admin/sales/sale/2/change/">Payment 2 received.</a>' in page
    assert "My alerts (1 unread)" in page
    assert 'style="' not in page.split('id="result_list"')[1].split("</table>")[0]
    assert new.is_unread


def test_an_alert_without_a_link_is_plain_text_and_its_text_is_escaped(client, sales):
    notify_in_app(key="plain", user=sales, text="<b>Payment</b> & co", link="")
    client.force_login(sales)

    page = client.get(LIST).text

    assert "&lt;b&gt;Payment&lt;/b&gt; &amp; co" in page
    assert "<b>Payment</b>" not in page


def test_marking_read_and_unread(client, sales):
    first, second = alert_for(sales, 1), alert_for(sales, 2)
    client.force_login(sales)

    response = act(client, "mark_read", [first, second])

    assert "2 alerts marked as read." in response.text
    assert "My alerts (" not in response.text
    assert not Alert.objects.filter(read_at__isnull=True).exists()

    response = act(client, "mark_unread", [second])

    assert "1 alert marked as unread." in response.text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_an_action_never_touches_the_alerts_of_another(client, sales, accountant):
    theirs = alert_for(accountant, 1)
    client.force_login(sales)

    act(client, "mark_read", [theirs])

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_nobody_adds_edits_or_deletes_an_alert(client, administrator):
    mine = alert_for(administrator, 1)
    client.force_login(administrator)

    assert client.get(reverse("admin:alerts_alert_add")).status_code == 403
    assert client.get(reverse("admin:alerts_alert_delete", args=[mine.pk])).status_code == 403
    response = client.post(change_url(mine), {"text": "Changed", "link": "/"})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.text == "Payment 1 received."
    assert "delete_selected" not in client.get(LIST).text


def test_the_filter_shows_unread_alerts_only(client, sales):
    read, unread = alert_for(sales, 1), alert_for(sales, 2)
    Alert.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client.force_login(sales)

    page = client.get(LIST + "?state=unread").text

    assert "Payment 2 received." in page
    assert "Payment 1 received." not in page
    assert unread.is_unread


@pytest.mark.parametrize("role", [Role.SALES, Role.ADMINISTRATOR])
def test_the_list_costs_the_same_few_queries_whatever_the_number_of_alerts(client, role):
    reader = make_user("reader@example.test", role=role)
    other = make_user("other@example.test", role=Role.SALES)
    client.force_login(reader)
    for number in range(5):
        alert_for(reader, number)
        alert_for(other, number)
    small = count_get_queries(client, LIST)

    for number in range(5, 50):
        alert_for(reader, number)
        alert_for(other, number)
    large = count_get_queries(client, LIST)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET
