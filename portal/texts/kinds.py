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
    label: str
    channels: tuple[str, ...]
    placeholders: tuple[Placeholder, ...]

    def placeholder_names(self) -> list[str]:
        return [placeholder.name for placeholder in self.placeholders]

    def samples(self) -> dict[str, str]:
        return {placeholder.name: str(placeholder.sample) for placeholder in self.placeholders}


# Filled by the renderer from the company settings, so every kind may use it.
COMPANY_NAME = Placeholder("company_name", _("Name of the developer company"), "Horizon Promotion")

_USER_NAME = Placeholder("user_name", _("Full name of the user, or his email address"), "Anna Kowalska")
_BUYER_NAME = Placeholder("buyer_name", _("Full name of the buyer"), "Anna Kowalska")
_PROGRAMME_NAME = Placeholder("programme_name", _("Name of the programme"), "Les Jardins du Canal")
_EXAMPLE_LINK = "https://portal.example.com/l/3F9kQ2"


def _kind(label: str, channels: tuple[str, ...], *placeholders: Placeholder) -> TextKind:
    return TextKind(label=label, channels=channels, placeholders=(*placeholders, COMPANY_NAME))


KINDS: dict[str, TextKind] = {
    "email_confirmation": _kind(
        _("Email address confirmation"),
        (EMAIL,),
        _USER_NAME,
        Placeholder("link", _("Link that confirms the address"), _EXAMPLE_LINK),
    ),
    "password_reset": _kind(
        _("Password reset"),
        (EMAIL,),
        _USER_NAME,
        Placeholder("link", _("Link to choose a new password"), _EXAMPLE_LINK),
    ),
    "login_code": _kind(
        _("Login code"),
        (EMAIL,),
        _USER_NAME,
        Placeholder("code", _("One-time code to type on the login page"), "7KQ-4PZ"),
    ),
    "access_invitation": _kind(
        _("Invitation to the client space"),
        (EMAIL, SMS),
        _BUYER_NAME,
        Placeholder("link", _("Single-use link to set a password"), _EXAMPLE_LINK),
        _PROGRAMME_NAME,
        Placeholder("expires_on", _("Date after which the link no longer works"), "15/07/2025"),
    ),
    "payment_request": _kind(
        _("Payment request"),
        (EMAIL, SMS),
        _BUYER_NAME,
        Placeholder("amount", _("Amount requested, with its currency"), "2 500,00 €"),
        Placeholder("reference", _("Reference of the request (invoice or contract number)"), "RES-2025-0142"),
        Placeholder("link", _("Link to the payment page"), _EXAMPLE_LINK),
        Placeholder("due_date", _("Date by which to pay"), "30/06/2025"),
    ),
}


def kind_choices() -> list[tuple[str, str]]:
    """Choices for the kind field (a callable, so a new kind needs no migration)."""
    return [(name, kind.label) for name, kind in KINDS.items()]
