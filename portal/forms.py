import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.branding.selectors import offered_languages
from portal.users.models import User


def phone_normalise(value: str, *, region: str = "FR") -> str:
    """A valid phone number in E.164 form (+33612345678), or a ValidationError in words."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(
            _(
                "“%(value)s” is not a valid phone number. Write it with its country code, e.g. +33 6 12 34 56 78."
            ),
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class AccountPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(label=_("Language"), choices=offered_languages())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return phone_normalise(phone) if phone else ""
