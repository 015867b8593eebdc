"""The buyer's "My schedule" page (SCH-7): each tranche's status, the pay button, the calls'
letters and the shared invoices, the account statement; nobody sees another buyer's.

Anna buys with Piotr; Boris is a stranger with his own sale. The ledger rows are written straight
to the tables (the ledger part has its own tests), so this file depends only on the page.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments.links import payment_link_path
from payments.models import Payment
from payments.services.requests import payment_request_create
from schedules.models import Allocation, CallForFunds, Invoice, LedgerEntry, Tranche
from tests.schedules.factories import schedule_make
from tests.space import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
PDF = b"%PDF-1.4\n%%EOF\n"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 6, 15), tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


def call_make(tranche: Tranche, *, notified_on: date, due_on: date, letter: bool = True) -> CallForFunds:
    """The call of a tranche as the calls part writes it: a CALL payment request without its email."""
    sale = tranche.sale
    n = next(_numbers)
    payment = payment_request_create(
        actor=None,
        sale=sale,
        amount=tranche.amount,
        reference=f"CALL-{n}",
        due_on=due_on,
        kind=Payment.Kind.CALL,
        notify=False,
    )
    Tranche.objects.filter(pk=tranche.pk).update(
        state=Tranche.State.CALLED, called_on=notified_on, due_on=due_on
    )
    call = CallForFunds.objects.create(
        tranche=tranche,
        sale=sale,
        programme=sale.programme,
        buyer=payment.buyer,
        payment=payment,
        number=f"AF-{n:05d}",
        amount=tranche.amount,
        currency=sale.programme.currency,
        percent=tranche.percent,
        cumulated_percent=tranche.percent,
        notified_on=notified_on,
        due_on=due_on,
    )
    if letter:
        call.letter.save(f"{call.number}.pdf", ContentFile(PDF))
    return call


def pay(tranche: Tranche, amount: str, on: date = date(2026, 5, 1), kind=LedgerEntry.Kind.TRANSFER):
    entry = LedgerEntry.objects.create(
        sale=tranche.sale,
        programme=tranche.sale.programme,
        kind=kind,
        amount=Decimal(amount),
        currency=tranche.sale.programme.currency,
        booked_on=on,
        reference=f"VIR-{next(_numbers)}",
        source_key=f"test:{next(_numbers)}",
    )
    Allocation.objects.create(entry=entry, tranche=tranche, amount=Decimal(amount))
    return entry


def invoice_make(sale, *, shared: bool, number: str = "FA-2026-000001") -> Invoice:
    invoice = Invoice.objects.create(
        sale=sale,
        programme=sale.programme,
        legal_entity=sale.programme.legal_entity,
        number=number,
        source=Invoice.Source.UPLOADED,
        issued_on=date(2026, 5, 2),
        amount_net=Decimal("100.00"),
        amount_vat=Decimal("20.00"),
        amount_total=Decimal("120.00"),
        currency=sale.programme.currency,
        shared_with_buyer=shared,
    )
    invoice.file.save(f"{number}.pdf", ContentFile(PDF))
    return invoice


@pytest.fixture
def tranches(anna_sale):
    """Deed paid, foundations partly paid, weather-tight overdue, completion consigned, delivery planned."""
    deed, foundations, weather, completion, delivery = schedule_make(anna_sale)
    call_make(deed, notified_on=date(2026, 4, 1), due_on=date(2026, 4, 16))
    pay(deed, str(deed.amount))
    call_make(foundations, notified_on=date(2026, 6, 1), due_on=date(2026, 6, 16))
    pay(foundations, "1000.00", on=date(2026, 6, 5))
    call_make(weather, notified_on=date(2026, 5, 20), due_on=date(2026, 6, 4))
    Tranche.objects.filter(pk=completion.pk).update(state=Tranche.State.CONSIGNED)
    return {t.trigger: t for t in Tranche.objects.filter(sale=anna_sale)}


def schedule_url(sale):
    return reverse("space:schedule", args=[sale.pk])


def rows_of(response):
    return {row.tranche.trigger: row for row in response.context["rows"]}


def test_each_tranche_says_where_it_stands(client, anna, tranches, anna_sale):
    client.force_login(anna.user)
    rows = rows_of(client.get(schedule_url(anna_sale)))

    assert {trigger: row.status for trigger, row in rows.items()} == {
        "deed": "paid",
        "foundations": "partly_paid",
        "weather_tight": "overdue",
        "completion": "consigned",
        "delivery": "planned",
    }
    assert rows["foundations"].tranche.remaining == tranches["foundations"].amount - Decimal("1000.00")
    assert str(rows["delivery"].status_label) == "Not yet called"


def test_a_called_tranche_is_overdue_only_the_day_after_its_due_date(client, anna, anna_sale):
    tranche = schedule_make(anna_sale)[0]
    call_make(tranche, notified_on=date(2026, 6, 1), due_on=TODAY)
    client.force_login(anna.user)

    assert rows_of(client.get(schedule_url(anna_sale)))["deed"].status == "called"
    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        assert rows_of(client.get(schedule_url(anna_sale)))["deed"].status == "overdue"


def test_a_consigned_tranche_is_never_overdue(client, anna, anna_sale):
    tranche = schedule_make(anna_sale)[-1]
    call_make(tranche, notified_on=date(2026, 1, 1), due_on=date(2026, 1, 16))
    Tranche.objects.filter(pk=tranche.pk).update(state=Tranche.State.CONSIGNED)
    client.force_login(anna.user)

    row = rows_of(client.get(schedule_url(anna_sale)))["delivery"]
    assert (row.status, str(row.status_label)) == ("consigned", "Consigned")


def test_the_pay_button_shows_on_called_tranches_with_something_remaining_only(
    client, anna, tranches, anna_sale
):
    client.force_login(anna.user)
    response = client.get(schedule_url(anna_sale))
    rows = rows_of(response)

    with_button = {trigger for trigger, row in rows.items() if row.pay_link}
    assert with_button == {"foundations", "weather_tight"}
    # The button pays that tranche: its call's payment request.
    payment = tranches["foundations"].call.payment
    assert rows["foundations"].pay_link == payment_link_path(payment)
    assert payment.kind == Payment.Kind.CALL and payment.amount == tranches["foundations"].amount
    assert response.content.decode().count('class="button button--primary"') == 2
    assert client.get(rows["foundations"].pay_link).status_code == 200  # the payment page opens


def test_a_notary_reads_the_schedule_without_pay_buttons(client, notary, tranches, anna_sale):
    client.force_login(notary)
    response = client.get(schedule_url(anna_sale))

    assert response.status_code == 200
    assert not any(row.pay_link for row in response.context["rows"])
    assert "button--primary" not in response.content.decode()


def test_the_statement_lists_calls_and_money_oldest_first_with_the_age_of_what_is_unpaid(
    client, anna, tranches, anna_sale
):
    client.force_login(anna.user)
    statement = client.get(schedule_url(anna_sale)).context["statement"]

    assert [row.on for row in statement] == sorted(row.on for row in statement)
    unpaid = {row.label.split(" – ")[1]: (row.unpaid, row.age_days) for row in statement if row.unpaid}
    assert {row.reference for row in statement if row.unpaid} == {
        tranches["foundations"].call.number,
        tranches["weather_tight"].call.number,
    }
    assert unpaid == {
        tranches["foundations"].label: (tranches["foundations"].amount - Decimal("1000.00"), 14),
        tranches["weather_tight"].label: (tranches["weather_tight"].amount, 26),
    }
    received = [row.received for row in statement if row.received is not None]
    assert received == [tranches["deed"].amount, Decimal("1000.00")]


def test_opening_a_letter_downloads_it_and_records_the_first_opening_by_a_buyer(
    client, anna, notary, tranches, anna_sale
):
    call = tranches["weather_tight"].call
    url = reverse("space:call_letter", args=[anna_sale.pk, call.pk])

    client.force_login(notary)
    assert client.get(url).status_code == 200
    call.refresh_from_db()
    assert call.opened_at is None  # only a buyer's opening counts

    client.force_login(anna.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    call.refresh_from_db()
    first = call.opened_at
    assert first is not None
    client.get(url)
    call.refresh_from_db()
    assert call.opened_at == first


def test_only_shared_invoices_show_and_download(client, anna, anna_sale):
    shared = invoice_make(anna_sale, shared=True, number="FA-2026-000001")
    hidden = invoice_make(anna_sale, shared=False, number="FA-2026-000002")
    client.force_login(anna.user)

    assert client.get(schedule_url(anna_sale)).context["invoices"] == [shared]
    response = client.get(reverse("space:invoice", args=[anna_sale.pk, shared.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="FA-2026-000001.pdf"'
    assert client.get(reverse("space:invoice", args=[anna_sale.pk, hidden.pk])).status_code == 404


def test_another_buyers_sale_letter_and_invoice_answer_404(client, boris, tranches, anna_sale, boris_sale):
    call = tranches["deed"].call
    invoice = invoice_make(anna_sale, shared=True)
    client.force_login(boris.user)

    assert client.get(schedule_url(anna_sale)).status_code == 404
    assert client.get(reverse("space:call_letter", args=[anna_sale.pk, call.pk])).status_code == 404
    assert client.get(reverse("space:invoice", args=[anna_sale.pk, invoice.pk])).status_code == 404
    # Nor through his own sale's address.
    assert client.get(reverse("space:call_letter", args=[boris_sale.pk, call.pk])).status_code == 404
    assert client.get(reverse("space:invoice", args=[boris_sale.pk, invoice.pk])).status_code == 404


def test_a_notary_of_another_sale_gets_404(client, other_notary, tranches, anna_sale):
    client.force_login(other_notary)
    assert client.get(schedule_url(anna_sale)).status_code == 404


def test_the_purchase_page_shows_what_is_due_next_and_links_to_the_schedule(
    client, anna, tranches, anna_sale
):
    client.force_login(anna.user)
    response = client.get(reverse("space:sale", args=[anna_sale.pk]))

    assert response.context["due_next"].tranche.trigger == "foundations"
    assert schedule_url(anna_sale) in response.content.decode()


def test_with_nothing_called_the_next_planned_tranche_is_due_next(client, anna, anna_sale):
    schedule_make(anna_sale)
    client.force_login(anna.user)

    due = client.get(reverse("space:sale", args=[anna_sale.pk])).context["due_next"]
    assert due.tranche.trigger == "deed" and due.status == "planned"


# Query budget -------------------------------------------------------------------------------------


def _grow(sale, calls: int, payments: int, invoices: int) -> None:
    tranches = schedule_make(sale, [("deed", "10")] * 9 + [("delivery", "10")] if calls > 3 else None)
    for tranche in tranches[:calls]:
        call_make(tranche, notified_on=date(2026, 5, 1), due_on=date(2026, 5, 16))
        for _ in range(payments):
            pay(tranche, "10.00")
    for _n in range(invoices):
        invoice_make(sale, shared=True, number=f"FA-2026-{next(_numbers):06d}")


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_schedule_page_costs_the_same_queries_on_ten_times_the_data(client, anna, programme, anna_sale):
    client.force_login(anna.user)
    _grow(anna_sale, calls=1, payments=1, invoices=1)
    small = _queries(client, schedule_url(anna_sale))

    big_sale = factories.sale_make(programme, factories.lots_make(programme, 2), [anna])
    _grow(big_sale, calls=10, payments=10, invoices=10)
    large = _queries(client, schedule_url(big_sale))

    assert small == large, f"{small} queries on the small data set, {large} on the large one"
    assert large <= 14, large
