"""Instalment schedules: templates, a sale's tranches, calls for funds, the ledger, bank
statements and invoices.

A tranche's paid and remaining amounts are never stored: they are sums of the ledger's
allocations (`schedules.selectors`), so they cannot drift from the money actually received.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models import Payment, Refund
from programmes.models import Milestone, Programme
from sales.models import Buyer, Sale

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))]


class Trigger(models.TextChoices):
    """What makes a tranche due: a calendar milestone of the programme, or the sale's deed.

    Listed in the order they happen on a site; the legal ceilings are checked in this order.
    """

    DEED = "deed", _("Signature of the deed")
    WORKS_START = "works_start", _("Works start")
    FOUNDATIONS = "foundations", _("Foundations completed")
    WEATHER_TIGHT = "weather_tight", _("Weather-tight")
    COMPLETION = "completion", _("Completion of works")
    DELIVERY = "delivery", _("Delivery")


TRIGGER_ORDER = [choice.value for choice in Trigger]
# The triggers that are programme milestones (Milestone.Kind shares these values).
MILESTONE_TRIGGERS = {
    Trigger.WORKS_START,
    Trigger.FOUNDATIONS,
    Trigger.WEATHER_TIGHT,
    Trigger.COMPLETION,
    Trigger.DELIVERY,
}


class ScheduleTemplate(models.Model):
    """A programme's instalment schedule: what share of the price is called at each milestone."""

    programme = models.OneToOneField(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="schedule_template"
    )
    # Days the buyer has to pay a call, counted from its notification (as the contract says).
    payment_days = models.PositiveSmallIntegerField(
        _("days to pay a call"), default=15, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("schedule template")
        verbose_name_plural = _("schedule templates")

    def __str__(self):
        return str(self.programme)


class TemplateTranche(models.Model):
    template = models.ForeignKey(
        ScheduleTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="tranches"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    label = models.CharField(_("label"), max_length=120)
    trigger = models.CharField(_("due at"), max_length=20, choices=Trigger.choices)
    percent = models.DecimalField(
        _("percentage of the price"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="template_tranche_unique_position")
        ]

    def __str__(self):
        return self.label


class Tranche(models.Model):
    """One instalment of a sale, copied from the programme's template and editable by staff."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Not yet called")
        CALLED = "called", _("Called")
        # The last 5 % set aside with a third party while the buyer disputes conformity at
        # delivery (CCH R261-14): neither paid nor overdue.
        CONSIGNED = "consigned", _("Consigned")

    sale = models.ForeignKey(Sale, verbose_name=_("sale"), on_delete=models.CASCADE, related_name="tranches")
    position = models.PositiveSmallIntegerField(_("order"))
    label = models.CharField(_("label"), max_length=120)
    trigger = models.CharField(_("due at"), max_length=20, choices=Trigger.choices)
    percent = models.DecimalField(
        _("percentage of the price"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    called_on = models.DateField(_("called on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("schedule")
        ordering = ["sale", "position"]
        constraints = [models.UniqueConstraint(fields=["sale", "position"], name="tranche_unique_position")]
        indexes = [models.Index(fields=["trigger", "state"])]

    def __str__(self):
        return self.label


class StageCertificate(models.Model):
    """The architect's certificate that a milestone is reached, attached to its calls for funds."""

    milestone = models.OneToOneField(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="certificate"
    )
    file = models.FileField(_("certificate (PDF)"), upload_to="certificates/")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage certificate")
        verbose_name_plural = _("stage certificates")

    def __str__(self):
        return str(self.milestone)


class CallBatch(models.Model):
    """One run of calls for funds for a reached milestone (or the deeds of a day), with progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="call_batches"
    )
    trigger = models.CharField(_("stage"), max_length=20, choices=Trigger.choices)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_batches",
    )
    reached_on = models.DateField(_("reached on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("calls to make"), default=0)
    done = models.PositiveIntegerField(_("calls made"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch of calls for funds")
        verbose_name_plural = _("batches of calls for funds")
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.programme} · {self.get_trigger_display()}"


class CallForFunds(models.Model):
    """The letter asking a buyer for a tranche; paid through the payment request it carries."""

    tranche = models.OneToOneField(
        Tranche, verbose_name=_("tranche"), on_delete=models.PROTECT, related_name="call"
    )
    batch = models.ForeignKey(
        CallBatch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        related_name="calls",
        null=True,
        blank=True,
    )
    sale = models.ForeignKey(
        Sale, verbose_name=_("sale"), on_delete=models.PROTECT, related_name="calls_for_funds"
    )
    # Copied from the sale: the lists filter and scope by programme without a join.
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="calls_for_funds"
    )
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="calls_for_funds"
    )
    # The payment request the buyer pays (online or by transfer); its RF reference is the call's.
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_for_funds",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    percent = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2)
    cumulated_percent = models.DecimalField(_("cumulated percentage"), max_digits=5, decimal_places=2)
    notified_on = models.DateField(_("notified on"))
    due_on = models.DateField(_("due on"))
    letter = models.FileField(_("letter (PDF)"), upload_to="calls/", blank=True)
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened in the client space at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call for funds")
        verbose_name_plural = _("calls for funds")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["programme", "due_on"]), models.Index(fields=["sale"])]

    def __str__(self):
        return self.number


class LedgerEntry(models.Model):
    """One movement of money on a sale; refunds are negative. Append-only."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        CARD = "card", _("Card payment")
        DEBIT = "debit", _("Direct debit")
        TRANSFER = "transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        REFUND = "refund", _("Refund")
        LATE_FEE = "late_fee", _("Late fee")

    sale = models.ForeignKey(
        Sale, verbose_name=_("sale"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    booked_on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    # What the entry records, once: "payment-event:<id>", "refund:<id>", "statement-line:<id>"...
    source_key = models.CharField(_("source"), max_length=80, unique=True)
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    refund = models.ForeignKey(
        Refund,
        verbose_name=_("refund"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        ordering = ["booked_on", "pk"]
        indexes = [
            models.Index(fields=["sale", "booked_on"]),
            models.Index(fields=["programme", "booked_on"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.amount}"


class Allocation(models.Model):
    """The part of a ledger entry that goes to a tranche (negative for a refund)."""

    entry = models.ForeignKey(
        LedgerEntry, verbose_name=_("ledger entry"), on_delete=models.CASCADE, related_name="allocations"
    )
    tranche = models.ForeignKey(
        Tranche, verbose_name=_("tranche"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["entry", "tranche"], name="allocation_unique_entry_tranche")
        ]

    def __str__(self):
        return f"{self.tranche} · {self.amount}"


class BankStatement(models.Model):
    class Format(models.TextChoices):
        CAMT053 = "camt053", _("ISO 20022 camt.053")
        MT940 = "mt940", _("MT940")
        CSV = "csv", _("CSV")

    class State(models.TextChoices):
        """The matching of its new transfers, run by a worker after the import (OPS-4)."""

        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("fingerprint"), max_length=64)
    account_iban = models.CharField(_("account"), max_length=42, blank=True)
    lines_total = models.PositiveIntegerField(_("transactions"), default=0)
    lines_new = models.PositiveIntegerField(_("new transactions"), default=0)
    lines_matched = models.PositiveIntegerField(_("matched automatically"), default=0)
    state = models.CharField(_("matching"), max_length=10, choices=State.choices, default=State.QUEUED)
    lines_done = models.PositiveIntegerField(_("transactions looked at"), default=0)
    error = models.TextField(_("error"), blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-pk"]

    def __str__(self):
        return self.file_name

    @property
    def lines_already(self) -> int:
        """Transactions of the file imported before, with an earlier statement."""
        return self.lines_total - self.lines_new

    @property
    def lines_to_match(self) -> int:
        return self.lines_new - self.lines_matched

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class StatementLine(models.Model):
    """One credit transaction of a statement; the bank's reference and index make it unique."""

    class State(models.TextChoices):
        UNMATCHED = "unmatched", _("To match")
        MATCHED = "matched", _("Matched")
        IGNORED = "ignored", _("Ignored")

    statement = models.ForeignKey(
        BankStatement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    bank_reference = models.CharField(_("bank reference"), max_length=100)
    index = models.PositiveIntegerField(_("index in the entry"), default=0)
    booked_on = models.DateField(_("booked on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    debtor_name = models.CharField(_("from"), max_length=200, blank=True)
    creditor_reference = models.CharField(_("structured reference"), max_length=40, blank=True)
    remittance = models.CharField(_("remittance information"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.UNMATCHED)
    # Why the import did not match a line it recognised (an amount above what is due, a request
    # already paid...): shown beside the line for whoever matches it by hand.
    note = models.CharField(_("note"), max_length=300, blank=True)
    call = models.ForeignKey(
        CallForFunds,
        verbose_name=_("call for funds"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("matched by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["booked_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_reference", "index"], name="statement_line_unique_bank_reference"
            )
        ]
        indexes = [models.Index(fields=["state", "booked_on"])]

    def __str__(self):
        return f"{self.booked_on} · {self.amount} · {self.debtor_name}"


class InvoiceCounter(models.Model):
    """The last invoice number of a legal entity, taken under lock so numbers have no gaps."""

    legal_entity = models.CharField(_("legal entity"), max_length=200, unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self):
        return f"{self.legal_entity} · {self.last_number}"


class Invoice(models.Model):
    class Source(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded PDF")
        GENERATED = "generated", _("Generated from lines")

    sale = models.ForeignKey(Sale, verbose_name=_("sale"), on_delete=models.PROTECT, related_name="invoices")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="invoices"
    )
    legal_entity = models.CharField(_("issuer"), max_length=200)
    number = models.CharField(_("number"), max_length=40)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    amount_net = models.DecimalField(_("amount before VAT"), max_digits=12, decimal_places=2)
    amount_vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    amount_total = models.DecimalField(_("amount including VAT"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    file = models.FileField(_("PDF"), upload_to="invoices/", blank=True)
    shared_with_buyer = models.BooleanField(_("shared with the buyer"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "number"], name="invoice_unique_number"),
            models.CheckConstraint(
                condition=Q(amount_total=models.F("amount_net") + models.F("amount_vat")),
                name="invoice_total_is_net_plus_vat",
            ),
        ]

    def __str__(self):
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    label = models.CharField(_("label"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(_("unit price before VAT"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "pk"]

    def __str__(self):
        return self.label
