"""The buyer's "My schedule" page on a phone (390 px) and on a desktop (1280 px).

Marie buys at "Les Jardins de Lumière": her deed tranche is paid, the foundations are called and
partly paid, weather-tight is overdue, the balance is consigned. No value may break inside a word
or an amount, the page never scrolls sideways, and a table that scrolls says so and takes the
keyboard.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from payments.models import Payment
from payments.services.requests import payment_request_create
from programmes.models import Building
from schedules.models import Allocation, CallForFunds, LedgerEntry, Tranche
from tests.browser.test_client_space_layout import EMAIL, SCROLLERS, SPLIT_WORDS, VALUES, WIDTHS, _log_in
from tests.schedules.factories import schedule_make
from tests.space import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _call(tranche, notified_on: date, number: str) -> CallForFunds:
    sale = tranche.sale
    due_on = notified_on + timedelta(days=15)
    payment = payment_request_create(
        actor=None, sale=sale, amount=tranche.amount, reference=number, due_on=due_on,
        kind=Payment.Kind.CALL, notify=False,
    )  # fmt: skip
    Tranche.objects.filter(pk=tranche.pk).update(
        state=Tranche.State.CALLED, called_on=notified_on, due_on=due_on
    )
    call = CallForFunds.objects.create(
        tranche=tranche, sale=sale, programme=sale.programme, buyer=payment.buyer, payment=payment,
        number=number, amount=tranche.amount, currency="EUR", percent=tranche.percent,
        cumulated_percent=tranche.percent, notified_on=notified_on, due_on=due_on,
    )  # fmt: skip
    call.letter.save(f"{number}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return call


def _paid(tranche, amount: Decimal, on: date, reference: str) -> None:
    entry = LedgerEntry.objects.create(
        sale=tranche.sale, programme=tranche.sale.programme, kind=LedgerEntry.Kind.TRANSFER, amount=amount,
        currency="EUR", booked_on=on, reference=reference, source_key=f"browser:{reference}",
    )  # fmt: skip
    Allocation.objects.create(entry=entry, tranche=tranche, amount=amount)


@pytest.fixture
def marie_schedule(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"
    programme = factories.ProgrammeFactory(name="Les Jardins de Lumière", code="LUM")
    building = Building.objects.create(programme=programme, name="A")
    lots = factories.lots_make(programme, 2, building=building, floor=0, price=Decimal("257750.00"))
    marie = factories.buyer_with_login(EMAIL)
    sale = factories.sale_make(
        programme, lots, [marie, factories.buyers_make(1)[0]], contract_number="LUM-2026-014"
    )
    deed, foundations, weather, completion, _delivery = schedule_make(sale)
    Tranche.objects.filter(pk=deed.pk).update(label="Signature de l’acte authentique de vente")
    today = timezone.localdate()
    _call(deed, today - timedelta(days=90), "AF-LUM-2026-00014")
    _paid(deed, deed.amount, today - timedelta(days=80), "VIREMENT-LUM-2026-014-ACTE")
    _call(foundations, today - timedelta(days=5), "AF-LUM-2026-00027")
    _paid(foundations, Decimal("12887.50"), today - timedelta(days=2), "VIREMENT-LUM-2026-014-FOND")
    _call(weather, today - timedelta(days=40), "AF-LUM-2026-00031")
    Tranche.objects.filter(pk=completion.pk).update(state=Tranche.State.CONSIGNED)
    return sale


@pytest.mark.parametrize("width", WIDTHS)
def test_the_schedule_reads_without_broken_values_and_its_tables_scroll_with_a_cue(
    browser, live_server, marie_schedule, width
):
    context, page = _log_in(browser, live_server, width)
    page.goto(f"{live_server.url}/space/sales/{marie_schedule.pk}/schedule/")

    assert page.evaluate(SPLIT_WORDS, VALUES) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    scrollers = page.evaluate(SCROLLERS)
    if width == 390:
        assert scrollers, "the tranches table should scroll sideways on a phone"
    for scroller in scrollers:
        assert scroller["tabindex"] == "0"
        assert scroller["role"] == "region"
        assert scroller["name"]
        assert scroller["hint"] > 0, "a visible hint says the table scrolls"
    assert page.get_by_role("region", name="Table of the tranches").count() == 1
    for status in ["Paid", "Partly paid", "Overdue", "Consigned", "Not yet called"]:
        assert page.get_by_text(status, exact=True).first.is_visible(), status
    # Two called tranches have something left: one button each, named after its tranche.
    assert page.get_by_role("link", name="Pay – Foundations completed").is_visible()
    assert page.get_by_role("link", name="Pay – Weather-tight").is_visible()
    # On a phone too, the buttons are in view before the table is scrolled.
    for name in ["Pay – Foundations completed", "Pay – Weather-tight"]:
        box = page.get_by_role("link", name=name).bounding_box()
        assert box["x"] + box["width"] <= width, name
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_purchase_page_says_what_is_due_next_and_leads_to_the_schedule(
    browser, live_server, marie_schedule, width
):
    context, page = _log_in(browser, live_server, width)
    page.goto(f"{live_server.url}/space/sales/{marie_schedule.pk}/")
    assert page.evaluate(SPLIT_WORDS, VALUES) == []
    page.get_by_role("link", name="See my schedule").click()
    page.wait_for_url(f"{live_server.url}/space/sales/{marie_schedule.pk}/schedule/")
    assert page.get_by_role("heading", name="My schedule").is_visible()
    context.close()
