"""Forms of the sales back-office: they parse and check what staff type, the services decide."""

from datetime import timedelta

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import phone_normalise
from portal.money import money_format
from portal.timezones import local_day_start, local_today
from portal.users.models import User
from portal.users.roles import Role
from programmes.models import Programme
from programmes.selectors import advisors_available_to, lots_available_to, programmes_visible_to
from sales.invitations import buyer_email_refusal
from sales.models import Buyer, Sale, SaleAssignment, Stage
from sales.selectors import buyers_scope
from sales.services import BUYER_EDITABLE_FIELDS, SALE_EDITABLE_FIELDS


class BuyerAdminForm(forms.ModelForm):
    class Meta:
        model = Buyer
        fields = list(BUYER_EDITABLE_FIELDS)

    def clean_email(self) -> str:
        # Stored in lower case: check uniqueness on the value that will be stored.
        email = self.cleaned_data["email"].strip().lower()
        refusal = email != self.instance.email and buyer_email_refusal(buyer=self.instance, email=email)
        if refusal:
            raise ValidationError(refusal)
        return email

    def clean(self):
        cleaned = super().clean()
        phone = (cleaned.get("phone") or "").strip()
        if phone:
            try:
                cleaned["phone"] = phone_normalise(phone, region=(cleaned.get("country") or "FR").upper())
            except ValidationError as error:
                self.add_error("phone", error)
        return cleaned


class LotChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, lot):
        details = [lot.get_type_display()]
        if lot.building:
            details.append(lot.building.name)
        details.append(money_format(lot.price, lot.programme.currency))
        return f"{lot.programme.name} · {lot.number} ({', '.join(details)})"


class SaleAddForm(forms.Form):
    """A new sales file, or a hold of lots for a buyer until a date (stage option, SAL-4)."""

    lots = LotChoiceField(
        label=_("Lots"),
        queryset=None,
        help_text=_("Available lots of one programme."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    main_buyer = forms.ModelChoiceField(label=_("Main buyer"), queryset=None)
    co_buyers = forms.ModelMultipleChoiceField(label=_("Co-buyers"), queryset=None, required=False)
    price = forms.DecimalField(
        label=_("Price incl. tax"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty for the sum of the lots' prices."),
    )
    hold_until = forms.DateField(
        label=_("Hold the lots until"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Included. Without a date, the option holds until staff move or cancel it."),
    )
    advisor = forms.ModelChoiceField(label=_("Advisor"), queryset=None, required=False)
    contract_type = forms.ChoiceField(
        label=_("Contract type"), choices=Sale.ContractType.choices, initial=Sale.ContractType.VEFA
    )
    contract_number = forms.CharField(label=_("Contract number"), max_length=50, required=False)
    partner_agency = forms.CharField(label=_("Partner agency"), max_length=200, required=False)

    def __init__(self, *args, user, admin_site, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = lots_available_to(user, programme=programme)
        buyers = buyers_scope(Buyer.objects.all(), user)
        buyers_field = Sale._meta.get_field("buyers")
        # The widget first: setting the queryset hands the widget its choices.
        self.fields["main_buyer"].widget = AutocompleteSelect(buyers_field, admin_site)
        self.fields["main_buyer"].queryset = buyers
        self.fields["co_buyers"].widget = AutocompleteSelectMultiple(buyers_field, admin_site)
        self.fields["co_buyers"].queryset = buyers
        self.fields["advisor"].queryset = advisors_available_to(user)
        self.fields["advisor"].initial = user.pk if user.is_staff else None

    def clean(self):
        cleaned = super().clean()
        lots = list(cleaned.get("lots") or [])
        if len({lot.programme_id for lot in lots}) > 1:
            self.add_error("lots", _("Choose the lots of one programme only."))
        main = cleaned.get("main_buyer")
        if main is not None:
            cleaned["co_buyers"] = [buyer for buyer in cleaned.get("co_buyers") or [] if buyer.pk != main.pk]
        hold = cleaned.get("hold_until")
        if hold and lots and hold < local_today(lots[0].programme.time_zone):
            self.add_error("hold_until", _("The hold cannot end in the past."))
        return cleaned

    def service_arguments(self) -> dict:
        """The keyword arguments of `sale_create` for what was typed."""
        data = self.cleaned_data
        lots = list(data["lots"])
        programme = lots[0].programme
        hold_until = None
        if data["hold_until"]:
            # Held through the whole day chosen, in the programme's time zone.
            hold_until = local_day_start(data["hold_until"] + timedelta(days=1), programme.time_zone)
        return {
            "programme": programme,
            "lots": lots,
            "buyers": [data["main_buyer"], *data["co_buyers"]],
            "price": data["price"],
            "advisor": data["advisor"],
            "stage": Stage.OPTION,
            "hold_until": hold_until,
            "contract_type": data["contract_type"],
            "contract_number": data["contract_number"],
            "partner_agency": data["partner_agency"],
        }


class SaleChangeForm(forms.ModelForm):
    """The plain fields of a sale. Never its stage: stages move through their own buttons."""

    class Meta:
        model = Sale
        fields = list(SALE_EDITABLE_FIELDS)


class StageMoveForm(forms.Form):
    target = forms.ChoiceField(choices=Stage.choices)
    on_date = forms.DateField(required=False)

    def clean_on_date(self):
        on_date = self.cleaned_data["on_date"]
        if on_date and on_date > timezone.localdate() + timedelta(days=1):
            raise ValidationError(_("A stage cannot be dated in the future."))
        return on_date


class ReactivateForm(forms.Form):
    hold_until = forms.DateField(required=False)


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    query = forms.CharField(max_length=1000, required=False)

    # The page number and the admin's own markers are not part of a view.
    IGNORED = ("p", "e", "_changelist_filters", "_to_field", "_popup")

    def clean_query(self) -> str:
        query = QueryDict(self.cleaned_data["query"], mutable=True)
        for name in self.IGNORED:
            query.pop(name, None)
        return query.urlencode()


def partner_accounts() -> QuerySet[User]:
    """The notary and partner-agency accounts, whom sales may be assigned to."""
    roles = [Role.NOTARY.value, Role.PARTNER.value]
    return (
        User.objects.filter(groups__name__in=roles, is_staff=False).distinct().order_by("last_name", "email")
    )


class PartnerAccountForm(forms.Form):
    """A notary's or partner agency's account (ACC-6), optionally with another account's sales."""

    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=SaleAssignment.Role.choices)
    inherit_from = forms.ModelChoiceField(
        label=_("Give him the sales of"),
        queryset=None,
        required=False,
        help_text=_("The new account is assigned to every sale this account is assigned to."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = partner_accounts()
        # Inheriting copies every assignment of the account: a staff member may only copy an
        # account whose sales all lie in his own programmes.
        others = Programme.objects.exclude(pk__in=programmes_visible_to(user).values("pk"))
        self.fields["inherit_from"].queryset = accounts.exclude(sale_assignments__sale__programme__in=others)
