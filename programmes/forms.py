from django import forms
from schwifty import IBAN

from programmes.models import Programme
from programmes.validators import validate_bic, validate_iban


class ProgrammeAdminForm(forms.ModelForm):
    """The programme's back-office form: the IBAN and BIC are checked on their own fields.

    The model's validators run here, at the field, so a bad IBAN is refused next to it with the
    reason, and never reaches `Programme.clean()`, which expects a valid one.
    """

    class Meta:
        model = Programme
        fields = [
            "name",
            "code",
            "status",
            "description",
            "address",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "legal_entity",
            "currency",
            "time_zone",
            "escrow_iban",
            "escrow_bic",
            "delivery_date",
            "self_reservation_enabled",
            "reservation_hold_days",
            "staff",
        ]

    def clean_escrow_iban(self) -> str:
        value = self.cleaned_data["escrow_iban"].strip()
        if not value:
            return ""
        validate_iban(value)
        return IBAN(value).compact

    def clean_escrow_bic(self) -> str:
        value = self.cleaned_data["escrow_bic"].replace(" ", "").upper()
        if value:
            validate_bic(value)
        return value
