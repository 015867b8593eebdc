"""Demo data of the quick start for instalment schedules (SCH-1 to SCH-7).

Both demo programmes get a schedule template (the French one within CCH R261-14, the Polish one
following the stages of its prospectus) and every demo sale its own schedule copied from it.
Calls for funds go out for two reached milestones of the French programme and one of the
Polish, through the preview and the batch staff would use (the quick start runs the batch
inline), to the sales whose deed is signed only: the main demo buyer, in her withdrawal period,
owes nothing on her schedule yet. A few calls are paid online through the simulated checkout or by recorded transfer, one
only in part. A day's camt.053 statement of the French escrow account and an MT940 one of the
Polish account are written under VAR_DIR/demo with the references of these calls; the camt.053
one is imported, so the accountant finds lines matched and lines left to match. One sale has a
generated invoice shared with its buyers, and the French foundations' calls carry the
architect's certificate. Everything goes through the services with an actor.

Safe to run again: once the demo programmes hold calls for funds, only the templates, the sales'
schedules and the statement files are ensured; the statement's import skips its known lines.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from payments.demo import _checkout
from payments.models import Method, Payment
from payments.services.money import payment_record_transfer
from payments.simulated_events import PAY
from portal.users.models import User
from programmes.models import Milestone, Programme
from sales.models import Sale
from schedules.models import (
    BankStatement,
    CallForFunds,
    Invoice,
    ScheduleTemplate,
    StageCertificate,
    Trigger,
)
from schedules.selectors_calls import calls_preview
from schedules.services.calls import call_batch_start, call_deed_issue, stage_certificate_save
from schedules.services.invoices import LineInput, invoice_create_generated, invoice_share
from schedules.services.statements import statement_import
from schedules.services.templates import TranchePart, schedule_template_save
from schedules.services.tranches import schedule_copy_for_sale

MAIN_BUYER = "buyer@demo.test"


def _parts(*rows: tuple[str, str, str]) -> list[TranchePart]:
    return [
        TranchePart(label=label, trigger=trigger, percent=Decimal(percent))
        for label, trigger, percent in rows
    ]


# The labels are the contract's words, in the programme's language (data, not interface text).
TEMPLATES: dict[str, tuple[int, list[TranchePart]]] = {
    # France (VEFA): 30 % by the works start, 35 % by the foundations, 70 % once weather-tight,
    # 95 % at completion (CCH R261-14), the balance at delivery.
    "lum": (
        15,
        _parts(
            ("Signature de l'acte authentique", Trigger.DEED, "20"),
            ("Démarrage des travaux", Trigger.WORKS_START, "10"),
            ("Achèvement des fondations", Trigger.FOUNDATIONS, "5"),
            ("Mise hors d'eau", Trigger.WEATHER_TIGHT, "35"),
            ("Achèvement des travaux", Trigger.COMPLETION, "25"),
            ("Remise des clés", Trigger.DELIVERY, "5"),
        ),
    ),
    # Poland: the stages of the prospectus (harmonogram), the whole price in all.
    "zwg": (
        14,
        _parts(
            ("Zawarcie umowy deweloperskiej", Trigger.DEED, "10"),
            ("Rozpoczęcie budowy", Trigger.WORKS_START, "20"),
            ("Zakończenie fundamentów", Trigger.FOUNDATIONS, "20"),
            ("Stan surowy zamknięty", Trigger.WEATHER_TIGHT, "25"),
            ("Zakończenie budowy", Trigger.COMPLETION, "20"),
            ("Odbiór lokalu", Trigger.DELIVERY, "5"),
        ),
    ),
}
# The reached milestones whose calls go out: (programme code, milestone kind).
CALLED_MILESTONES = [("lum", Trigger.WORKS_START), ("lum", Trigger.FOUNDATIONS), ("zwg", Trigger.WORKS_START)]
ADVISORS = {"lum": "sales@demo.test", "zwg": "admin@demo.test"}
ACCOUNTANT = "accountant@demo.test"
STATEMENT_DAY = timedelta(days=0)  # the bank statements of the day the calls went out


def demo_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo"


def seed_schedules() -> None:
    programmes = {p.code: p for p in Programme.objects.filter(code__in=TEMPLATES)}
    if len(programmes) < len(TEMPLATES):
        return
    actors = {code: User.objects.get(email=email) for code, email in ADVISORS.items()}
    accountant = User.objects.get(email=ACCOUNTANT)
    with transaction.atomic():
        for code, programme in programmes.items():
            _schedules(programme, actors[code])
    if not CallForFunds.objects.filter(programme__in=programmes.values()).exists():
        for code, kind in CALLED_MILESTONES:
            _milestone_calls(programmes[code], kind, actors[code])
        for sale in Sale.objects.filter(programme__in=programmes.values(), deed_signed_on__isnull=False):
            call_deed_issue(sale_id=sale.pk, actor=actors[sale.programme.code])
        _payments(programmes, accountant)
        _invoice(programmes["lum"], actors["lum"])
    camt, _mt940 = statement_files_write(programmes)
    statement_import(
        file_name=camt.name, content=camt.read_bytes(), format=BankStatement.Format.CAMT053, actor=accountant
    )


def _schedules(programme: Programme, actor: User) -> None:
    """The programme's template, each of its sales' schedules, their earlier money allocated."""
    payment_days, parts = TEMPLATES[programme.code]
    if not ScheduleTemplate.objects.filter(programme=programme).exists():
        schedule_template_save(
            actor=actor,
            template=ScheduleTemplate(programme=programme, payment_days=payment_days),
            values={},
            tranches=parts,
        )
    # Sales opened before the template existed: copied as a new sale's would have been (the
    # deposits paid before the schedule existed go to the first tranches).
    for sale in Sale.objects.filter(programme=programme, tranches__isnull=True).order_by("pk"):
        schedule_copy_for_sale(sale=sale, actor=actor)


CERTIFICATE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 25mm 20mm; }} body {{ font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }}
</style></head><body>
<p>Atelier d'architecture Rivière &amp; Associés<br>4 place Bellecour, 69002 Lyon</p>
<h1 style="font-size: 14pt">Attestation d'achèvement des fondations</h1>
<p>Je soussignée, Anne Rivière, architecte, maître d'œuvre de l'opération « {programme} »,
{address}, {city}, atteste que les fondations de l'ensemble des bâtiments sont achevées à la date
du {reached}.</p>
<p>Fait à Lyon, le {reached}.</p>
<p>Anne Rivière</p>
</body></html>"""


def _certificate(milestone: Milestone, actor: User) -> None:
    """The architect's certificate of the French foundations, appended to their calls' letters."""
    from weasyprint import HTML

    programme = milestone.programme
    reached = (milestone.actual_date or timezone.localdate()).strftime("%d/%m/%Y")
    html = CERTIFICATE.format(
        programme=escape(programme.name),
        address=escape(programme.address),
        city=escape(programme.city),
        reached=reached,
    )
    stage_certificate_save(
        certificate=StageCertificate(
            milestone=milestone,
            file=ContentFile(HTML(string=html).write_pdf(), name=f"{programme.code}-{milestone.kind}.pdf"),
        ),
        actor=actor,
    )


def _milestone_calls(programme: Programme, kind: str, actor: User) -> None:
    """What staff do on the calls page: upload the architect's certificate (the French
    foundations), look at the preview, then start the batch."""
    milestone = Milestone.objects.select_related("programme").get(programme=programme, kind=kind)
    if (
        programme.code == "lum"
        and kind == Trigger.FOUNDATIONS
        and not StageCertificate.objects.filter(milestone=milestone).exists()
    ):
        _certificate(milestone, actor)
    preview = calls_preview(milestone=milestone)
    if preview.count:
        call_batch_start(
            programme=programme,
            trigger=kind,
            milestone=milestone,
            reached_on=milestone.actual_date or timezone.localdate(),
            actor=actor,
        )


def demo_calls(programme: Programme, kind: str) -> list[CallForFunds]:
    """The calls of a milestone in the order they were made: the same list on every run, whatever
    has been paid since."""
    return list(
        CallForFunds.objects.filter(programme=programme, tranche__trigger=kind)
        .select_related("payment", "buyer", "sale")
        .order_by("pk")
    )


def _transfer(payment: Payment | None, accountant: User, amount: Decimal | None = None) -> None:
    if payment is not None:
        payment_record_transfer(
            actor=accountant,
            payment=payment,
            amount=amount or payment.amount,
            received_on=timezone.localdate(),
        )


def _payments(programmes: dict[str, Programme], accountant: User) -> None:
    """A few calls paid: one online, others by transfer, one only in part (the first three works
    start calls and the first foundations call of the French programme, the first Polish one)."""
    lum, zwg = programmes["lum"], programmes["zwg"]
    works, foundations = demo_calls(lum, Trigger.WORKS_START), demo_calls(lum, Trigger.FOUNDATIONS)
    polish = demo_calls(zwg, Trigger.WORKS_START)
    if works:
        _checkout(works[0].payment, Method.CARD, PAY)
    if foundations:
        _transfer(foundations[0].payment, accountant)
    for call in works[1:2]:
        _transfer(call.payment, accountant)
    if len(works) > 2:
        partly = works[2].payment
        _transfer(partly, accountant, (partly.amount / 2).quantize(Decimal("0.01")))
    if polish:
        _checkout(polish[0].payment, Method.BLIK, PAY)


def _invoice(programme: Programme, actor: User) -> None:
    """An invoice for the main buyer's options (works chosen on top of the plan), shared with her."""
    sale = Sale.objects.filter(
        programme=programme, sale_buyers__buyer__email=MAIN_BUYER, sale_buyers__is_main=True
    ).first()
    if sale is None or Invoice.objects.filter(sale=sale).exists():
        return
    today = timezone.localdate()
    invoice = invoice_create_generated(
        sale=sale,
        lines=[
            LineInput(
                "Parquet chêne massif (séjour et chambres)", Decimal("62"), Decimal("48.00"), Decimal("20")
            ),
            LineInput(
                "Prise de recharge pour véhicule électrique", Decimal("1"), Decimal("1050.00"), Decimal("20")
            ),
        ],
        issued_on=today,
        due_on=today + timedelta(days=30),
        actor=actor,
    )
    invoice_share(invoice=invoice, shared=True, actor=actor)


# Statement files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementTx:
    """One credit transfer of a written statement file."""

    bank_reference: str
    amount: Decimal
    name: str = ""
    reference: str = ""  # a structured creditor reference (RF...)
    text: str = ""  # the free remittance text


def camt053_write(*, iban: str, currency: str, booked_on: date, transactions: list[StatementTx]) -> bytes:
    """A day's camt.053.001.08 statement, one entry per transaction."""
    day = booked_on.isoformat()
    entries = []
    for tx in transactions:
        parties = (
            f"<RltdPties><Dbtr><Pty><Nm>{escape(tx.name)}</Nm></Pty></Dbtr></RltdPties>" if tx.name else ""
        )
        remittance = ""
        if tx.reference or tx.text:
            text = f"<Ustrd>{escape(tx.text)}</Ustrd>" if tx.text else ""
            reference = (
                f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
                f"<Ref>{escape(tx.reference)}</Ref></CdtrRefInf></Strd>"
                if tx.reference
                else ""
            )
            remittance = f"<RmtInf>{text}{reference}</RmtInf>"
        amount = f'<Amt Ccy="{currency}">{tx.amount:.2f}</Amt>'
        entries.append(
            f"<Ntry>{amount}<CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>{escape(tx.bank_reference)}</AcctSvcrRef><NtryDtls><TxDtls>{amount}"
            f"<CdtDbtInd>CRDT</CdtDbtInd>{parties}{remittance}</TxDtls></NtryDtls></Ntry>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>\n'
        f"<GrpHdr><MsgId>DEMO-{day}</MsgId><CreDtTm>{day}T06:00:00</CreDtTm></GrpHdr>\n"
        f"<Stmt><Id>DEMO-{day}</Id><Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{currency}</Ccy></Acct>\n"
        f"{''.join(entries)}</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()


def _mt940_amount(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def mt940_write(*, iban: str, currency: str, booked_on: date, transactions: list[StatementTx]) -> bytes:
    """A day's MT940 statement, the remittance in `~` sub-fields as Polish banks write it."""
    day = booked_on.strftime("%y%m%d")
    total = sum((tx.amount for tx in transactions), Decimal("0"))
    lines = [f":20:ST{day}{currency}", f":25:/{iban}", ":28C:00001/1", f":60F:C{day}{currency}0,00"]
    for tx in transactions:
        lines.append(f":61:{day}{day[2:]}C{_mt940_amount(tx.amount)}S051NONREF//{tx.bank_reference}")
        text = " ".join(part for part in [tx.reference, tx.text] if part)
        lines.append(f":86:051~00VE02~20{text[:35]}~21{text[35:70]}~27{tx.name[:35].upper()}")
    lines += [f":62F:C{day}{currency}{_mt940_amount(total)}", "-"]
    return ("\r\n".join(lines) + "\r\n").encode()


def _payer(call: CallForFunds) -> str:
    return f"{call.buyer.first_name} {call.buyer.last_name}".upper()


def _rf(call: CallForFunds) -> str:
    return call.payment.creditor_reference if call.payment is not None else ""


def statement_files_write(programmes: dict[str, Programme]) -> tuple[Path, Path]:
    """The demo's camt.053 (French escrow account) and MT940 (Polish account) statements, with the
    references of the demo's calls: the same files on every run."""
    lum, zwg = programmes["lum"], programmes["zwg"]
    # Calls the demo has not paid (`_payments` paid the first of the foundations and of the Polish
    # works start, and the first three of the French works start).
    foundations = demo_calls(lum, Trigger.FOUNDATIONS)[1:]
    works = demo_calls(lum, Trigger.WORKS_START)[3:]
    polish = demo_calls(zwg, Trigger.WORKS_START)[1:]
    all_calls = [*foundations, *works, *polish]
    booked_on = (min((call.notified_on for call in all_calls), default=timezone.localdate())) + STATEMENT_DAY
    fr: list[StatementTx] = []
    # Paid with their structured reference: matched on import.
    for call in foundations[:2]:
        fr.append(StatementTx(f"DEMO-{call.number}", call.amount, _payer(call), _rf(call)))
    # The RF written in the free text only: matched all the same.
    for call in foundations[2:3]:
        fr.append(
            StatementTx(f"DEMO-{call.number}", call.amount, _payer(call), text=f"Appel de fonds {_rf(call)}")
        )
    # No reference, an amount that is not due: left to match by hand.
    for call in works[:1]:
        fr.append(
            StatementTx(
                f"DEMO-{call.number}",
                (call.amount / 2).quantize(Decimal("0.01")),
                _payer(call),
                text="Versement",
            )
        )
    # More than is due on the call it names (the one just paid in part, if no other is left):
    # never matched automatically.
    for call in works[1:2] or works[:1]:
        fr.append(
            StatementTx(f"DEMO-{call.number}", call.amount + Decimal("100.00"), _payer(call), _rf(call))
        )
    # A transfer nobody can place.
    fr.append(
        StatementTx("DEMO-LUM-UNKNOWN-1", Decimal("1250.00"), "SCI LES TILLEULS", text="Loyer novembre")
    )
    pl = [
        StatementTx(f"DEMO-{call.number}", call.amount, _payer(call), _rf(call), "Wpłata transzy")
        for call in polish[:2]
    ]
    pl.append(StatementTx("DEMO-ZWG-UNKNOWN-1", Decimal("480.00"), "JAN NOWAK", text="Przelew"))
    folder = demo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    camt = folder / "statement-lum.camt053.xml"
    mt940 = folder / "statement-zwg.mt940"
    camt.write_bytes(
        camt053_write(iban=lum.escrow_iban, currency=lum.currency, booked_on=booked_on, transactions=fr)
    )
    mt940.write_bytes(
        mt940_write(iban=zwg.escrow_iban, currency=zwg.currency, booked_on=booked_on, transactions=pl)
    )
    return camt, mt940
