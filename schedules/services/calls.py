"""Calls for funds (SCH-3): one batch per reached milestone, one letter per concerned tranche.

Each call is issued in its own transaction under the tranche's lock, and a tranche that already
has a call is skipped: a batch whose worker died is started again and finishes what is left,
with every call created and emailed once (the outbox key is the call's).
"""

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from payments.links import payment_link_url
from payments.models import Payment
from payments.services.requests import payment_request_create
from portal.audit.services import audit_record
from portal.outbox.attachments import OutboxAttachment
from portal.outbox.services import outbox_enqueue_email
from portal.pdf import pdf_render
from portal.texts.emails import EmailButton, email_compose
from portal.timezones import local_today
from portal.users.models import User
from programmes.models import Milestone, Programme
from sales.models import Buyer, Sale, Stage
from schedules.models import CallBatch, CallForFunds, ScheduleTemplate, StageCertificate, Tranche, Trigger
from schedules.selectors_calls import (
    call_tranches_concerned,
    reached_tranches_of_sale,
    sale_deed_signed,
    tranches_with_cumulated_percent,
)

CENTS = Decimal("0.01")
DEFAULT_PAYMENT_DAYS = 15
# A batch in these states is the milestone's: starting again returns it instead of a new one.
BATCH_KEPT_STATES = [CallBatch.State.QUEUED, CallBatch.State.RUNNING, CallBatch.State.DONE]
ERROR_MAX_LENGTH = 2000


class CallError(Exception):
    """A call for funds that cannot be made, in words staff can act on."""


def _payment_days(programme: Programme) -> int:
    template = ScheduleTemplate.objects.filter(programme=programme).only("payment_days").first()
    return template.payment_days if template is not None else DEFAULT_PAYMENT_DAYS


def call_number_for(tranche: Tranche, programme: Programme) -> str:
    # One call per tranche (CallForFunds.tranche is one-to-one), so the tranche id is unique.
    return f"{programme.code.upper()}-AF-{tranche.pk}"


def _enqueue_batch_run(batch_id: int) -> None:
    from schedules.tasks import call_batch_run_task  # the tasks module imports this one

    call_batch_run_task.delay(batch_id)


# -- Starting and running a batch ------------------------------------------------------------


@transaction.atomic
def call_batch_start(
    *,
    programme: Programme,
    trigger: str,
    milestone: Milestone | None = None,
    reached_on: date,
    actor: User | None,
) -> CallBatch:
    """Start the calls for funds of a reached milestone, run by a worker after commit.

    Starting again while the milestone's batch is queued, running or done returns that batch and
    creates nothing; a failed batch is queued again and finishes what it had left."""
    if trigger == Trigger.DEED:
        raise CallError(_("Deed calls go out sale by sale when each deed is signed."))
    if milestone is not None and (milestone.programme_id != programme.pk or milestone.kind != trigger):
        raise CallError(
            _("This milestone is not the programme's %(stage)s.") % {"stage": Trigger(trigger).label}
        )
    # The programme's row serialises two staff members starting the same batch at once.
    Programme.objects.select_for_update().only("pk").get(pk=programme.pk)
    existing = (
        CallBatch.objects.select_for_update()
        .filter(programme=programme, trigger=trigger, milestone=milestone)
        .order_by("-pk")
        .first()
    )
    if existing is not None and existing.state in BATCH_KEPT_STATES:
        if existing.state == CallBatch.State.QUEUED:
            # Its task may have been lost (a broker out of reach): sent again, which is harmless,
            # since a run skips what is already called.
            queued_id = existing.pk
            transaction.on_commit(lambda: _enqueue_batch_run(queued_id), robust=True)
        return existing
    if existing is not None:  # failed: the same batch is started again
        existing.state = CallBatch.State.QUEUED
        existing.error = ""
        existing.save(update_fields=["state", "error"])
        audit_record(actor=actor, action="call_batch.restarted", obj=existing)
        batch_id = existing.pk
        transaction.on_commit(lambda: _enqueue_batch_run(batch_id), robust=True)
        return existing
    batch = CallBatch.objects.create(
        programme=programme,
        trigger=trigger,
        milestone=milestone,
        reached_on=reached_on,
        total=call_tranches_concerned(programme=programme, trigger=trigger).count(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="call_batch.started",
        obj=batch,
        data={"trigger": trigger, "reached_on": reached_on.isoformat(), "total": batch.total},
    )
    batch_id = batch.pk
    # Robust: a broker out of reach leaves the batch queued; starting it again sends it.
    transaction.on_commit(lambda: _enqueue_batch_run(batch_id), robust=True)
    return batch


def call_batch_run(*, batch_id: int) -> CallBatch:
    """The worker's part: issue every call the batch has left, one transaction each.

    Safe to run again (a restarted worker, a redelivered task): tranches already called are no
    longer planned and are not visited again; a failure stops the batch as failed, with the error."""
    with transaction.atomic():
        batch = (
            CallBatch.objects.select_for_update(of=("self",))
            .select_related("programme", "milestone")
            .get(pk=batch_id)
        )
        if batch.state == CallBatch.State.DONE:
            return batch
        done = batch.calls.count()
        pending = list(
            call_tranches_concerned(programme=batch.programme, trigger=batch.trigger).values_list(
                "pk", flat=True
            )
        )
        batch.state = CallBatch.State.RUNNING
        batch.error = ""
        batch.done = done
        batch.total = done + len(pending)
        batch.save(update_fields=["state", "error", "done", "total"])
    actor = batch.created_by
    try:
        for tranche_id in pending:
            call_for_funds_issue(tranche_id=tranche_id, batch=batch, actor=actor)
    except Exception as error:  # any failure: recorded for staff, the batch can be started again
        CallBatch.objects.filter(pk=batch_id).update(
            state=CallBatch.State.FAILED, error=f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
        )
        batch.refresh_from_db()
        return batch
    with transaction.atomic():
        batch = CallBatch.objects.select_for_update().get(pk=batch_id)
        batch.state = CallBatch.State.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["state", "finished_at"])
        audit_record(actor=actor, action="call_batch.done", obj=batch, data={"calls": batch.done})
    return batch


# -- One call --------------------------------------------------------------------------------


@transaction.atomic
def call_for_funds_issue(
    *,
    tranche_id: int,
    batch: CallBatch | None = None,
    actor: User | None,
) -> CallForFunds | None:
    """Call one tranche: its payment request, its letter, its email; None if it cannot be called
    (a sale no longer live, or whose deed is not signed: nothing is called before the deed).

    The tranche is locked; one that already has a call is left alone (the existing call is
    returned), so running again never makes a second call or a second email."""
    tranche = Tranche.objects.select_for_update().filter(pk=tranche_id).first()
    if tranche is None:
        return None
    existing = CallForFunds.objects.filter(tranche=tranche).first()
    if existing is not None:
        return existing
    if tranche.state != Tranche.State.PLANNED:
        return None
    sale = Sale.objects.select_related("programme", "advisor").get(pk=tranche.sale_id)
    if not sale.is_live or not sale_deed_signed(sale):
        return None
    programme = sale.programme
    # The sale's buyers (main one first) are read once, for the call's buyer and the letter.
    sale_buyers = list(sale.sale_buyers.select_related("buyer"))
    buyer = next((sale_buyer.buyer for sale_buyer in sale_buyers if sale_buyer.is_main), None)
    if buyer is None and sale_buyers:
        buyer = sale.buyers.first()
    if buyer is None:
        raise CallError(_("Sale %(sale)s has no buyer to call.") % {"sale": sale.reference})
    cumulated = Decimal(
        tranches_with_cumulated_percent(Tranche.objects.filter(pk=tranche.pk)).get().cumulated_percent  # type: ignore[attr-defined]
    ).quantize(CENTS)
    notified_on = local_today(programme.time_zone)
    due_on = notified_on + timedelta(days=_payment_days(programme))
    number = call_number_for(tranche, programme)
    payment = payment_request_create(
        actor=actor,
        sale=sale,
        amount=tranche.amount,
        reference=number,
        buyer=buyer,
        due_on=due_on,
        kind=Payment.Kind.CALL,
        notify=False,
    )
    call = CallForFunds.objects.create(
        tranche=tranche,
        batch=batch,
        sale=sale,
        programme=programme,
        buyer=buyer,
        payment=payment,
        number=number,
        amount=tranche.amount,
        currency=programme.currency,
        percent=tranche.percent,
        cumulated_percent=cumulated,
        notified_on=notified_on,
        due_on=due_on,
    )
    tranche.state = Tranche.State.CALLED
    tranche.called_on = notified_on
    tranche.due_on = due_on
    tranche.save(update_fields=["state", "called_on", "due_on"])

    milestone = batch.milestone if batch is not None else None
    letter = call_letter_pdf(
        call, milestone=milestone, sale=sale, buyers=[sale_buyer.buyer for sale_buyer in sale_buyers]
    )
    call.letter = default_storage.save(f"calls/{programme.code}/{number}.pdf", ContentFile(letter))
    if buyer.email:
        _call_email(call, sale=sale, letter=letter)
        call.sent_at = timezone.now()
    call.save(update_fields=["letter", "sent_at"])
    audit_record(
        actor=actor,
        action="call.issued",
        obj=sale,
        data={
            "call": call.number,
            "tranche": tranche.label,
            "amount": str(call.amount),
            "due_on": due_on.isoformat(),
        },
    )
    if batch is not None:
        CallBatch.objects.filter(pk=batch.pk).update(done=F("done") + 1)
    return call


def call_letter_context(
    call: CallForFunds, *, sale: Sale, milestone: Milestone | None, buyers: list[Buyer] | None = None
) -> dict[str, Any]:
    """`buyers`: the sale's buyers, main one first, when the caller has read them already."""
    programme = call.programme
    payment = call.payment
    if buyers is None:
        buyers = [sale_buyer.buyer for sale_buyer in sale.sale_buyers.select_related("buyer")]
    return {
        "call": call,
        "programme": programme,
        "sale": sale,
        "buyers": buyers,
        "buyer": call.buyer,
        "lots": [sale_lot.lot for sale_lot in sale.sale_lots.filter(live=True).select_related("lot")],
        "stage": call.tranche.get_trigger_display(),
        "reached_on": milestone.actual_date if milestone is not None else sale.deed_signed_on,
        "payment": payment,
        "pay_link": payment_link_url(payment) if payment is not None else "",
    }


def call_letter_pdf(
    call: CallForFunds, *, sale: Sale, milestone: Milestone | None = None, buyers: list[Buyer] | None = None
) -> bytes:
    """The letter in the buyer's language, with the architect's certificate after it when uploaded."""
    if milestone is None and call.tranche.trigger != Trigger.DEED:
        milestone = Milestone.objects.filter(programme=call.programme, kind=call.tranche.trigger).first()
    language = call.buyer.language
    letter = pdf_render(
        template_name="schedules/call_letter.html",
        context=call_letter_context(call, sale=sale, milestone=milestone, buyers=buyers),
        language=language,
    )
    certificate = (
        StageCertificate.objects.filter(milestone=milestone).first() if milestone is not None else None
    )
    if certificate is None or not certificate.file:
        return letter
    return _pdf_merge(letter, str(certificate.file.name))


def _pdf_merge(letter: bytes, storage_path: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(letter)))
    with default_storage.open(storage_path, "rb") as stored:
        writer.append(PdfReader(io.BytesIO(stored.read())))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def call_letter_filename(call: CallForFunds) -> str:
    return f"{call.number}.pdf"


def _call_email(call: CallForFunds, *, sale: Sale, letter: bytes) -> None:
    """The letter by email in the buyer's language, through the outbox, once per call."""
    language = call.buyer.language
    payment = call.payment
    link = payment_link_url(payment) if payment is not None else ""
    with translation.override(language):
        context = {
            "call": call,
            "buyer": call.buyer,
            "programme": call.programme,
            "stage": call.tranche.get_trigger_display(),
            "payment": payment,
            "link": link,
        }
        subject = render_to_string("schedules/emails/call_for_funds.subject.txt", context).strip()
        text = render_to_string("schedules/emails/call_for_funds.txt", context)
        html = render_to_string("schedules/emails/call_for_funds.html", context)
        button = EmailButton(url=link, label=_("Pay online")) if link else None
    email = email_compose(subject=subject, text=text, html=html, language=language, button=button)
    advisor = sale.advisor
    outbox_enqueue_email(
        key=f"call:{call.pk}",
        to=call.buyer.email,
        subject=email.subject,
        text=email.text,
        html=email.html,
        attachments=[
            OutboxAttachment(
                filename=call_letter_filename(call),
                mimetype="application/pdf",
                # The letter just stored, attached from memory rather than read back.
                content=letter,
            )
        ],
        reply_to=advisor.email if advisor is not None and advisor.is_active else "",
    )


# -- Deeds and opening -----------------------------------------------------------------------


def call_deed_issue(*, sale_id: int, actor: User | None = None) -> list[CallForFunds]:
    """Call a sale whose deed is signed (no batch: one sale at a time): its deed tranches and, with
    them, the tranches of every milestone its programme has already reached, whose batches went
    out before this deed (the buyer pays at the deed what the works' progress allows)."""
    sale = Sale.objects.filter(pk=sale_id).only("pk", "programme_id", "stage", "deed_signed_on").first()
    if sale is None or not sale_deed_signed(sale) or not sale.is_live:
        return []
    # Each letter of a milestone's tranche carries that milestone's certificate (call_letter_pdf).
    tranche_ids = list(reached_tranches_of_sale(sale).values_list("pk", flat=True))
    calls = [call_for_funds_issue(tranche_id=tranche_id, actor=actor) for tranche_id in tranche_ids]
    return [call for call in calls if call is not None]


def call_deed_on_stage(*, sale: Sale, stage: str, actor: User | None) -> None:
    """A sale reached the deed: its deed call goes out after the stage move commits."""
    if stage != Stage.DEED_SIGNED:
        return
    sale_id = sale.pk
    actor_id = actor.pk if actor is not None and actor.pk else None

    def issue_later() -> None:
        from schedules.tasks import call_deed_issue_task

        call_deed_issue_task.delay(sale_id, actor_id)

    transaction.on_commit(issue_later, robust=True)


@transaction.atomic
def stage_certificate_save(*, certificate: StageCertificate, actor: User | None) -> StageCertificate:
    """Save the architect's certificate of a milestone (new or replaced); later calls carry it."""
    created = certificate.pk is None
    old = None if created else StageCertificate.objects.filter(pk=certificate.pk).first()
    certificate.save()
    data: dict[str, Any] = {"milestone": certificate.milestone_id, "file": certificate.file.name}
    if old is not None:
        # A replaced certificate: its old and new file (and milestone, if it moved).
        data["file"] = [old.file.name, certificate.file.name]
        if old.milestone_id != certificate.milestone_id:
            data["milestone"] = [old.milestone_id, certificate.milestone_id]
    audit_record(
        actor=actor,
        action="stage_certificate.uploaded" if created else "stage_certificate.replaced",
        obj=certificate,
        data=data,
    )
    return certificate


@transaction.atomic
def call_mark_opened(*, call: CallForFunds, user: User) -> CallForFunds:
    """The first time one of the sale's buyers opens the call in the client space."""
    if call.opened_at is not None or not call.sale.sale_buyers.filter(buyer__user=user).exists():
        return call
    updated = CallForFunds.objects.filter(pk=call.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    call.refresh_from_db(fields=["opened_at"])
    if updated:
        audit_record(actor=user, action="call.opened", obj=call.sale, data={"call": call.number})
    return call
