from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Lot, Programme


class Buyer(models.Model):
    """A person who buys (alone or with others). His login account is created by "send access"."""

    class Civility(models.TextChoices):
        MR = "mr", _("Mr")
        MRS = "mrs", _("Mrs")
        NONE = "", _("—")

    civility = models.CharField(_("civility"), max_length=5, choices=Civility.choices, blank=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email address"), unique=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, help_text=_("With its country code."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="FR")
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buyer",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class Stage(models.TextChoices):
    OPTION = "option", _("Option")
    RESERVATION_SIGNED = "reservation_signed", _("Reservation signed")
    WITHDRAWAL_PERIOD = "withdrawal_period", _("Withdrawal period")
    DEPOSIT_PAID = "deposit_paid", _("Deposit paid")
    FINANCING = "financing", _("Financing")
    DEED_SIGNED = "deed_signed", _("Deed signed")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The stages where a sale holds its lots; a cancelled or withdrawn sale frees them.
LIVE_STAGES = [stage for stage in Stage if stage not in {Stage.CANCELLED, Stage.WITHDRAWN}]


class Sale(models.Model):
    """A sales file: one or more lots sold to one or more buyers."""

    class ContractType(models.TextChoices):
        VEFA = "vefa", _("Off-plan sale (VEFA)")
        RESERVATION = "reservation", _("Reservation contract")
        DEVELOPER = "developer", _("Developer agreement (umowa deweloperska)")
        OTHER = "other", _("Other")

    class CancelReason(models.TextChoices):
        NONE = "", _("—")
        STAFF = "staff", _("Cancelled by staff")
        HOLD_EXPIRED = "hold_expired", _("Hold expired")
        REQUEST_REFUSED = "request_refused", _("Reservation request refused")
        REQUEST_WITHDRAWN = "request_withdrawn", _("Reservation request withdrawn by the buyer")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="sales"
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    lots = models.ManyToManyField(Lot, verbose_name=_("lots"), through="SaleLot", related_name="sales")
    buyers = models.ManyToManyField(
        Buyer, verbose_name=_("buyers"), through="SaleBuyer", related_name="sales"
    )
    price = models.DecimalField(
        _("price incl. tax"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices, default=Stage.OPTION)
    stage_changed_at = models.DateTimeField(_("stage changed at"), null=True, blank=True)
    contract_type = models.CharField(
        _("contract type"), max_length=20, choices=ContractType.choices, default=ContractType.VEFA
    )
    contract_number = models.CharField(_("contract number"), max_length=50, blank=True)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("advisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advised_sales",
        limit_choices_to={"is_staff": True},
    )
    partner_agency = models.CharField(_("partner agency"), max_length=200, blank=True)
    external_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("notaries and partners"),
        through="SaleAssignment",
        related_name="assigned_sales",
    )
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    requested_by_buyer = models.BooleanField(_("requested by the buyer"), default=False)
    request_confirmed_at = models.DateTimeField(_("request confirmed at"), null=True, blank=True)
    reservation_signed_on = models.DateField(_("reservation signed on"), null=True, blank=True)
    withdrawal_ends_on = models.DateField(_("withdrawal period ends on"), null=True, blank=True)
    deed_planned_on = models.DateField(_("deed planned on"), null=True, blank=True)
    deed_signed_on = models.DateField(_("deed signed on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("reason"), max_length=20, choices=CancelReason.choices, blank=True, default=CancelReason.NONE
    )
    reactivated_from = models.OneToOneField(
        "self",
        verbose_name=_("reactivated from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reactivated_as",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Not fields: what sales.selectors.sales_list_page sets on the rows of the back-office list.
    main_buyer_name: str | None
    lot_numbers: list[str]

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-pk"]  # newest first, through the primary key index
        indexes = [
            models.Index(fields=["programme", "stage"]),
            models.Index(fields=["stage", "hold_until"]),
            models.Index(fields=["advisor", "stage"]),
        ]

    def __str__(self):
        return self.reference or str(_("new sale"))

    @property
    def is_live(self) -> bool:
        return self.stage in LIVE_STAGES


class SaleBuyer(models.Model):
    sale = models.ForeignKey(
        Sale, verbose_name=_("sale"), on_delete=models.CASCADE, related_name="sale_buyers"
    )
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="sale_buyers"
    )
    is_main = models.BooleanField(_("main buyer"), default=False)

    class Meta:
        verbose_name = _("buyer of the sale")
        verbose_name_plural = _("buyers of the sale")
        ordering = ["-is_main", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "buyer"], name="salebuyer_unique"),
            models.UniqueConstraint(fields=["sale"], condition=Q(is_main=True), name="salebuyer_one_main"),
        ]

    def __str__(self):
        return str(self.buyer)


class SaleLot(models.Model):
    """A lot of a sale. `live` is cleared when the sale ends, freeing the lot for another sale."""

    sale = models.ForeignKey(Sale, verbose_name=_("sale"), on_delete=models.CASCADE, related_name="sale_lots")
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="sale_lots")
    live = models.BooleanField(_("still held by the sale"), default=True, editable=False)

    class Meta:
        verbose_name = _("lot of the sale")
        verbose_name_plural = _("lots of the sale")
        constraints = [
            models.UniqueConstraint(fields=["sale", "lot"], name="salelot_unique"),
            # The database itself refuses a second live sale of one lot, whoever saves it.
            models.UniqueConstraint(fields=["lot"], condition=Q(live=True), name="salelot_one_live_sale"),
        ]

    def __str__(self):
        return str(self.lot)


class SaleAssignment(models.Model):
    """A notary or partner-agency account given access to one sale."""

    class Role(models.TextChoices):
        NOTARY = "notary", _("Notary")
        PARTNER = "partner", _("Partner agency")

    sale = models.ForeignKey(
        Sale, verbose_name=_("sale"), on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="sale_assignments",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notary or partner")
        verbose_name_plural = _("notaries and partners")
        constraints = [models.UniqueConstraint(fields=["sale", "user"], name="saleassignment_unique")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Links that still work: neither used nor revoked, and not yet expired."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring link by which a buyer sets his password ("send access")."""

    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(_("token fingerprint"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.buyer} · {self.created_at:%Y-%m-%d}"


class SavedView(models.Model):
    """A named filter of the admin sales list, kept by one staff member."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_sale_views",
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedview_unique_name")]

    def __str__(self):
        return self.name
