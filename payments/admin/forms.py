"""The forms of the payments back-office: they parse what staff type; the services decide."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.deposits import deposit_check
from payments.errors import PaymentError
from payments.models import DepositOverride, Method, Payment
from sales.models import Buyer, Sale

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class PaymentRequestForm(forms.Form):
    """PAY-4: any amount asked of one of the sale's buyers, with a reference."""

    buyer = forms.ModelChoiceField(label=_("Buyer"), queryset=Buyer.objects.none(), empty_label=None)
    amount = _amount_field(_("Amount"))
    reference = forms.CharField(
        label=_("Reference"), max_length=60, help_text=_("Invoice or contract number the buyer will see.")
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=_DATE)
    channel = forms.ChoiceField(label=_("Send by"), choices=Payment.Channel.choices)

    def __init__(self, *args, sale: Sale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = Buyer.objects.filter(sale_buyers__sale=sale).order_by(
            "-sale_buyers__is_main", "last_name", "first_name"
        )

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on is not None and due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_on


class TransferForm(forms.Form):
    """A bank transfer or a cheque that arrived for a request (the manual provider)."""

    amount = _amount_field(_("Amount received"))
    received_on = forms.DateField(label=_("Received on"), widget=_DATE)
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[(Method.TRANSFER.value, Method.TRANSFER.label), (Method.CHEQUE.value, Method.CHEQUE.label)],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("Money cannot have arrived after today."))
        return received_on


class RefundForm(forms.Form):
    """A refund is money going back for good: the reason is required and kept in the audit trail."""

    amount = _amount_field(_("Amount to refund"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept in the audit trail with your name."),
        error_messages={"required": _("Say why: the reason is kept in the audit trail.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why: the reason is kept in the audit trail."))
        return reason


class DepositOverrideForm(forms.ModelForm):
    """A sale's own deposit, refused above the legal cap with the rule named (PAY-1)."""

    class Meta:
        model = DepositOverride
        fields = ["sale", "amount", "reason"]

    def clean(self):
        cleaned = super().clean()
        sale = cleaned.get("sale") or (self.instance.sale if self.instance.sale_id else None)
        amount = cleaned.get("amount")
        if sale is not None and amount is not None:
            try:
                deposit_check(sale, amount)
            except PaymentError as error:
                self.add_error("amount", str(error))
        return cleaned
