import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from programmes.validators import validate_bic, validate_iban, validate_time_zone


class Programme(models.Model):
    """A development: one building site sold off-plan, in one currency and time zone."""

    class Status(models.TextChoices):
        PREPARATION = "preparation", _("In preparation")
        ON_SALE = "on_sale", _("On sale")
        CONSTRUCTION = "construction", _("Under construction")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")

    class Currency(models.TextChoices):
        EUR = "EUR", _("Euro (€)")
        PLN = "PLN", _("Polish złoty (zł)")

    class Country(models.TextChoices):
        FR = "FR", _("France")
        PL = "PL", _("Poland")

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"), max_length=20, unique=True, help_text=_("Short code used in sale references, e.g. LUM.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREPARATION)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300)
    postcode = models.CharField(_("postcode"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.FR)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    legal_entity = models.CharField(
        _("legal entity"), max_length=200, help_text=_("The company that sells, e.g. SCCV Les Lumières.")
    )
    escrow_iban = models.CharField(_("escrow IBAN"), max_length=42, blank=True, validators=[validate_iban])
    escrow_bic = models.CharField(_("escrow BIC"), max_length=11, blank=True, validators=[validate_bic])
    delivery_date = models.DateField(_("planned delivery date"), null=True, blank=True)
    self_reservation_enabled = models.BooleanField(
        _("buyers may request reservations"),
        default=False,
        help_text=_("Buyers of this programme may ask from their client space to hold an available lot."),
    )
    reservation_hold_days = models.PositiveSmallIntegerField(
        _("hold length (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How long a lot requested by a buyer stays held for him."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned staff"),
        related_name="assigned_programmes",
        blank=True,
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.escrow_iban:
            # A bad IBAN is left as typed: the field's validator has already said what is wrong.
            with contextlib.suppress(SchwiftyException):
                self.escrow_iban = IBAN(self.escrow_iban).compact
        if self.escrow_bic:
            self.escrow_bic = self.escrow_bic.replace(" ", "").upper()
        if bool(self.escrow_iban) != bool(self.escrow_bic):
            raise ValidationError(_("Give both the escrow IBAN and its BIC, or neither."))

    @property
    def escrow_iban_display(self) -> str:
        return IBAN(self.escrow_iban).formatted if self.escrow_iban else ""


class Building(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="buildings"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["programme", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="building_unique_name")]

    def __str__(self):
        return f"{self.programme} – {self.name}"


class Lot(models.Model):
    class Type(models.TextChoices):
        APARTMENT = "apartment", _("Apartment")
        HOUSE = "house", _("House")
        PARKING = "parking", _("Parking space")
        CELLAR = "cellar", _("Cellar")
        COMMERCIAL = "commercial", _("Commercial unit")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        OPTIONED = "optioned", _("Optioned")
        RESERVED = "reserved", _("Reserved")
        SOLD = "sold", _("Sold")
        DELIVERED = "delivered", _("Delivered")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="lots"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="lots",
        null=True,
        blank=True,
    )
    number = models.CharField(_("number"), max_length=20)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.APARTMENT)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    surface = models.DecimalField(
        _("surface (m²)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    rooms = models.PositiveSmallIntegerField(_("rooms"), null=True, blank=True)
    price = models.DecimalField(
        _("price incl. tax"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="lot_unique_number")]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self):
        return f"{self.programme.code.upper()} {self.number}" if self.programme_id else self.number

    def clean(self):
        if self.building_id and self.programme_id and self.building.programme_id != self.programme_id:
            raise ValidationError({"building": _("This building belongs to another programme.")})


class Milestone(models.Model):
    """A step of the programme's calendar, shown to buyers as a timeline."""

    class Kind(models.TextChoices):
        LAUNCH = "launch", _("Sales launch")
        WORKS_START = "works_start", _("Works start")
        FOUNDATIONS = "foundations", _("Foundations completed")
        WEATHER_TIGHT = "weather_tight", _("Weather-tight")
        COMPLETION = "completion", _("Completion of works")
        DELIVERY = "delivery", _("Delivery")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("milestone"), max_length=20, choices=Kind.choices)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    note = models.CharField(_("note for buyers"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("calendar")
        ordering = ["programme", "planned_date"]
        constraints = [models.UniqueConstraint(fields=["programme", "kind"], name="milestone_unique_kind")]

    def __str__(self):
        return self.get_kind_display()

    @property
    def reached(self) -> bool:
        return self.actual_date is not None
