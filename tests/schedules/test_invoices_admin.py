"""The invoices' back-office: issuing from lines or a file, the scoped list, sharing, the PDF."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.users.roles import Role
from schedules.models import Invoice
from schedules.services import invoices as service
from tests.conftest import make_user
from tests.factories import ProgrammeFactory, SaleFactory
from tests.sales_admin.helpers import count_get_queries

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
BASE = "/admin/schedules/invoice/"


@pytest.fixture(autouse=True)
def _pdf_made_at_once(monkeypatch):
    monkeypatch.setattr(service, "invoice_pdf", lambda invoice: PDF)


@pytest.fixture
def superuser():
    return make_user("root@example.test", role=Role.ADMINISTRATOR, is_superuser=True)


def management(prefix="lines", total=1):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip


def test_staff_issue_a_generated_invoice_from_its_lines(client, superuser):
    sale = SaleFactory()
    client.force_login(superuser)
    body = {
        "sale": sale.pk,
        "source": "generated",
        "issued_on": "2026-03-02",
        "due_on": "2026-04-01",
        **management(),
        "lines-0-label": "Kitchen option",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "1000.00",
        "lines-0-vat_rate": "20",
    }

    response = client.post(f"{BASE}add/", body)

    assert response.status_code == 302, response.context and response.context["errors"]
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.amount_total, invoice.created_by) == (
        "FA-2026-000001",
        Decimal("2400.00"),
        superuser,
    )
    assert invoice.lines.count() == 1


def test_a_generated_invoice_without_lines_is_refused(client, superuser):
    client.force_login(superuser)
    body = {"sale": SaleFactory().pk, "source": "generated", "issued_on": "2026-03-02", **management()}
    assert client.post(f"{BASE}add/", body).status_code == 200
    assert not Invoice.objects.exists()


def test_staff_upload_an_invoice_as_a_pdf_only(client, superuser):
    sale = SaleFactory()
    client.force_login(superuser)
    body = {"sale": sale.pk, "source": "uploaded", "issued_on": "2026-03-02", "amount_net": "100.00",
            "amount_vat": "20.00", "amount_total": "120.00", **management(total=0)}  # fmt: skip

    refused = client.post(f"{BASE}add/", {**body, "file": SimpleUploadedFile("f.pdf", b"<html>")})
    assert refused.status_code == 200 and not Invoice.objects.exists()
    assert "The file is not a PDF." in refused.content.decode()

    done = client.post(f"{BASE}add/", {**body, "file": SimpleUploadedFile("f.pdf", PDF)})
    assert done.status_code == 302
    invoice = Invoice.objects.get()
    pdf = client.get(f"{BASE}{invoice.pk}/pdf/")
    assert pdf["Content-Disposition"] == 'attachment; filename="FA-2026-000001.pdf"'
    assert b"".join(pdf.streaming_content) == PDF


def test_sharing_from_the_list(client, superuser):
    invoice = service.invoice_create_generated(
        sale=SaleFactory(), lines=[service.LineInput("A", Decimal("1"), Decimal("10"), Decimal("20"))],
        issued_on=date(2026, 3, 2), due_on=None, actor=None,
    )  # fmt: skip
    client.force_login(superuser)
    client.post(BASE, {"action": "share", "_selected_action": [invoice.pk]})
    invoice.refresh_from_db()
    assert invoice.shared_with_buyer


def test_the_list_costs_the_same_queries_with_ten_times_more_invoices(client, superuser):
    client.force_login(superuser)

    def issue(count):
        programme = ProgrammeFactory()
        for _ in range(count):
            service.invoice_create_uploaded(
                sale=SaleFactory(programme=programme),
                file=SimpleUploadedFile("f.pdf", PDF),
                amounts=service.Amounts(Decimal("1.00"), Decimal("0.20"), Decimal("1.20")),
                issued_on=date(2026, 3, 2), due_on=None, actor=None,
            )  # fmt: skip

    issue(2)
    small = count_get_queries(client, BASE)
    issue(20)
    assert count_get_queries(client, BASE) == small


def _with_invoice_permissions(user):
    """Whatever the roles grant: the invoice permissions an accountant is meant to hold."""
    from django.contrib.auth.models import Permission

    codenames = ["view_invoice", "add_invoice", "change_invoice", "view_invoiceline", "add_invoiceline"]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="schedules", codename__in=codenames)
    )
    return user


def test_staff_see_and_download_only_their_programmes_invoices(client):
    from tests.sales_admin.helpers import programme_with_staff, staff_of

    a, _anne = programme_with_staff("aaa", "anne@example.test")
    b, _bob = programme_with_staff("bbb", "bob@example.test")
    ada = _with_invoice_permissions(staff_of(a, "ada@example.test", role=Role.ACCOUNTANT))
    mine = uploaded_invoice(SaleFactory(programme=a))
    other = uploaded_invoice(SaleFactory(programme=b))
    client.force_login(ada)

    listed = client.get(BASE).context["cl"].result_list
    assert list(listed) == [mine]
    assert client.get(f"{BASE}{mine.pk}/pdf/").status_code == 200
    assert client.get(f"{BASE}{other.pk}/pdf/").status_code == 404
    assert client.get(f"{BASE}{other.pk}/change/").status_code == 404
    # Nor can another programme's sale be chosen on the add page.
    sales = client.get(f"{BASE}add/").context["adminform"].form.fields["sale"].queryset
    assert set(sales.values_list("programme", flat=True)) == {a.pk}


def uploaded_invoice(sale):
    return service.invoice_create_uploaded(
        sale=sale,
        file=SimpleUploadedFile("f.pdf", PDF),
        amounts=service.Amounts(Decimal("1.00"), Decimal("0.20"), Decimal("1.20")),
        issued_on=date(2026, 3, 2),
        due_on=None,
        actor=None,
    )
