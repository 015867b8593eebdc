"""Asking a buyer for money from the back-office (PAY-4, PAY-1): a payment request, the deposit.

Both start from a sale of the user's programmes (another programme's sale answers 404) and
need the right to ask for money; a refusal of the service is shown in its own words, and
nothing is sent.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments.admin.forms import PaymentRequestForm
from payments.admin.views import REQUEST_PERMISSION
from payments.errors import PaymentError
from payments.models import Payment
from payments.services.requests import deposit_request, payment_request_create
from portal.money import money_format
from sales.selectors import sales_visible_to


class PaymentRequestViews:
    def get_urls(self):
        return [
            path(
                "request/<int:sale_id>/",
                self.admin_site.admin_view(self.request_view),
                name="payments_payment_request",
            ),
            path(
                "deposit/<int:sale_id>/",
                self.admin_site.admin_view(require_POST(self.deposit_view)),
                name="payments_payment_deposit",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _sale_or_404(request, sale_id):
        sale = sales_visible_to(request.user).select_related("programme").filter(pk=sale_id).first()
        if sale is None:
            raise Http404
        if not request.user.has_perm(REQUEST_PERMISSION):
            raise PermissionDenied
        return sale

    @staticmethod
    def _to_sale(sale):
        return HttpResponseRedirect(reverse("admin:sales_sale_change", args=[sale.pk]))

    def request_view(self, request, sale_id):
        sale = self._sale_or_404(request, sale_id)
        buyer = request.GET.get("buyer", "")
        form = PaymentRequestForm(
            request.POST or None,
            sale=sale,
            initial={
                "reference": sale.contract_number or sale.reference,
                "channel": Payment.Channel.EMAIL,
                **({"buyer": buyer} if buyer.isdigit() else {}),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                payment = payment_request_create(actor=request.user, sale=sale, **form.cleaned_data)
            except PaymentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(amount)s was asked of %(buyer)s (%(reference)s).")
                    % {
                        "amount": money_format(payment.amount, payment.currency),
                        "buyer": payment.buyer,
                        "reference": payment.reference,
                    },
                )
                return self._to_sale(sale)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Request a payment"),
            "opts": self.opts,
            "sale": sale,
            "form": form,
            "submit": _("Send the request"),
            "intro": _("Sale %(sale)s, programme %(programme)s.")
            % {"sale": sale.reference, "programme": sale.programme},
        }
        return TemplateResponse(request, "admin/payments/payment/action_form.html", context)

    def deposit_view(self, request, sale_id):
        sale = self._sale_or_404(request, sale_id)
        channel = request.POST.get("channel", Payment.Channel.EMAIL)
        if channel not in Payment.Channel.values:
            channel = Payment.Channel.EMAIL
        try:
            payment = deposit_request(actor=request.user, sale=sale, channel=channel)
        except PaymentError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The deposit of %(amount)s was requested from %(buyer)s.")
                % {"amount": money_format(payment.amount, payment.currency), "buyer": payment.buyer},
            )
        return self._to_sale(sale)
