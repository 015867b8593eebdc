"""The payments parts of `make bench` on a tiny data set: the receipt against the letter, and
webhook events the portal's own webhook code takes (the load itself needs gunicorn: not here)."""

import io

import pytest
from django.test import override_settings
from pypdf import PdfReader

from bench import build_data
from bench import pdf as pdf_bench
from bench import webhooks as webhooks_bench
from payments.models import Payment, Receipt, Status
from payments.services.webhooks import webhook_receive
from portal.users.roles import Role
from sales.services import sale_create
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "private"):
        yield


@pytest.fixture
def bench_world(db):
    """The bench's administrator, its buyer (whose sale must stay untouched) and two other sales."""
    admin = make_user(build_data.ADMIN_EMAIL, role=Role.ADMINISTRATOR, is_superuser=True)
    programme = ProgrammeFactory()
    lots = lots_make(programme, 3)
    bench_buyer = BuyerFactory(user=make_user(build_data.BUYER_EMAIL, role=Role.BUYER))
    for lot, buyer in zip(lots, [bench_buyer, BuyerFactory(), BuyerFactory()], strict=True):
        sale_create(actor=admin, programme=programme, lots=[lot], buyers=[buyer], advisor=admin)
    return bench_buyer


def test_the_letter_is_one_a4_page():
    reader = PdfReader(io.BytesIO(pdf_bench.letter_pdf()))
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)


def test_the_receipt_is_measured_against_the_letter_on_a_receipt_made_once(bench_world):
    figures = pdf_bench.measure(renders=1)

    assert set(figures) == {"receipt_ms", "reference_ms", "ratio"}
    assert figures["receipt_ms"] > 0 and figures["reference_ms"] > 0
    receipt = Receipt.objects.get()
    assert receipt.payment.buyer != bench_world
    assert pdf_bench.bench_receipt() == receipt  # the next run reuses it


def test_each_signed_event_pays_its_payment_through_the_webhook_code(bench_world):
    payment_ids = webhooks_bench.sessions_open(3)

    for body, signature in webhooks_bench.events_signed(payment_ids):
        webhook_receive(payload=body, signature=signature)

    assert webhooks_bench.paid_count(payment_ids) == 3
    assert not Payment.objects.filter(buyer=bench_world).exists()
    assert set(Payment.objects.values_list("status", flat=True)) == {Status.PAID}
