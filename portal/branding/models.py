import functools
import zlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models, transaction
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from portal.branding.contrast import HEX_COLOUR_RE, MIN_CONTRAST, contrast_ratio, format_ratio

ROWS_PER_PAGE_MIN = 10
ROWS_PER_PAGE_MAX = 350

_rows_message = _("Rows per page must be between 10 and 350.")
# What every browser shows; the admin's image field also checks that Pillow can read the file.
validate_web_image = FileExtensionValidator(["png", "jpg", "jpeg", "gif", "webp"])
validate_hex_colour = RegexValidator(
    HEX_COLOUR_RE, _("Enter a colour as #rrggbb, for example #1f4e79."), code="invalid_colour"
)


@deconstructible
class MaxFileSizeValidator:
    """Refuses a file larger than `limit_mb` megabytes."""

    def __init__(self, limit_mb: int):
        self.limit_mb = limit_mb

    def __call__(self, file) -> None:
        if file.size > self.limit_mb * 1024 * 1024:
            raise ValidationError(
                _("The file is too large: at most %(limit)s MB."),
                code="file_too_large",
                params={"limit": self.limit_mb},
            )

    def __eq__(self, other):
        return isinstance(other, MaxFileSizeValidator) and other.limit_mb == self.limit_mb


def all_language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class CompanySettings(models.Model):
    """The one row of settings of the developer company that runs this installation (pk=1).

    Read it with `portal.branding.selectors.company_settings_get()`, which serves it from the
    cache; saving the row drops the cached copy.
    """

    SINGLETON_PK = 1

    name = models.CharField(_("company name"), max_length=200, default="Buyer portal")
    logo = models.ImageField(
        _("logo"),
        upload_to="branding/",
        blank=True,
        validators=[validate_web_image, MaxFileSizeValidator(2)],
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB. Shown on every page, including the login page."),
    )
    legal_details = models.TextField(
        _("legal details"),
        blank=True,
        help_text=_(
            "Legal form, registration number, VAT number and registered address, as they must appear "
            "in page footers and on documents."
        ),
    )
    email_sender_name = models.CharField(
        _("email sender name"),
        max_length=100,
        blank=True,
        help_text=_(
            "The name emails come from, before the portal's sending address. Leave empty to use the "
            "company name."
        ),
    )

    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f4e79", validators=[validate_hex_colour]
    )
    on_primary_colour = models.CharField(
        _("text colour on primary"),
        max_length=7,
        default="#ffffff",
        validators=[validate_hex_colour],
        help_text=_("Text of buttons and bars painted in the primary colour."),
    )
    page_background_colour = models.CharField(
        _("page background colour"), max_length=7, default="#ffffff", validators=[validate_hex_colour]
    )
    page_text_colour = models.CharField(
        _("page text colour"), max_length=7, default="#1a1a1a", validators=[validate_hex_colour]
    )

    login_background = models.ImageField(
        _("login page background image"),
        upload_to="branding/",
        blank=True,
        validators=[validate_web_image, MaxFileSizeValidator(5)],
        help_text=_("PNG, JPEG, GIF or WebP, at most 5 MB."),
    )
    signup_enabled = models.BooleanField(
        _("self sign-up link"), default=False, help_text=_("Lets visitors create their own account.")
    )
    password_reset_link_enabled = models.BooleanField(_("forgotten password link"), default=True)

    rows_per_page = models.PositiveSmallIntegerField(
        _("rows per page"),
        default=25,
        validators=[
            MinValueValidator(ROWS_PER_PAGE_MIN, _rows_message),
            MaxValueValidator(ROWS_PER_PAGE_MAX, _rows_message),
        ],
    )
    languages = models.JSONField(
        _("languages offered"),
        default=all_language_codes,
        blank=True,  # clean() says "at least one language" in its own words
        help_text=_("Languages users may choose for the pages and their emails."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="branding_company_settings_singleton"),
            models.CheckConstraint(
                condition=models.Q(
                    rows_per_page__gte=ROWS_PER_PAGE_MIN, rows_per_page__lte=ROWS_PER_PAGE_MAX
                ),
                name="branding_rows_per_page_range",
                violation_error_message=_rows_message,
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)
        _forget_cached()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _forget_cached()
        return result

    def clean(self):
        errors = {}
        for field in ("primary_colour", "on_primary_colour", "page_background_colour", "page_text_colour"):
            setattr(self, field, (getattr(self, field) or "").lower())
        for text_field, background_field in (
            ("on_primary_colour", "primary_colour"),
            ("page_text_colour", "page_background_colour"),
        ):
            text, background = getattr(self, text_field), getattr(self, background_field)
            if not (HEX_COLOUR_RE.match(text) and HEX_COLOUR_RE.match(background)):
                continue  # the field validators already report the malformed colour
            ratio = contrast_ratio(text, background)
            if ratio < MIN_CONTRAST:
                errors[text_field] = ValidationError(
                    _("Contrast between text and background is %(ratio)s; it must be at least %(min)s:1."),
                    code="low_contrast",
                    params={"ratio": format_ratio(ratio), "min": MIN_CONTRAST},
                )

        known = set(all_language_codes())
        if not isinstance(self.languages, list) or not self.languages:
            errors["languages"] = ValidationError(_("Offer at least one language."), code="no_language")
        elif unknown := [code for code in self.languages if code not in known]:
            errors["languages"] = ValidationError(
                _("Unknown language: %(codes)s."),
                code="unknown_language",
                params={"codes": ", ".join(map(str, unknown))},
            )
        if errors:
            raise ValidationError(errors)

    @property
    def version(self) -> int:
        """Changes whenever the row is saved; cache-busting query strings use it."""
        return int(self.updated_at.timestamp() * 1000) if self.updated_at else 0

    @property
    def sender_name(self) -> str:
        """The name emails come from: the one set for emails, else the company name."""
        return self.email_sender_name.strip() or self.name

    @property
    def logo_url(self) -> str:
        """Where pages load the logo from (files in storage are private), or "" without a logo."""
        return f"{reverse('branding_logo')}?v={self.version}" if self.logo else ""

    @property
    def login_background_url(self) -> str:
        return f"{reverse('branding_background')}?v={self.version}" if self.login_background else ""


@functools.cache
def company_settings_cache_key() -> str:
    # The cache holds a pickled instance: after a deploy that adds a field, the new code must not
    # read an instance pickled by the old one, so the key carries the list of fields.
    fields = ",".join(field.attname for field in CompanySettings._meta.concrete_fields)
    return f"branding:company-settings:{zlib.crc32(fields.encode()):08x}"


def _forget_cached() -> None:
    cache.delete(company_settings_cache_key())
    # A request running while the transaction is still open could cache the old row again;
    # dropping the key once more after commit closes that window.
    transaction.on_commit(lambda: cache.delete(company_settings_cache_key()))
