"""The back-office of schedules: programme templates with their tranches, a sale's schedule
changed tranche by tranche, and its balance consigned; scoped to each staff member's programmes."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission

from portal.audit.models import AuditEntry
from programmes.models import Programme
from schedules.models import ScheduleTemplate, Tranche, Trigger
from schedules.services.templates import schedule_template_save
from tests.conftest import make_user
from tests.factories import ProgrammeFactory
from tests.sales_admin.helpers import ADMIN_QUERY_BUDGET, count_get_queries, sale_make, staff_of
from tests.schedules.factories import VEFA_PARTS

pytestmark = pytest.mark.django_db

SCHEDULE_PERMISSIONS = [
    "view_scheduletemplate",
    "add_scheduletemplate",
    "change_scheduletemplate",
    "view_templatetranche",
    "add_templatetranche",
    "change_templatetranche",
    "delete_templatetranche",
    "view_tranche",
    "change_tranche",
]


def scheduler(programme, email):
    """A staff member of `programme` who may keep its schedules (whatever role grants it)."""
    user = staff_of(programme, email)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="schedules", codename__in=SCHEDULE_PERMISSIONS)
    )
    return user


def staff_without_schedules(programme, email):
    """A staff member of `programme` who reads its sales but holds no permission of schedules."""
    user = make_user(email, language="en")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(content_type__app_label="sales", codename="view_sale"))
    programme.staff.add(user)
    return user


def template_make(programme, pairs=VEFA_PARTS):
    return schedule_template_save(
        actor=None,
        template=ScheduleTemplate(programme=programme),
        values={},
        tranches=[{"label": Trigger(t).label, "trigger": t, "percent": Decimal(p)} for t, p in pairs],
    )


@pytest.fixture
def world():
    """Programme A (France) kept by Anne, programme B by Bob; both with a template, a sale each."""
    a = ProgrammeFactory(code="aaa", name="Programme AAA", country=Programme.Country.FR)
    b = ProgrammeFactory(code="bbb", name="Programme BBB", country=Programme.Country.FR)
    anne, bob = scheduler(a, "anne@example.test"), scheduler(b, "bob@example.test")
    template_a, template_b = template_make(a), template_make(b)
    sale_a = sale_make(a, anne)
    return SimpleNamespace(
        a=a, b=b, anne=anne, bob=bob, template_a=template_a, template_b=template_b, sale_a=sale_a
    )


def tranches_of(sale):
    return list(Tranche.objects.filter(sale=sale).order_by("position"))


def template_post(programme_id, rows, *, payment_days=15, existing=0):
    data = {
        "payment_days": str(payment_days),
        "tranches-TOTAL_FORMS": str(len(rows)),
        "tranches-INITIAL_FORMS": str(existing),
        "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "1000",
    }
    if programme_id is not None:
        data["programme"] = str(programme_id)
    for index, (trigger, percent) in enumerate(rows):
        data |= {
            f"tranches-{index}-label": Trigger(trigger).label,
            f"tranches-{index}-trigger": trigger,
            f"tranches-{index}-percent": percent,
        }
    return data


def test_a_template_above_the_french_ceiling_is_refused_in_words_on_the_page(client, world):
    programme = ProgrammeFactory(code="ccc", country=Programme.Country.FR)
    programme.staff.add(world.anne)
    client.force_login(world.anne)
    rows = [
        (Trigger.DEED, "30"),
        (Trigger.FOUNDATIONS, "6"),
        (Trigger.WEATHER_TIGHT, "34"),
        (Trigger.DELIVERY, "30"),
    ]

    response = client.post("/admin/schedules/scheduletemplate/add/", template_post(programme.pk, rows))

    assert response.status_code == 200
    assert "CCH art. R261-14: at most 35 % may be called by foundations; this schedule calls 36 %." in (
        response.content.decode()
    )
    assert not ScheduleTemplate.objects.filter(programme=programme).exists()


def test_a_legal_template_is_saved_with_its_tranches_in_stage_order_and_audited(client, world):
    programme = ProgrammeFactory(code="ccc", country=Programme.Country.FR)
    programme.staff.add(world.anne)
    client.force_login(world.anne)
    rows = [
        (Trigger.DELIVERY, "5"),
        (Trigger.DEED, "35"),
        (Trigger.WEATHER_TIGHT, "35"),
        (Trigger.COMPLETION, "25"),
    ]

    response = client.post("/admin/schedules/scheduletemplate/add/", template_post(programme.pk, rows))

    assert response.status_code == 302
    template = ScheduleTemplate.objects.get(programme=programme)
    assert [(t.position, t.trigger) for t in template.tranches.order_by("position")] == [
        (1, Trigger.DEED),
        (2, Trigger.WEATHER_TIGHT),
        (3, Trigger.COMPLETION),
        (4, Trigger.DELIVERY),
    ]
    assert AuditEntry.objects.filter(action="schedule_template.created", actor=world.anne).exists()


def test_staff_of_another_programme_neither_see_nor_open_a_template(client, world):
    client.force_login(world.bob)
    listing = client.get("/admin/schedules/scheduletemplate/").content.decode()
    assert "Programme BBB" in listing and "Programme AAA" not in listing
    assert client.get(f"/admin/schedules/scheduletemplate/{world.template_a.pk}/change/").status_code == 404
    # Nor may they give programme A a template.
    programme = ProgrammeFactory(code="ccc")
    programme.staff.add(world.anne)
    response = client.post("/admin/schedules/scheduletemplate/add/", template_post(programme.pk, VEFA_PARTS))
    assert response.status_code == 200
    assert not ScheduleTemplate.objects.filter(programme=programme).exists()


def test_staff_without_the_permission_are_refused(client, world):
    other = staff_without_schedules(world.a, "sam@example.test")
    client.force_login(other)
    assert client.get(f"/admin/schedules/scheduletemplate/{world.template_a.pk}/change/").status_code == 403
    assert (
        client.get(f"/admin/schedules/tranche/{tranches_of(world.sale_a)[0].pk}/change/").status_code == 403
    )


def test_a_sales_schedule_lists_its_tranches_only_for_its_programmes_staff(client, world):
    tranche = tranches_of(world.sale_a)[0]
    client.force_login(world.anne)
    page = client.get(f"/admin/schedules/tranche/?sale={world.sale_a.pk}").content.decode()
    assert "Signature of the deed" in page and "€40,000.00" in page

    client.force_login(world.bob)
    assert (
        "€40,000.00" not in client.get(f"/admin/schedules/tranche/?sale={world.sale_a.pk}").content.decode()
    )
    assert client.get(f"/admin/schedules/tranche/{tranche.pk}/change/").status_code == 404
    assert client.get(f"/admin/schedules/tranche/{tranche.pk}/consign/").status_code == 404


def test_staff_rename_a_tranche_not_yet_called(client, world):
    deed = tranches_of(world.sale_a)[0]
    client.force_login(world.anne)
    response = client.post(
        f"/admin/schedules/tranche/{deed.pk}/change/",
        {"label": "Signature chez le notaire", "trigger": Trigger.DEED, "percent": "20"},
    )
    assert response.status_code == 302
    deed.refresh_from_db()
    assert deed.label == "Signature chez le notaire"
    assert AuditEntry.objects.filter(action="schedule.changed", object_id=str(world.sale_a.pk)).exists()


def test_a_change_that_breaks_the_schedule_is_refused_in_words(client, world):
    deed = tranches_of(world.sale_a)[0]
    client.force_login(world.anne)
    response = client.post(
        f"/admin/schedules/tranche/{deed.pk}/change/",
        {"label": deed.label, "trigger": Trigger.DEED, "percent": "36"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The tranches must add up to exactly 100 %; these add up to 116 %." in page
    assert "CCH art. R261-14: at most 35 % may be called by foundations; this schedule calls 51 %." in page
    deed.refresh_from_db()
    assert deed.percent == Decimal("20")


def test_a_called_tranche_reads_only(client, world):
    deed = tranches_of(world.sale_a)[0]
    Tranche.objects.filter(pk=deed.pk).update(state=Tranche.State.CALLED)
    client.force_login(world.anne)
    client.post(
        f"/admin/schedules/tranche/{deed.pk}/change/",
        {"label": "x", "trigger": Trigger.DEED, "percent": "20"},
    )
    deed.refresh_from_db()
    assert deed.label == "Signature of the deed"


def test_the_balance_is_consigned_after_a_confirmation_with_a_reason(client, world):
    delivery = tranches_of(world.sale_a)[-1]
    Tranche.objects.filter(pk=delivery.pk).update(state=Tranche.State.CALLED, called_on="2026-11-02")
    client.force_login(world.anne)
    url = f"/admin/schedules/tranche/{delivery.pk}/consign/"

    page = client.get(url)
    assert page.status_code == 200 and "neither due nor overdue" in page.content.decode()
    delivery.refresh_from_db()
    assert delivery.state == Tranche.State.CALLED  # a GET changes nothing

    assert client.post(url, {"confirmed": "1", "reason": "Réserves à la livraison"}).status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == Tranche.State.CONSIGNED
    entry = AuditEntry.objects.get(action="tranche.consigned")
    assert entry.actor == world.anne and entry.data["reason"] == "Réserves à la livraison"

    client.post(f"/admin/schedules/tranche/{delivery.pk}/unconsign/", {"confirmed": "1", "reason": "Levées"})
    delivery.refresh_from_db()
    assert delivery.state == Tranche.State.CALLED


def test_consigning_another_tranche_is_refused_in_words(client, world):
    deed = tranches_of(world.sale_a)[0]
    client.force_login(world.anne)
    response = client.post(
        f"/admin/schedules/tranche/{deed.pk}/consign/", {"confirmed": "1", "reason": "x"}, follow=True
    )
    assert "only the delivery tranche of a French sale can be consigned" in response.content.decode()


def grow(world, size: int) -> None:
    """`size` more programmes of Anne's with a template, and `size` more sales on programme A."""
    for index in range(size):
        programme = ProgrammeFactory(code=f"g{ScheduleTemplate.objects.count()}-{index}", country="PL")
        programme.staff.add(world.anne)
        template_make(programme)
        sale_make(world.a, world.anne)


PAGES = {
    "template list": lambda w: "/admin/schedules/scheduletemplate/",
    "template page": lambda w: f"/admin/schedules/scheduletemplate/{w.template_a.pk}/change/",
    "sale schedule": lambda w: f"/admin/schedules/tranche/?sale={w.sale_a.pk}",
    "all tranches": lambda w: "/admin/schedules/tranche/",
    "tranche page": lambda w: f"/admin/schedules/tranche/{tranches_of(w.sale_a)[-1].pk}/change/",
    "consign confirmation": lambda w: f"/admin/schedules/tranche/{tranches_of(w.sale_a)[-1].pk}/consign/",
    "sale schedule form": lambda w: f"/admin/schedules/tranche/sale/{w.sale_a.pk}/",
}


@pytest.mark.parametrize("page", PAGES)
def test_the_page_costs_the_same_few_queries_whatever_the_data(client, world, page):
    client.force_login(world.anne)
    address = PAGES[page](world)
    grow(world, 2)
    small = count_get_queries(client, address)

    grow(world, 20)
    large = count_get_queries(client, address)

    assert small == large
    assert large <= ADMIN_QUERY_BUDGET


def test_the_sales_page_links_to_its_schedule_for_those_who_may_read_it(client, world):
    link = f'href="/admin/schedules/tranche/?sale={world.sale_a.pk}"'
    client.force_login(world.anne)
    assert link in client.get(f"/admin/sales/sale/{world.sale_a.pk}/change/").content.decode()

    client.force_login(staff_without_schedules(world.a, "sam@example.test"))
    assert link not in client.get(f"/admin/sales/sale/{world.sale_a.pk}/change/").content.decode()


def schedule_post(tranches, changes: dict[int, dict], *, new=None):
    """The body of a sale's schedule page: its planned tranches, `changes` by row, a new row."""
    planned = [t for t in tranches if t.state == Tranche.State.PLANNED]
    body = {
        "tranches-TOTAL_FORMS": str(len(planned) + 1),
        "tranches-INITIAL_FORMS": str(len(planned)),
        "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "1000",
    }
    for index, tranche in enumerate(planned):
        row = {
            "id": tranche.pk,
            "label": tranche.label,
            "trigger": tranche.trigger,
            "percent": tranche.percent,
        }
        row |= changes.get(index, {})
        body |= {f"tranches-{index}-{name}": str(value) for name, value in row.items()}
    # The new row as a browser posts it when left empty, unless the test fills it.
    new = {"id": "", "label": "", "trigger": "", "percent": ""} | (new or {})
    for name, value in new.items():
        body[f"tranches-{len(planned)}-{name}"] = str(value)
    return body


def test_staff_move_a_share_of_the_price_between_tranches_not_yet_called(client, world):
    tranches = tranches_of(world.sale_a)
    Tranche.objects.filter(pk=tranches[0].pk).update(state=Tranche.State.CALLED)
    tranches = tranches_of(world.sale_a)
    client.force_login(world.anne)
    url = f"/admin/schedules/tranche/sale/{world.sale_a.pk}/"
    assert "Tranches not yet called" in client.get(url).content.decode()

    # Weather-tight 35 → 30, completion 25 → 25 and a new 5 % tranche at completion.
    body = schedule_post(
        tranches,
        {1: {"percent": "30"}},
        new={"label": "Peintures", "trigger": Trigger.COMPLETION, "percent": "5"},
    )
    response = client.post(url, body)

    assert response.status_code == 302, response.content.decode()[:2000]
    after = tranches_of(world.sale_a)
    assert [(t.label, t.percent, t.amount) for t in after] == [
        ("Signature of the deed", Decimal("20"), Decimal("40000.00")),
        ("Foundations completed", Decimal("15"), Decimal("30000.00")),
        ("Weather-tight", Decimal("30"), Decimal("60000.00")),
        ("Completion of works", Decimal("25"), Decimal("50000.00")),
        ("Peintures", Decimal("5"), Decimal("10000.00")),
        ("Delivery", Decimal("5"), Decimal("10000.00")),
    ]
    assert AuditEntry.objects.filter(action="schedule.changed", actor=world.anne).exists()


def test_the_sale_schedule_page_says_the_legal_refusal_in_words(client, world):
    tranches = tranches_of(world.sale_a)
    client.force_login(world.anne)
    body = schedule_post(tranches, {2: {"percent": "40"}, 3: {"percent": "20"}})
    response = client.post(f"/admin/schedules/tranche/sale/{world.sale_a.pk}/", body)
    assert response.status_code == 200
    assert (
        "CCH art. R261-14: at most 70 % may be called by the weather-tight stage; this schedule calls 75 %."
        in response.content.decode()
    )
    assert [t.percent for t in tranches_of(world.sale_a)] == [t.percent for t in tranches]


def test_a_called_tranche_cannot_be_slipped_into_the_sale_schedule_form(client, world):
    tranches = tranches_of(world.sale_a)
    Tranche.objects.filter(pk=tranches[0].pk).update(state=Tranche.State.CALLED)
    client.force_login(world.anne)
    body = schedule_post(tranches_of(world.sale_a), {0: {"id": tranches[0].pk, "percent": "15"}})
    response = client.post(f"/admin/schedules/tranche/sale/{world.sale_a.pk}/", body)
    assert "Only the tranches not yet called can be changed." in response.content.decode()


def test_another_programmes_staff_never_reach_a_sales_schedule_page(client, world):
    client.force_login(world.bob)
    url = f"/admin/schedules/tranche/sale/{world.sale_a.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, schedule_post(tranches_of(world.sale_a), {})).status_code == 404


def test_the_sales_schedule_shows_what_the_ledger_allocated_to_each_tranche(client, world):
    from schedules.models import Allocation, LedgerEntry

    deed = tranches_of(world.sale_a)[0]
    entry = LedgerEntry.objects.create(
        sale=world.sale_a,
        programme=world.a,
        kind=LedgerEntry.Kind.TRANSFER,
        amount=Decimal("15000.00"),
        currency="EUR",
        booked_on="2026-02-01",
        source_key="test:transfer",
    )
    Allocation.objects.create(entry=entry, tranche=deed, amount=Decimal("15000.00"))
    client.force_login(world.anne)
    for url in [
        f"/admin/schedules/tranche/?sale={world.sale_a.pk}",
        f"/admin/schedules/tranche/sale/{world.sale_a.pk}/",
    ]:
        page = client.get(url).content.decode()
        assert "€15,000.00" in page and "€25,000.00" in page  # paid, and what remains of €40,000.00
