"""The kinds of editable email and SMS texts: what each is for, where it goes, what it may say.

A plain dict in code: adding a kind means adding an entry here and its default files under
`defaults/<language>/` for every language (a test checks they are all there).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

EMAIL = "email"
SMS = "sms"


@dataclass(frozen=True)
class Placeholder:
    """A `{name}` staff may write in a text, with what it stands for and a value for previews."""

    name: str
    description: str
    sample: str


@dataclass(frozen=True)
class TextKind:
    """`button` is the label of the email's button to its `{link}`: the page the email is about."""

    label: str
    channels: tuple[str, ...]
    placeholders: tuple[Placeholder, ...]
    button: str = ""

    def placeholder_names(self) -> list[str]:
        return [placeholder.name for placeholder in self.placeholders]

    def samples(self) -> dict[str, str]:
        return {placeholder.name: str(placeholder.sample) for placeholder in self.placeholders}


# Filled by the renderer from the company settings, so every kind may use it.
COMPANY_NAME = Placeholder("company_name", _("Name of the developer company"), "Horizon Promotion")
# Filled by the renderer in every kind with a button: where the button sits in the HTML body (it
# goes after the text when left out); the link itself in the plain text.
BUTTON = Placeholder(
    "button",
    _("The button to the link: where it goes in the HTML (after the text when left out)"),
    "",
)

_USER_NAME = Placeholder("user_name", _("Full name of the user, or his email address"), "Anna Kowalska")
_BUYER_NAME = Placeholder("buyer_name", _("Full name of the buyer"), "Anna Kowalska")
_PROGRAMME_NAME = Placeholder("programme_name", _("Name of the programme"), "Les Jardins du Canal")
_EXAMPLE_LINK = "https://portal.example.com/l/3F9kQ2"

# Payments (PAY-7): what the buyer is asked, told and sent, and what the sale's advisor hears.
_AMOUNT_REQUESTED = Placeholder("amount", _("Amount requested, with its currency"), "2 500,00 €")
_PAYMENT_REFERENCE = Placeholder(
    "reference", _("Reference of the request (invoice or contract number)"), "RES-2025-0142"
)
_PAYMENT_LINK = Placeholder("link", _("Link to the payment page"), _EXAMPLE_LINK)
_DUE_DATE = Placeholder("due_date", _("Date by which to pay"), "30/06/2025")
_AMOUNT_PAID = Placeholder("amount", _("Amount paid, with its currency"), "2 500,00 €")
_AMOUNT_REFUNDED = Placeholder("amount", _("Amount refunded, with its currency"), "500,00 €")
_SALE_REFERENCE = Placeholder("sale_reference", _("Reference of the sale file"), "LJC-00042")
_PAYMENTS_PAGE_LINK = Placeholder(
    "link", _("Link to the buyer's payments and receipts in the client space"), _EXAMPLE_LINK
)
_BACK_OFFICE_LINK = Placeholder(
    "link",
    _("Link to the payment in the back-office"),
    "https://portal.example.com/admin/payments/payment/42/",
)


def _kind(label: str, channels: tuple[str, ...], *placeholders: Placeholder, button: str = "") -> TextKind:
    extra = (BUTTON,) if button else ()
    return TextKind(
        label=label, channels=channels, placeholders=(*placeholders, COMPANY_NAME, *extra), button=button
    )


def _staff_payment_kind(label: str, amount: Placeholder) -> TextKind:
    """An email to the sale's advisor about one of its payments, in his language."""
    return _kind(
        label,
        (EMAIL,),
        _USER_NAME,
        _BUYER_NAME,
        amount,
        _PAYMENT_REFERENCE,
        _SALE_REFERENCE,
        _BACK_OFFICE_LINK,
        button=_("See the payment in the back-office"),
    )


KINDS: dict[str, TextKind] = {
    "email_confirmation": _kind(
        _("Email address confirmation"),
        (EMAIL,),
        _USER_NAME,
        Placeholder("link", _("Link that confirms the address"), _EXAMPLE_LINK),
        button=_("Confirm my email address"),
    ),
    "password_reset": _kind(
        _("Password reset"),
        (EMAIL,),
        _USER_NAME,
        Placeholder("link", _("Link to choose a new password"), _EXAMPLE_LINK),
        button=_("Choose a new password"),
    ),
    "login_code": _kind(
        _("Login code"),
        (EMAIL,),
        _USER_NAME,
        Placeholder("code", _("One-time code to type on the login page"), "7KQ-4PZ"),
        Placeholder("link", _("Link to the page where the code is typed"), _EXAMPLE_LINK),
        button=_("Enter my code"),
    ),
    "access_invitation": _kind(
        _("Invitation to the client space"),
        (EMAIL, SMS),
        _BUYER_NAME,
        Placeholder("link", _("Single-use link to set a password"), _EXAMPLE_LINK),
        _PROGRAMME_NAME,
        Placeholder("expires_on", _("Date after which the link no longer works"), "15/07/2025"),
        button=_("Set my password"),
    ),
    "payment_request": _kind(
        _("Payment request"),
        (EMAIL, SMS),
        _BUYER_NAME,
        _AMOUNT_REQUESTED,
        _PAYMENT_REFERENCE,
        _PAYMENT_LINK,
        _DUE_DATE,
        button=_("Pay online"),
    ),
    "payment_reminder": _kind(
        _("Payment reminder"),
        (EMAIL, SMS),
        _BUYER_NAME,
        _AMOUNT_REQUESTED,
        _PAYMENT_REFERENCE,
        _PAYMENT_LINK,
        _DUE_DATE,
        button=_("Pay online"),
    ),
    "payment_confirmation": _kind(
        _("Payment confirmation, with the receipt"),
        (EMAIL,),
        _BUYER_NAME,
        _AMOUNT_PAID,
        _PAYMENT_REFERENCE,
        Placeholder("receipt_number", _("Number of the receipt attached to the email"), "REC-2025-0087"),
        Placeholder("paid_on", _("Date of the payment"), "28/06/2025"),
        _PAYMENTS_PAGE_LINK,
        button=_("See my payments and receipts"),
    ),
    "payment_failed": _kind(
        _("Failed payment"),
        (EMAIL,),
        _BUYER_NAME,
        _AMOUNT_REQUESTED,
        _PAYMENT_REFERENCE,
        Placeholder("link", _("Link to the payment page, to try again"), _EXAMPLE_LINK),
        button=_("Try again"),
    ),
    "payment_refunded": _kind(
        _("Refund"),
        (EMAIL,),
        _BUYER_NAME,
        _AMOUNT_REFUNDED,
        _PAYMENT_REFERENCE,
        _PAYMENTS_PAGE_LINK,
        button=_("See my payments"),
    ),
    "staff_payment_received": _staff_payment_kind(_("Staff alert: payment received"), _AMOUNT_PAID),
    "staff_payment_failed": _staff_payment_kind(_("Staff alert: payment failed"), _AMOUNT_REQUESTED),
    "staff_payment_expired": _staff_payment_kind(
        _("Staff alert: payment request expired"), _AMOUNT_REQUESTED
    ),
    "staff_payment_refunded": _staff_payment_kind(_("Staff alert: payment refunded"), _AMOUNT_REFUNDED),
}


def kind_choices() -> list[tuple[str, str]]:
    """Choices for the kind field (a callable, so a new kind needs no migration)."""
    return [(name, kind.label) for name, kind in KINDS.items()]
