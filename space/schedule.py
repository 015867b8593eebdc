"""The buyer's payment schedule in the client space (SCH-7): tranches with what is paid and what
remains, the calls for funds and their letters, the invoices shared with him, an account
statement, and a "Pay" button on each called tranche with something left to pay.

Kept beside space/views.py with the same rules: the sale comes through the sales selector scoped
to the user (another person's sale, letter or invoice answers 404); notaries and partners who
may see the sale read the same page without the buttons, as on the purchase page.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from payments.links import payment_link_path
from payments.models import OPEN_STATUSES
from portal.timezones import local_today
from sales.selectors import client_sale_page
from schedules.models import CallForFunds, Invoice, LedgerEntry, Tranche
from schedules.selectors import sale_tranches_paid, tranches_with_balances
from schedules.services.calls import call_letter_filename, call_mark_opened
from space import presenters
from space.views import _render, _sale_or_404, client_space

ZERO = Decimal("0.00")

# Status keys of a tranche, with their words (a class on the page, never colour alone).
NOT_CALLED, CALLED, PARTLY_PAID, PAID, OVERDUE, CONSIGNED = (
    "planned",
    "called",
    "partly_paid",
    "paid",
    "overdue",
    "consigned",
)


@dataclass(frozen=True)
class TrancheRow:
    tranche: Tranche
    status: str
    status_label: str
    pay_link: str = ""
    note: str = ""

    @property
    def call(self) -> CallForFunds | None:
        return getattr(self.tranche, "call", None)


@dataclass(frozen=True)
class StatementRow:
    on: date
    label: str  # what it is: a call for funds of a tranche, a kind of payment
    reference: str = ""  # the call's number, the payment's reference (never broken on the page)
    called: Decimal | None = None
    received: Decimal | None = None
    unpaid: Decimal | None = None
    age_days: int | None = None


def tranche_status(tranche: Tranche, today: date) -> tuple[str, str]:
    """The tranche's status for the buyer, from its state and the ledger's paid and remaining."""
    remaining: Decimal = tranche.remaining  # type: ignore[attr-defined]
    paid: Decimal = tranche.paid  # type: ignore[attr-defined]
    if tranche.state == Tranche.State.CONSIGNED:
        return CONSIGNED, _("Consigned")
    if remaining <= ZERO:
        return PAID, _("Paid")
    if tranche.state == Tranche.State.CALLED:
        if tranche.due_on and tranche.due_on < today:
            return OVERDUE, _("Overdue")
        if paid > ZERO:
            return PARTLY_PAID, _("Partly paid")
        if tranche.due_on:
            return CALLED, _("Called, due on %(date)s") % {"date": formats.date_format(tranche.due_on)}
        return CALLED, _("Called")
    if paid > ZERO:
        return PARTLY_PAID, _("Partly paid")
    return NOT_CALLED, _("Not yet called")


def _pay(tranche: Tranche, status: str, now) -> tuple[str, str]:
    """(link, note) of the "Pay" button: on a called tranche with something remaining only,
    paying that tranche through its call's payment request."""
    if tranche.state != Tranche.State.CALLED or status == PAID:
        return "", ""
    call = getattr(tranche, "call", None)
    payment = call.payment if call is not None else None
    if payment is None or payment.status not in OPEN_STATUSES:
        return "", ""
    if payment.link_expires_at <= now:
        return "", _("The payment link has expired: ask your advisor for a new one.")
    return payment_link_path(payment), ""


def schedule_tranches(sale) -> list[Tranche]:
    """The sale's tranches in order, with paid and remaining, each with its call and payment."""
    return list(
        tranches_with_balances(Tranche.objects.filter(sale=sale))
        .select_related("call__payment")
        .order_by("position")
    )


def tranche_rows(tranches: list[Tranche], *, today: date, as_buyer: bool) -> list[TrancheRow]:
    now = timezone.now()
    rows = []
    for tranche in tranches:
        status, label = tranche_status(tranche, today)
        link, note = _pay(tranche, status, now) if as_buyer else ("", "")
        rows.append(TrancheRow(tranche, status, label, link, note))
    return rows


def statement_rows(tranches: list[Tranche], entries: list[LedgerEntry], *, today: date) -> list[StatementRow]:
    """The account statement, oldest first: each call for funds (what was asked, what of it is
    still unpaid and for how many days) and each movement of the ledger."""
    rows = []
    for tranche in tranches:
        call = getattr(tranche, "call", None)
        if call is None:
            continue
        remaining: Decimal = tranche.remaining  # type: ignore[attr-defined]
        unpaid = remaining if remaining > ZERO and tranche.state == Tranche.State.CALLED else None
        rows.append(
            StatementRow(
                on=call.notified_on,
                label=_("Call for funds – %(tranche)s") % {"tranche": tranche.label},
                reference=call.number,
                called=call.amount,
                unpaid=unpaid,
                age_days=(today - call.notified_on).days if unpaid is not None else None,
            )
        )
    for entry in entries:
        rows.append(
            StatementRow(
                on=entry.booked_on,
                label=entry.get_kind_display(),
                reference=entry.reference,
                received=entry.amount,
            )
        )
    # Stable: on one day, the call comes before the money that pays it.
    return sorted(rows, key=lambda row: row.on)


def due_next(tranches: list[Tranche], today: date) -> TrancheRow | None:
    """What the buyer has to pay next: the first called tranche still unpaid, else the next one
    planned."""
    rows = [(tranche, *tranche_status(tranche, today)) for tranche in tranches]
    for state in (Tranche.State.CALLED, Tranche.State.PLANNED):
        for tranche, status, label in rows:
            if tranche.state == state and status != PAID:
                return TrancheRow(tranche, status, label)
    return None


def sale_due_next(sale) -> TrancheRow | None:
    """For the purchase page: its next tranche to pay, in one query."""
    return due_next(sale_tranches_paid(sale), local_today(sale.programme.time_zone))


@require_safe
@client_space
def schedule(request, sale_id: int):
    page = _sale_or_404(client_sale_page, request.user, sale_id)
    sale = page.sale
    programme = sale.programme
    role = presenters.viewer_role(request.user, page)
    as_buyer = role == presenters.BUYER
    today = local_today(programme.time_zone)
    tranches = schedule_tranches(sale)
    entries = list(LedgerEntry.objects.filter(sale=sale).order_by("booked_on", "pk"))
    invoices = list(Invoice.objects.filter(sale=sale, shared_with_buyer=True).order_by("-issued_on", "-pk"))
    rows = tranche_rows(tranches, today=today, as_buyer=as_buyer)
    context = {
        "sale": sale,
        "programme": programme,
        "as_buyer": as_buyer,
        "rows": rows,
        "calls": [row for row in rows if row.call is not None],
        "invoices": invoices,
        "statement": statement_rows(tranches, entries, today=today),
        "totals": {
            "amount": sum((t.amount for t in tranches), ZERO),
            "paid": sum((t.paid for t in tranches), ZERO),  # type: ignore[attr-defined]
            "remaining": sum((t.remaining for t in tranches), ZERO),  # type: ignore[attr-defined]
        },
        "nav": "dashboard",
    }
    return _render(request, "space/schedule.html", context)


def _stored_file_response(field, filename: str, missing: str) -> FileResponse:
    if not field or not default_storage.exists(field.name):
        raise Http404(missing)
    return FileResponse(
        default_storage.open(field.name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


@require_safe
@client_space
def call_letter(request, sale_id: int, call_id: int):
    """A call's letter as sent. The first opening by one of the buyers is recorded on the call."""
    page = _sale_or_404(client_sale_page, request.user, sale_id)
    call = CallForFunds.objects.filter(pk=call_id, sale=page.sale).first()
    if call is None:
        raise Http404(_("No such call for funds."))
    response = _stored_file_response(
        call.letter, call_letter_filename(call), _("This letter is not ready yet.")
    )
    if presenters.viewer_role(request.user, page) == presenters.BUYER and call.opened_at is None:
        call_mark_opened(call=call, user=request.user)
    return response


@require_safe
@client_space
def invoice_download(request, sale_id: int, invoice_id: int):
    """An invoice staff shared with the buyers; one not shared (or another sale's) answers 404."""
    page = _sale_or_404(client_sale_page, request.user, sale_id)
    invoice = Invoice.objects.filter(pk=invoice_id, sale=page.sale, shared_with_buyer=True).first()
    if invoice is None:
        raise Http404(_("No such invoice."))
    return _stored_file_response(invoice.file, f"{invoice.number}.pdf", _("This invoice has no file."))
