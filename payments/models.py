"""Payments: the programme's payment settings, deposits and payment requests, their checkout
sessions, an append-only event log, refunds, receipts, and the webhook events received.

A payment keeps running totals (`amount_paid`, `amount_refunded`) beside its event log; the
totals change only in services, from provider events or staff recording a transfer.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.money import money_format
from programmes.models import Programme
from sales.models import Buyer, Sale, Stage


class Method(models.TextChoices):
    CARD = "card", _("Card")
    SEPA_DEBIT = "sepa_debit", _("SEPA direct debit")
    BLIK = "blik", _("BLIK")
    P24 = "p24", _("Przelewy24")
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")


# What Stripe offers for each currency; bank transfer is always possible (manual provider).
ONLINE_METHODS_FOR_CURRENCY: dict[str, list[str]] = {
    "EUR": [Method.CARD, Method.SEPA_DEBIT],
    "PLN": [Method.CARD, Method.BLIK, Method.P24],
}
ONLINE_METHODS = {Method.CARD, Method.SEPA_DEBIT, Method.BLIK, Method.P24}


class Status(models.TextChoices):
    TO_PAY = "to_pay", _("To pay")
    PROCESSING = "processing", _("Processing")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


# Requests the buyer may still pay (a failed attempt may be tried again).
OPEN_STATUSES = [Status.TO_PAY, Status.FAILED]
# Money has arrived: these hold a receipt.
MONEY_RECEIVED_STATUSES = [Status.PAID, Status.REFUND_REQUESTED, Status.PARTLY_REFUNDED, Status.REFUNDED]


class PaymentSettings(models.Model):
    """How one programme takes payments: deposit rule, methods, escrow, link validity, refunds."""

    class DepositKind(models.TextChoices):
        PERCENT = "percent", _("Percentage of the price")
        FIXED = "fixed", _("Fixed amount")

    programme = models.OneToOneField(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="payment_settings",
    )
    deposit_kind = models.CharField(
        _("deposit rule"), max_length=10, choices=DepositKind.choices, default=DepositKind.PERCENT
    )
    deposit_percent = models.DecimalField(
        _("deposit percentage"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    deposit_amount = models.DecimalField(
        _("deposit fixed amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    deposit_request_stage = models.CharField(
        _("request the deposit at stage"),
        max_length=30,
        choices=[("", _("By hand only")), *Stage.choices],
        blank=True,
        default=Stage.RESERVATION_SIGNED,
        help_text=_("When a sale reaches this stage, the deposit request goes out by itself."),
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("payment link valid for (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    reminder_days = models.CharField(
        _("reminders after (days)"),
        max_length=30,
        default="3,7",
        help_text=_("Days after the request when a reminder goes to the buyer, separated by commas."),
    )
    accept_card = models.BooleanField(_("card"), default=True)
    accept_sepa_debit = models.BooleanField(_("SEPA direct debit (euros)"), default=False)
    accept_blik = models.BooleanField(_("BLIK (złoty)"), default=False)
    accept_p24 = models.BooleanField(_("Przelewy24 (złoty)"), default=False)
    accept_transfer = models.BooleanField(_("bank transfer"), default=True)
    escrow_stripe_account = models.CharField(
        _("escrow holder's Stripe account"),
        max_length=64,
        blank=True,
        help_text=_(
            "Connected account (acct_…) of the escrow holder: deposits paid online go straight to it."
        ),
    )
    last_refundable_stage = models.CharField(
        _("last stage at which refunds are allowed"),
        max_length=30,
        choices=Stage.choices,
        default=Stage.FINANCING,
    )

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")

    def __str__(self):
        return str(self.programme)

    def clean(self):
        currency = self.programme.currency if self.programme_id else None
        offered = ONLINE_METHODS_FOR_CURRENCY.get(currency, [])
        for method in self.accepted_methods() if currency else []:
            if method in ONLINE_METHODS and method not in offered:
                raise ValidationError(
                    _("%(method)s is not offered for payments in %(currency)s.")
                    % {"method": Method(method).label, "currency": currency}
                )
        if not self.accepted_methods():
            raise ValidationError(_("Accept at least one payment method."))
        if self.deposit_kind == self.DepositKind.FIXED and self.deposit_amount is None:
            raise ValidationError({"deposit_amount": _("Give the fixed amount of the deposit.")})
        if self.escrow_stripe_account and not self.escrow_stripe_account.startswith("acct_"):
            raise ValidationError({"escrow_stripe_account": _("A Stripe account id starts with “acct_”.")})
        try:
            self.reminder_day_list()
        except ValueError:
            raise ValidationError(
                {"reminder_days": _("Write whole numbers of days separated by commas, e.g. 3,7.")}
            ) from None

    def accepted_methods(self) -> list[str]:
        flags = {
            Method.CARD: self.accept_card,
            Method.SEPA_DEBIT: self.accept_sepa_debit,
            Method.BLIK: self.accept_blik,
            Method.P24: self.accept_p24,
            Method.TRANSFER: self.accept_transfer,
        }
        return [method for method, accepted in flags.items() if accepted]

    def reminder_day_list(self) -> list[int]:
        days = sorted({int(part) for part in self.reminder_days.split(",") if part.strip()})
        if any(day < 1 for day in days):
            raise ValueError(self.reminder_days)
        return days


class DepositOverride(models.Model):
    """A sale whose deposit differs from its programme's rule (still within the legal cap)."""

    sale = models.OneToOneField(
        Sale, verbose_name=_("sale"), on_delete=models.CASCADE, related_name="deposit_override"
    )
    amount = models.DecimalField(
        _("deposit amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deposit override")
        verbose_name_plural = _("deposit overrides")

    def __str__(self):
        return f"{self.sale} · {self.amount}"


class Payment(models.Model):
    """Money asked of a buyer: the sale's deposit or an ad-hoc request, paid online or by transfer."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        REQUEST = "request", _("Payment request")
        CALL = "call", _("Call for funds")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        BOTH = "both", _("Email and SMS")

    sale = models.ForeignKey(Sale, verbose_name=_("sale"), on_delete=models.PROTECT, related_name="payments")
    # Copied from the sale: the lists filter and scope by programme without a join.
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="payments"
    )
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(
        _("reference"), max_length=60, help_text=_("Invoice or contract number the buyer will see.")
    )
    creditor_reference = models.CharField(
        _("transfer reference"), max_length=25, unique=True, help_text=_("Structured reference (RF…).")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TO_PAY)
    status_changed_at = models.DateTimeField(_("status changed at"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, blank=True)
    channel = models.CharField(_("sent by"), max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    amount_paid = models.DecimalField(_("paid"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    amount_refunded = models.DecimalField(
        _("refunded"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    # Part of the signed portal link: a new nonce (a fresh link) makes the old links void.
    link_nonce = models.CharField(_("link key"), max_length=32, editable=False)
    link_expires_at = models.DateTimeField(_("link valid until"))
    provider = models.CharField(_("processed by"), max_length=20, blank=True)
    provider_payment_id = models.CharField(_("processor's payment id"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reconciled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-pk"]
        permissions = [
            ("reconcile_payment", _("Can reconcile payments")),
            ("refund_payment", _("Can refund payments")),
        ]
        constraints = [
            # One deposit per sale that is not given up (cancelled or expired ones may be asked again).
            models.UniqueConstraint(
                fields=["sale"],
                condition=Q(kind="deposit") & ~Q(status__in=["cancelled", "expired"]),
                name="payment_one_live_deposit",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=models.F("amount_paid")), name="payment_refunds_within_paid"
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["status", "link_expires_at"]),
            models.Index(fields=["sale", "status"]),
            models.Index(fields=["buyer", "status"]),
        ]

    def __str__(self):
        # Shown as the payment page's title and in lists: the amount as the reader writes it.
        return f"{self.reference} · {money_format(self.amount, self.currency)}"

    @property
    def refundable_amount(self) -> Decimal:
        return self.amount_paid - self.amount_refunded

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PaymentEvent(models.Model):
    """The payment's append-only log: every request, attempt, arrival of money, refund."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SENT = "sent", _("Sent to the buyer")
        REMINDED = "reminded", _("Reminder sent")
        METHOD_CHOSEN = "method_chosen", _("Method chosen")
        SESSION_OPENED = "session_opened", _("Checkout opened")
        STATUS_CHANGED = "status_changed", _("Status changed")
        MONEY_RECEIVED = "money_received", _("Money received")
        REFUND_REQUESTED = "refund_requested", _("Refund requested")
        REFUNDED = "refunded", _("Refunded")
        REFUND_FAILED = "refund_failed", _("Refund failed")
        RECONCILED = "reconciled", _("Reconciled")
        UNRECONCILED = "unreconciled", _("Reconciliation undone")

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status after"), max_length=20, choices=Status.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.get_kind_display()


class CheckoutSession(models.Model):
    """One hosted checkout opened for a payment (Stripe's or the simulated one)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETE = "complete", _("Complete")
        EXPIRED = "expired", _("Expired")

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="sessions"
    )
    provider = models.CharField(_("provider"), max_length=20)
    # 1, 2, ... per payment: part of the idempotency key
    number = models.PositiveSmallIntegerField(_("number"))
    session_id = models.CharField(_("session id"), max_length=255, unique=True)
    url = models.URLField(_("address"), max_length=2000)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)  # money counted once per session
    # A delayed payment's failure is the session's last word: a late "completed" never undoes it.
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checkout session")
        verbose_name_plural = _("checkout sessions")
        constraints = [
            models.UniqueConstraint(fields=["payment", "number"], name="checkoutsession_unique_number")
        ]

    def __str__(self):
        return self.session_id


class Refund(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    provider = models.CharField(_("through"), max_length=20)
    provider_refund_id = models.CharField(_("provider's refund id"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_refund_id"],
                condition=~Q(provider_refund_id=""),
                name="refund_unique_provider_id",
            )
        ]

    def __str__(self):
        return f"{self.payment.reference} · {self.amount}"


class ReceiptCounter(models.Model):
    """The last receipt number of a programme, taken under lock so numbers have no gaps."""

    programme = models.OneToOneField(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, primary_key=True
    )
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self):
        return f"{self.programme_id}: {self.last_number}"


class Receipt(models.Model):
    """The receipt of a paid payment: numbered once, rendered once, reprinted from the stored file."""

    payment = models.OneToOneField(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="receipt"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="receipts"
    )
    number = models.PositiveIntegerField(_("number"))
    issued_at = models.DateTimeField(_("issued at"))
    file = models.CharField(_("file"), max_length=300, blank=True)  # path in the private default storage

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="receipt_unique_number")]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.programme.code.upper()}-{self.number:06d}"

    @property
    def filename(self) -> str:
        """The name the buyer's download and the email attachment carry."""
        return f"receipt-{self.display_number}.pdf"


class PaymentRead(models.Model):
    """A staff member has read a payment of the lists (PAY-10, mark read or unread)."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("read by"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [models.UniqueConstraint(fields=["payment", "user"], name="paymentread_unique")]

    def __str__(self):
        return f"{self.user_id} read {self.payment_id}"


class WebhookEvent(models.Model):
    """An incoming provider event, stored once (unique id) before it is processed.

    An event that comes before its payment can take it (a refund of money not yet counted) is
    kept unprocessed, `waiting_since` set, and applied as soon as an event moves its payment.
    """

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    type = models.CharField(_("type"), max_length=100)
    payload = models.JSONField(_("payload as received"))
    # The provider's reading of the payload (payments.providers.base.ProviderEvent.as_data).
    event = models.JSONField(_("event as read"), default=dict, blank=True)
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_events",
    )
    # Finds the event of a charge that names no payment once its payment knows the charge.
    provider_payment_id = models.CharField(_("provider's payment id"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)  # the provider's time
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhookevent_unique")]
        indexes = [
            models.Index(
                fields=["provider_payment_id"],
                condition=Q(processed_at__isnull=True) & ~Q(provider_payment_id=""),
                name="webhookevent_unprocessed_pi",
            )
        ]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class MyPayment(Payment):
    """The payments of the sales a staff member advises: the back-office's "my payments" list."""

    class Meta:
        proxy = True
        verbose_name = _("my payment")
        verbose_name_plural = _("my payments")
