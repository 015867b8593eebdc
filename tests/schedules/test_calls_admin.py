"""Calls for funds in the back-office: pick a milestone, preview, start, follow the progress,
list the calls and download a letter; scoped to each staff member's programmes."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from portal.users.roles import Role
from programmes.models import Milestone
from sales.models import Sale, Stage
from schedules.models import CallBatch, CallForFunds
from tests.conftest import make_user
from tests.sales_admin.helpers import count_get_queries, programme_with_staff, sale_make, staff_of
from tests.schedules.factories import schedule_make

pytestmark = pytest.mark.django_db

REACHED_ON = date(2026, 2, 27)
# What the roles are meant to hold on calls for funds (portal.users.roles lists them for the app).
CALL_PERMISSIONS = {
    Role.SALES: [
        "view_callbatch",
        "add_callbatch",
        "view_callforfunds",
        "view_stagecertificate",
        "add_stagecertificate",
        "change_stagecertificate",
    ],
    Role.ACCOUNTANT: ["view_callbatch", "add_callbatch", "view_callforfunds", "view_stagecertificate"],
    Role.CUSTOMER_SERVICE: ["view_callbatch", "view_callforfunds", "view_stagecertificate"],
}


def _grant_call_permissions():
    for role, codenames in CALL_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="schedules", codename__in=codenames)
        )


@pytest.fixture
def world():
    a, anne = programme_with_staff("aaa", "anne@example.test")
    b, bob = programme_with_staff("bbb", "bob@example.test")
    carl = staff_of(a, "carl@example.test", role=Role.CUSTOMER_SERVICE)
    _grant_call_permissions()
    milestone_a = Milestone.objects.create(
        programme=a, kind=Milestone.Kind.FOUNDATIONS, planned_date=REACHED_ON, actual_date=REACHED_ON
    )
    milestone_b = Milestone.objects.create(
        programme=b, kind=Milestone.Kind.FOUNDATIONS, planned_date=REACHED_ON, actual_date=REACHED_ON
    )
    sales_a = [_live_sale(a, anne) for _ in range(2)]
    _live_sale(b, bob)
    return type("World", (), locals())


def _live_sale(programme, advisor):
    """A sale whose deed is signed: the only ones a milestone's calls go to."""
    sale = sale_make(programme, advisor, stage=Stage.FINANCING, price=Decimal("200000.00"))
    Sale.objects.filter(pk=sale.pk).update(deed_signed_on=date(2026, 2, 1))
    schedule_make(sale)
    return sale


def _preview(milestone):
    return f"/admin/schedules/callbatch/preview/{milestone.pk}/"


def test_the_add_page_offers_the_reached_milestones_of_the_users_programmes(client, world):
    client.force_login(world.anne)
    response = client.get("/admin/schedules/callbatch/add/")
    assert response.status_code == 200
    assert _preview(world.milestone_a).encode() in response.content
    assert _preview(world.milestone_b).encode() not in response.content


def test_the_preview_shows_each_sale_with_amounts_cumulated_percent_and_total(client, world):
    client.force_login(world.anne)
    response = client.get(_preview(world.milestone_a))
    assert response.status_code == 200
    page = response.content.decode()
    for sale in world.sales_a:
        assert sale.reference in page
    assert page.count("€30,000.00") == 2
    assert "35.00 %" in page
    assert "€60,000.00" in page
    assert not CallBatch.objects.exists()  # a preview starts nothing


def test_confirming_starts_the_batch_and_shows_its_progress(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.anne)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_preview(world.milestone_a))
    batch = CallBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/schedules/callbatch/{batch.pk}/change/"
    assert CallForFunds.objects.filter(programme=world.a).count() == 2

    page = client.get(response["Location"]).content.decode()
    assert "2 of 2 calls made" in page
    assert "django_htmx/htmx-2.min.js" in page or "htmx-2.min" in page
    assert 'hx-trigger="every 2s"' not in page  # done: the page stops polling


def test_a_queued_batch_polls_its_progress(client, world):
    batch = CallBatch.objects.create(
        programme=world.a, trigger="foundations", milestone=world.milestone_a, reached_on=REACHED_ON, total=2
    )
    client.force_login(world.anne)
    fragment = client.get(f"/admin/schedules/callbatch/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "0 of 2 calls made" in fragment.content.decode()


def test_staff_of_another_programme_never_see_its_milestone_batch_or_calls(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.anne)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_preview(world.milestone_a))
    batch = CallBatch.objects.get()
    call = CallForFunds.objects.filter(programme=world.a).first()
    client.force_login(world.bob)
    assert client.get(_preview(world.milestone_a)).status_code == 404
    assert client.post(_preview(world.milestone_a)).status_code == 404
    assert client.get(f"/admin/schedules/callbatch/{batch.pk}/change/").status_code == 404
    assert client.get(f"/admin/schedules/callbatch/{batch.pk}/progress/").status_code == 404
    assert client.get(f"/admin/schedules/callforfunds/{call.pk}/change/").status_code == 404
    assert client.get(f"/admin/schedules/callforfunds/{call.pk}/letter/").status_code == 404
    assert call.number not in client.get("/admin/schedules/callforfunds/").content.decode()


def test_customer_service_follows_the_calls_but_cannot_start_a_batch(client, world):
    client.force_login(world.carl)
    assert client.get("/admin/schedules/callbatch/add/").status_code == 403
    assert client.get(_preview(world.milestone_a)).status_code == 403
    assert client.post(_preview(world.milestone_a)).status_code == 403
    assert not CallBatch.objects.exists()
    assert client.get("/admin/schedules/callforfunds/").status_code == 200


def test_buyers_are_sent_to_log_in(client, world):
    client.force_login(make_user("someone@example.test", role=Role.BUYER))
    response = client.get(_preview(world.milestone_a))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_letter_downloads_as_an_attachment_for_the_programmes_staff(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.anne)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_preview(world.milestone_a))
    call = CallForFunds.objects.filter(programme=world.a).first()
    client.force_login(world.carl)
    page = client.get(f"/admin/schedules/callforfunds/{call.pk}/change/").content.decode()
    assert f"/admin/schedules/callforfunds/{call.pk}/letter/" in page
    response = client.get(f"/admin/schedules/callforfunds/{call.pk}/letter/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{call.number}.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def _grow(world, size):
    for _ in range(size):
        _live_sale(world.a, world.anne)


@pytest.mark.parametrize("page", ["add", "preview", "batch", "progress", "calls", "call"])
def test_the_page_costs_the_same_queries_with_ten_times_more_data(
    client, world, page, django_capture_on_commit_callbacks
):
    client.force_login(world.anne)

    def address():
        batch = CallBatch.objects.filter(programme=world.a).first()
        call = CallForFunds.objects.filter(programme=world.a).first()
        return {
            "add": "/admin/schedules/callbatch/add/",
            "preview": _preview(world.milestone_a),
            "batch": f"/admin/schedules/callbatch/{batch.pk}/change/" if batch else "",
            "progress": f"/admin/schedules/callbatch/{batch.pk}/progress/" if batch else "",
            "calls": "/admin/schedules/callforfunds/",
            "call": f"/admin/schedules/callforfunds/{call.pk}/change/" if call else "",
        }[page]

    if page != "preview":
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_preview(world.milestone_a))
    small = count_get_queries(client, address())
    _grow(world, 20)
    if page != "preview":
        # more calls at another milestone of the same programme
        weather = Milestone.objects.create(
            programme=world.a,
            kind=Milestone.Kind.WEATHER_TIGHT,
            planned_date=REACHED_ON,
            actual_date=REACHED_ON,
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_preview(weather))
    large = count_get_queries(client, address())
    assert large == small, (page, small, large)


def test_a_stage_certificate_is_uploaded_as_a_pdf_for_a_milestone_of_the_users_programmes(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.audit.models import AuditEntry
    from schedules.models import StageCertificate

    url = "/admin/schedules/stagecertificate/add/"
    client.force_login(world.anne)
    not_a_pdf = SimpleUploadedFile("certificate.txt", b"hello", content_type="text/plain")
    response = client.post(url, {"milestone": world.milestone_a.pk, "file": not_a_pdf})
    assert response.status_code == 200
    assert "Upload the certificate as a PDF file." in response.content.decode()
    client.force_login(world.bob)
    pdf = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
    assert client.post(url, {"milestone": world.milestone_a.pk, "file": pdf}).status_code == 200
    assert not StageCertificate.objects.exists()

    client.force_login(world.anne)
    pdf = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
    response = client.post(url, {"milestone": world.milestone_a.pk, "file": pdf})
    assert response.status_code == 302
    certificate = StageCertificate.objects.get()
    assert certificate.milestone == world.milestone_a
    assert AuditEntry.objects.filter(
        action="stage_certificate.uploaded", object_id=str(certificate.pk)
    ).exists()
