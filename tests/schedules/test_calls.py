"""Calls for funds (SCH-3): preview, one batch per milestone, one letter and one email per call,
exactly once even when the batch is run twice or restarted after a crash."""

import io
from datetime import date, datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader, PdfWriter

from payments.models import Payment, PaymentEvent
from payments.references import creditor_reference_for_payment
from payments.services.requests import payment_request_create
from portal.branding.models import CompanySettings
from portal.outbox.models import OutboxMessage
from programmes.models import Milestone
from sales.models import Sale, Stage
from sales.services import sale_create, sale_move_stage
from schedules.models import CallBatch, CallForFunds, ScheduleTemplate, StageCertificate, Tranche, Trigger
from schedules.selectors_calls import calls_preview
from schedules.services import calls as calls_service
from schedules.services.calls import call_batch_run, call_batch_start, call_mark_opened
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make
from tests.schedules.factories import schedule_make

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 2, 9, 0)  # a Monday, in Paris
REACHED_ON = date(2026, 2, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def _company(db):
    CompanySettings.objects.update_or_create(pk=1, defaults={"name": "Horizon Habitat"})


@pytest.fixture
def programme(db):
    return ProgrammeFactory(code="lum", name="Les Jardins de Lumière", legal_entity="SCCV Lumière")


@pytest.fixture
def foundations(programme):
    return Milestone.objects.create(
        programme=programme, kind=Milestone.Kind.FOUNDATIONS, planned_date=REACHED_ON, actual_date=REACHED_ON
    )


# The deed of the sales called for funds: nothing is called before it (VEFA, developer agreement).
DEED_ON = date(2026, 2, 1)


def _sale(
    programme,
    advisor,
    *,
    price="200000.00",
    language="fr",
    stage=Stage.FINANCING,
    last_name="Dupont",
    deed_signed_on=DEED_ON,
):
    buyer = BuyerFactory(first_name="Marie", last_name=last_name, language=language, city="Lyon")
    sale = sale_create(
        actor=advisor,
        programme=programme,
        lots=lots_make(programme, 1),
        buyers=[buyer],
        advisor=advisor,
        price=Decimal(price),
        stage=stage,
    )
    if deed_signed_on is not None:
        Sale.objects.filter(pk=sale.pk).update(deed_signed_on=deed_signed_on)
        sale.deed_signed_on = deed_signed_on
    schedule_make(sale)
    return sale


def _calls_outbox():
    return OutboxMessage.objects.filter(key__startswith="call:")


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _start(programme, milestone, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return call_batch_start(
            programme=programme,
            trigger=milestone.kind,
            milestone=milestone,
            reached_on=REACHED_ON,
            actor=actor,
        )


# -- payments' part -------------------------------------------------------------------------


def test_a_payment_request_without_notification_sends_nothing_but_keeps_its_reference_and_link(
    sales, programme, django_capture_on_commit_callbacks
):
    sale = _sale(programme, sales)
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_request_create(
            actor=sales,
            sale=sale,
            amount=Decimal("30000.00"),
            reference="LUM-AF-1",
            kind="call",
            notify=False,
        )
    assert payment.kind == Payment.Kind.CALL
    assert payment.creditor_reference == creditor_reference_for_payment(
        programme_code="lum", payment_id=payment.pk
    )
    assert payment.link_nonce
    assert not OutboxMessage.objects.exists()
    assert list(payment.events.values_list("kind", flat=True)) == [PaymentEvent.Kind.REQUESTED]


# -- preview --------------------------------------------------------------------------------


def test_the_preview_lists_every_live_sale_whose_tranche_is_planned_with_its_cumulated_percent(
    sales, programme, foundations
):
    first = _sale(programme, sales, price="200000.00", last_name="Alpha")
    second = _sale(programme, sales, price="333333.33", last_name="Beta")
    cancelled = _sale(programme, sales, last_name="Gamma")
    Sale.objects.filter(pk=cancelled.pk).update(stage=Stage.CANCELLED)
    already = _sale(programme, sales, last_name="Delta")
    Tranche.objects.filter(sale=already, trigger=Trigger.FOUNDATIONS).update(state=Tranche.State.CALLED)
    other_programme = _sale(ProgrammeFactory(), sales, last_name="Epsilon")

    preview = calls_preview(milestone=foundations)

    assert [row.sale for row in preview.rows] == [first, second]
    assert other_programme not in [row.sale for row in preview.rows]
    row = preview.rows[0]
    assert (row.amount, row.percent, row.cumulated_percent) == (
        Decimal("30000.00"),
        Decimal("15.00"),
        Decimal("35.00"),
    )
    assert row.buyer.last_name == "Alpha"
    assert row.lots == [first.lots.get().number]
    assert preview.rows[1].amount == Decimal("49999.99")  # 15 % of 333,333.33 rounded down
    assert preview.total_amount == Decimal("79999.99")
    assert preview.count == 2
    assert preview.reached_on == REACHED_ON


def test_the_deed_preview_takes_only_the_sales_whose_deed_is_signed(sales, programme):
    signed = _sale(programme, sales, last_name="Signed")
    _sale(programme, sales, last_name="Waiting", deed_signed_on=None)

    preview = calls_preview(programme=programme, trigger=Trigger.DEED, reached_on=REACHED_ON)

    assert [row.sale for row in preview.rows] == [signed]
    assert preview.rows[0].cumulated_percent == Decimal("20.00")


# -- batch ----------------------------------------------------------------------------------


def test_a_batch_makes_one_call_per_concerned_tranche_with_amount_due_date_and_reference(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    ScheduleTemplate.objects.create(programme=programme, payment_days=20)
    first = _sale(programme, sales, last_name="Alpha")
    second = _sale(programme, sales, price="333333.33", last_name="Beta")

    batch = _start(programme, foundations, sales, django_capture_on_commit_callbacks)

    batch.refresh_from_db()
    assert (batch.state, batch.total, batch.done) == (CallBatch.State.DONE, 2, 2)
    assert batch.finished_at is not None
    calls = {call.sale: call for call in CallForFunds.objects.select_related("payment", "tranche")}
    assert set(calls) == {first, second}
    call = calls[first]
    assert call.amount == Decimal("30000.00")
    assert (call.percent, call.cumulated_percent) == (Decimal("15.00"), Decimal("35.00"))
    assert call.notified_on == date(2026, 3, 2)
    assert call.due_on == date(2026, 3, 22)  # notified + the template's 20 days
    assert call.number == f"LUM-AF-{call.tranche.pk}"
    assert call.payment.kind == Payment.Kind.CALL
    assert call.payment.amount == Decimal("30000.00")
    assert call.payment.due_on == date(2026, 3, 22)
    assert call.payment.creditor_reference.startswith("RF")
    assert call.tranche.state == Tranche.State.CALLED
    assert (call.tranche.called_on, call.tranche.due_on) == (date(2026, 3, 2), date(2026, 3, 22))
    assert call.sent_at is not None
    assert calls[second].amount == Decimal("49999.99")


def test_the_due_date_defaults_to_fifteen_days_after_notification(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    _sale(programme, sales)
    _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    assert CallForFunds.objects.get().due_on == date(2026, 3, 17)


def test_the_letter_states_the_figures_the_buyer_must_pay(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    sale = _sale(programme, sales, language="en", last_name="Alpha")
    sale.buyers.update(address="3 Lilac Street", postcode="69001")
    _start(programme, foundations, sales, django_capture_on_commit_callbacks)

    call = CallForFunds.objects.select_related("payment").get()
    with default_storage.open(call.letter.name, "rb") as stored:
        text = _pdf_text(stored.read())
    for expected in [
        call.number,
        "SCCV Lumière",
        "Marie Alpha",
        "3 Lilac Street",
        sale.lots.get().number,
        "Foundations completed",
        "15.00 %",
        "35.00 %",
        "30,000.00",
        "March 17, 2026",
        "FR76 3000 6000 0112 3456 7890 189",
        "AGRIFRPP",
        call.payment.creditor_reference,
    ]:
        assert expected in text, expected


def test_one_email_per_call_in_the_buyers_language_with_the_letter_attached(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    french = _sale(programme, sales, language="fr", last_name="Alpha")
    polish = _sale(programme, sales, language="pl", last_name="Beta")

    _start(programme, foundations, sales, django_capture_on_commit_callbacks)

    messages = {message.recipients[0]: message for message in _calls_outbox()}
    assert len(messages) == 2
    french_email = messages[french.buyers.get().email]
    polish_email = messages[polish.buyers.get().email]
    assert french_email.key == f"call:{CallForFunds.objects.get(sale=french).pk}"
    assert "Fondations" in french_email.subject or "fondations" in french_email.subject.lower()
    assert french_email.subject != polish_email.subject
    assert french_email.reply_to == sales.email
    [attachment] = french_email.attachments
    assert attachment["mimetype"] == "application/pdf"
    assert attachment["filename"] == f"{CallForFunds.objects.get(sale=french).number}.pdf"
    with default_storage.open(attachment["path"], "rb") as stored:
        assert CallForFunds.objects.get(sale=french).number in _pdf_text(stored.read())


def test_starting_the_batch_twice_creates_nothing_new(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    _sale(programme, sales)
    first = _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    second = _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    call_batch_run(batch_id=first.pk)

    assert second.pk == first.pk
    assert CallBatch.objects.count() == 1
    assert CallForFunds.objects.count() == 1
    assert _calls_outbox().count() == 1
    assert Payment.objects.filter(kind=Payment.Kind.CALL).count() == 1


def test_a_batch_that_crashed_in_the_middle_finishes_when_started_again_each_call_once(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    for name in ["Alpha", "Beta", "Gamma", "Delta"]:
        _sale(programme, sales, last_name=name)
    real_email = calls_service._call_email
    sent = []

    def crash_on_the_third(call, **kwargs):
        sent.append(call.pk)
        if len(sent) == 3:
            raise RuntimeError("worker lost")
        real_email(call, **kwargs)

    with mock.patch.object(calls_service, "_call_email", crash_on_the_third):
        batch = _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.state == CallBatch.State.FAILED
    assert "worker lost" in batch.error
    assert (batch.done, batch.total) == (2, 4)
    # The third call was rolled back whole: no call, no payment, tranche still planned.
    assert CallForFunds.objects.count() == 2
    assert Payment.objects.filter(kind=Payment.Kind.CALL).count() == 2

    again = _start(programme, foundations, sales, django_capture_on_commit_callbacks)

    again.refresh_from_db()
    assert again.pk == batch.pk
    assert (again.state, again.done, again.total, again.error) == (CallBatch.State.DONE, 4, 4, "")
    assert CallForFunds.objects.count() == 4
    assert Payment.objects.filter(kind=Payment.Kind.CALL).count() == 4
    assert _calls_outbox().count() == 4
    assert sorted(_calls_outbox().values_list("key", flat=True)) == sorted(
        f"call:{pk}" for pk in CallForFunds.objects.values_list("pk", flat=True)
    )
    assert not Tranche.objects.filter(trigger=Trigger.FOUNDATIONS, state=Tranche.State.PLANNED).exists()


def test_a_run_of_a_batch_already_done_changes_nothing(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    _sale(programme, sales)
    batch = _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    CallBatch.objects.filter(pk=batch.pk).update(state=CallBatch.State.RUNNING)  # a redelivered task
    call_batch_run(batch_id=batch.pk)
    assert CallForFunds.objects.count() == 1
    assert _calls_outbox().count() == 1
    assert CallBatch.objects.get().done == 1


def test_the_architects_certificate_is_appended_to_the_letter(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    _sale(programme, sales)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    certificate = io.BytesIO()
    writer.write(certificate)
    StageCertificate.objects.create(
        milestone=foundations,
        file=default_storage.save("certificates/foundations.pdf", ContentFile(certificate.getvalue())),
    )
    _start(programme, foundations, sales, django_capture_on_commit_callbacks)

    call = CallForFunds.objects.get()
    with default_storage.open(call.letter.name, "rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    assert len(reader.pages) >= 2
    assert call.number in reader.pages[0].extract_text()
    assert reader.pages[-1].extract_text().strip() == ""


def test_a_sale_whose_deed_is_signed_gets_its_deed_call_by_itself(
    sales, programme, django_capture_on_commit_callbacks
):
    sale = _sale(programme, sales, deed_signed_on=None)
    with django_capture_on_commit_callbacks(execute=True):
        sale_move_stage(actor=sales, sale=sale, target=Stage.DEED_SIGNED, on_date=date(2026, 3, 1))

    call = CallForFunds.objects.get()
    assert call.batch is None
    assert call.tranche.trigger == Trigger.DEED
    assert call.amount == Decimal("40000.00")
    assert (call.percent, call.cumulated_percent) == (Decimal("20.00"), Decimal("20.00"))
    assert _calls_outbox().count() == 1
    assert not CallBatch.objects.exists()


@pytest.mark.parametrize(
    ("stage", "deed_signed_on", "called"),
    [
        (Stage.OPTION, None, False),
        (Stage.RESERVATION_SIGNED, None, False),
        (Stage.WITHDRAWAL_PERIOD, None, False),
        (Stage.DEPOSIT_PAID, None, False),
        (Stage.FINANCING, None, False),
        # The deed's date recorded is the deed signed, whatever the stage says yet.
        (Stage.FINANCING, DEED_ON, True),
        (Stage.DEED_SIGNED, None, True),
        (Stage.DELIVERED, None, True),
    ],
)
def test_a_milestone_calls_only_the_sales_whose_deed_is_signed(
    sales, programme, foundations, stage, deed_signed_on, called
):
    sale = _sale(programme, sales, deed_signed_on=deed_signed_on)
    Sale.objects.filter(pk=sale.pk).update(stage=stage)

    preview = calls_preview(milestone=foundations)
    call = calls_service.call_for_funds_issue(
        tranche_id=Tranche.objects.get(sale=sale, trigger=Trigger.FOUNDATIONS).pk, actor=sales
    )

    assert [row.sale for row in preview.rows] == ([sale] if called else [])
    assert (call is not None) == called
    assert CallForFunds.objects.filter(sale=sale).exists() == called


def test_a_buyer_in_the_withdrawal_period_is_not_called_when_a_batch_runs(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    signed = _sale(programme, sales, last_name="Signed")
    waiting = _sale(programme, sales, last_name="Waiting", deed_signed_on=None)
    Sale.objects.filter(pk=waiting.pk).update(stage=Stage.WITHDRAWAL_PERIOD)

    batch = _start(programme, foundations, sales, django_capture_on_commit_callbacks)

    batch.refresh_from_db()
    assert (batch.state, batch.total, batch.done) == (CallBatch.State.DONE, 1, 1)
    assert list(CallForFunds.objects.values_list("sale", flat=True)) == [signed.pk]
    assert Tranche.objects.get(sale=waiting, trigger=Trigger.FOUNDATIONS).state == Tranche.State.PLANNED


def test_a_deed_signed_after_milestones_were_reached_calls_them_with_the_deed(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    # Foundations reached (their calls went out before this deed); weather-tight only planned.
    Milestone.objects.create(
        programme=programme, kind=Milestone.Kind.WEATHER_TIGHT, planned_date=date(2026, 9, 1)
    )
    sale = _sale(programme, sales, deed_signed_on=None)
    _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    assert not CallForFunds.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sale_move_stage(actor=sales, sale=sale, target=Stage.DEED_SIGNED, on_date=date(2026, 3, 1))

    calls = list(CallForFunds.objects.select_related("tranche").order_by("tranche__position"))
    assert [call.tranche.trigger for call in calls] == [Trigger.DEED, Trigger.FOUNDATIONS]
    assert [call.amount for call in calls] == [Decimal("40000.00"), Decimal("30000.00")]
    assert [call.cumulated_percent for call in calls] == [Decimal("20.00"), Decimal("35.00")]
    assert all(call.batch is None for call in calls)
    assert _calls_outbox().count() == 2
    weather_tight = Tranche.objects.get(sale=sale, trigger=Trigger.WEATHER_TIGHT)
    assert weather_tight.state == Tranche.State.PLANNED

    # Signing again (a task redelivered) calls nothing twice.
    calls_service.call_deed_issue(sale_id=sale.pk, actor=sales)
    assert CallForFunds.objects.count() == 2
    assert _calls_outbox().count() == 2


def test_the_first_opening_by_a_buyer_is_recorded_once(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    sale = _sale(programme, sales)
    _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    call = CallForFunds.objects.get()
    stranger = make_user("stranger@example.test")
    buyer_user = make_user("owner@example.test")
    sale.buyers.update(user=buyer_user)

    call_mark_opened(call=call, user=stranger)
    assert call.opened_at is None
    call_mark_opened(call=call, user=buyer_user)
    first_opening = call.opened_at
    assert first_opening is not None
    with time_machine.travel(datetime(2026, 3, 5, 9, 0), tick=False):
        call_mark_opened(call=call, user=buyer_user)
    assert call.opened_at == first_opening


def test_a_queued_batch_whose_task_was_lost_is_sent_again_when_started_again(
    sales, programme, foundations, django_capture_on_commit_callbacks
):
    _sale(programme, sales)
    with mock.patch.object(calls_service, "_enqueue_batch_run"):  # the broker lost the task
        batch = _start(programme, foundations, sales, django_capture_on_commit_callbacks)
    assert CallBatch.objects.get().state == CallBatch.State.QUEUED
    assert not CallForFunds.objects.exists()

    again = _start(programme, foundations, sales, django_capture_on_commit_callbacks)

    assert again.pk == batch.pk
    assert CallBatch.objects.get().state == CallBatch.State.DONE
    assert CallForFunds.objects.count() == 1
