"""The custom pages of the payment lists: each parses the request, calls one service, shows the result.

Both lists ("all payments" and "my payments") have them, under their own URLs, so a payment
outside the list the user works in answers 404 there, like everywhere in the back-office.
"""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments.admin.exports import payment_export_response
from payments.admin.forms import RefundForm, TransferForm
from payments.errors import PaymentError
from payments.models import OPEN_STATUSES, Receipt
from payments.services.lists import payment_reconcile, payments_mark_read
from payments.services.money import payment_record_transfer
from payments.services.refunds import refund_request
from payments.services.requests import payment_cancel, payment_link_renew
from payments.views import receipt_file_response
from portal.audit.services import audit_record
from portal.money import money_format
from sales.admin.confirm import confirmation_page, confirmation_reason

REQUEST_PERMISSION = "payments.add_payment"
RECORD_PERMISSION = "payments.change_payment"
RECONCILE_PERMISSION = "payments.reconcile_payment"
REFUND_PERMISSION = "payments.refund_payment"
EXPORT_FORMATS = {"csv", "xlsx"}
# The operations that undo something for good: confirmed on a page that asks for a reason.
CONFIRMED_OPERATIONS = {"cancel"}


def _reconcile(*, actor, payment):
    return payment_reconcile(actor=actor, payment=payment)


def _unreconcile(*, actor, payment):
    return payment_reconcile(actor=actor, payment=payment, undo=True)


def _mark_read(*, actor, payment):
    payments_mark_read(user=actor, payment_ids=[payment.pk], read=True)


def _mark_unread(*, actor, payment):
    payments_mark_read(user=actor, payment_ids=[payment.pk], read=False)


# The buttons of a payment's page that need no form: the service, the permission the page
# checks first (None: the service itself refuses, with a sentence), and what is said once done.
OPERATIONS = {
    "cancel": (payment_cancel, REQUEST_PERMISSION, lambda: _("The request was cancelled.")),
    "renew": (payment_link_renew, REQUEST_PERMISSION, lambda: _("A fresh link was sent to the buyer.")),
    "reconcile": (_reconcile, None, lambda: _("The payment was marked as reconciled.")),
    "unreconcile": (_unreconcile, None, lambda: _("The reconciliation was undone.")),
    # Opening a payment's page changes nothing (no GET writes): its reader marks it read here.
    "read": (_mark_read, None, lambda: _("The payment is marked as read.")),
    "unread": (_mark_unread, None, lambda: _("The payment is marked as unread.")),
}


class PaymentAdminViews:
    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"

        def wrap(view, *, post_only=False):
            # The pages that change something without a form answer only POST.
            return self.admin_site.admin_view(require_POST(view) if post_only else view)

        return [
            path("export/<str:file_format>/", wrap(self.export_view), name=f"{info}_export"),
            # Cancelling is confirmed first, with a reason: a GET or a first click shows what
            # will happen; the other operations answer only POST.
            path("<path:object_id>/do/<str:operation>/", wrap(self.operation_view), name=f"{info}_operation"),
            path("<path:object_id>/transfer/", wrap(self.transfer_view), name=f"{info}_transfer"),
            path("<path:object_id>/refund/", wrap(self.refund_view), name=f"{info}_refund"),
            path("<path:object_id>/receipt/", wrap(self.receipt_view), name=f"{info}_receipt"),
            *super().get_urls(),
        ]

    def payment_or_404(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        payment = self.get_object(request, unquote(object_id))
        if payment is None:
            raise Http404
        return payment

    def _to_payment(self, payment):
        return HttpResponseRedirect(self._change_url(payment))

    # Buttons without a form: cancel, send a fresh link, reconcile or undo -------------------------

    def operation_view(self, request, object_id, operation):
        if operation not in OPERATIONS:
            raise Http404
        if request.method != "POST" and operation not in CONFIRMED_OPERATIONS:
            return HttpResponseNotAllowed(["POST"])
        service, permission, done = OPERATIONS[operation]
        payment = self.payment_or_404(request, object_id)
        if permission is not None and not request.user.has_perm(permission):
            raise PermissionDenied
        extra = {}
        if operation in CONFIRMED_OPERATIONS and payment.status not in OPEN_STATUSES:
            # Nothing left to cancel: said on the payment's page, with no confirmation to fill in.
            messages.error(
                request,
                _("Only a request that is still to pay can be cancelled; this one is “%(status)s”.")
                % {"status": payment.get_status_display()},
            )
            return self._to_payment(payment)
        if operation in CONFIRMED_OPERATIONS:
            reason_form = confirmation_reason(request)
            if not reason_form.is_valid():
                return self._cancel_confirmation(request, payment, reason_form)
            extra["reason"] = reason_form.cleaned_data["reason"]
        try:
            service(actor=request.user, payment=payment, **extra)
        except PaymentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done())
        return self._to_payment(payment)

    def _cancel_confirmation(self, request, payment, reason_form):
        consequences = [
            _("The request %(reference)s of %(amount)s asked of %(buyer)s is cancelled.")
            % {
                "reference": payment.reference,
                "amount": money_format(payment.amount, payment.currency),
                "buyer": payment.buyer,
            },
            _("The payment link the buyer received stops working; nothing more can be paid on it."),
        ]
        if payment.amount_paid:
            consequences.append(
                _("%(paid)s already paid stays recorded; refund it separately if it must go back.")
                % {"paid": money_format(payment.amount_paid, payment.currency)}
            )
        return confirmation_page(
            request,
            self,
            form=reason_form,
            title=_("Cancel the request %(reference)s?") % {"reference": payment.reference},
            consequences=consequences,
            submit=_("Yes, cancel the request"),
            back_url=self._change_url(payment),
            back_label=payment.reference,
        )

    def _change_url(self, payment) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[payment.pk])

    # Forms: record a transfer or cheque, refund ------------------------------------------------

    def _form_page(
        self,
        request,
        payment,
        form,
        *,
        title: str,
        submit: str,
        intro: str = "",
        consequences: list[str] | None = None,
        danger: bool = False,
    ):
        context = {
            "consequences": consequences or [],
            "danger": danger,
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "payment": payment,
            "form": form,
            "submit": submit,
            "intro": intro,
            "change_url": self._change_url(payment),
        }
        return TemplateResponse(request, "admin/payments/payment/action_form.html", context)

    def transfer_view(self, request, object_id):
        payment = self.payment_or_404(request, object_id)
        if not request.user.has_perm(RECORD_PERMISSION):
            raise PermissionDenied
        outstanding = payment.amount - payment.amount_paid
        form = TransferForm(
            request.POST or None, initial={"amount": outstanding, "received_on": timezone.localdate()}
        )
        if request.method == "POST" and form.is_valid():
            try:
                payment = payment_record_transfer(actor=request.user, payment=payment, **form.cleaned_data)
            except PaymentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(amount)s received was recorded; the payment is now “%(status)s”.")
                    % {
                        "amount": money_format(form.cleaned_data["amount"], payment.currency),
                        "status": payment.get_status_display(),
                    },
                )
                return self._to_payment(payment)
        return self._form_page(
            request,
            payment,
            form,
            title=_("Record a transfer or cheque received"),
            submit=_("Record"),
            intro=_("Still due on %(reference)s: %(amount)s.")
            % {"reference": payment.reference, "amount": money_format(outstanding, payment.currency)},
        )

    def refund_view(self, request, object_id):
        payment = self.payment_or_404(request, object_id)
        if not request.user.has_perm(REFUND_PERMISSION):
            raise PermissionDenied
        form = RefundForm(request.POST or None, initial={"amount": payment.refundable_amount})
        if request.method == "POST" and form.is_valid():
            try:
                refund = refund_request(actor=request.user, payment=payment, **form.cleaned_data)
            except PaymentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("A refund of %(amount)s was asked for.")
                    % {"amount": money_format(refund.amount, payment.currency)},
                )
                return self._to_payment(payment)
        return self._form_page(
            request,
            payment,
            form,
            title=_("Refund a payment"),
            submit=_("Refund"),
            intro=_("Paid on %(reference)s: %(paid)s, of which %(refunded)s already refunded.")
            % {
                "reference": payment.reference,
                "paid": money_format(payment.amount_paid, payment.currency),
                "refunded": money_format(payment.amount_refunded, payment.currency),
            },
            consequences=self._refund_consequences(payment),
            danger=True,
        )

    @staticmethod
    def _refund_consequences(payment) -> list[str]:
        refundable = money_format(payment.refundable_amount, payment.currency)
        return [
            _("%(buyer)s gets back the amount you enter, at most %(refundable)s.")
            % {"buyer": payment.buyer, "refundable": refundable},
            _("Refunding the whole %(refundable)s marks the payment “Refunded”: it no longer counts as paid.")
            % {"refundable": refundable},
            _("A card payment is refunded through the payment provider; it cannot be taken back afterwards."),
        ]

    # The receipt, reprinted from its stored file -------------------------------------------------

    def receipt_view(self, request, object_id):
        payment = self.payment_or_404(request, object_id)
        receipt = Receipt.objects.select_related("programme").filter(payment=payment).exclude(file="").first()
        response = receipt_file_response(receipt)
        audit_record(
            actor=request.user,
            action="payment.receipt_downloaded",
            obj=payment,
            data={"receipt": receipt.display_number},
        )
        return response

    # Exports of the filtered list (EXP-1) ----------------------------------------------------------

    def export_view(self, request, file_format):
        if file_format not in EXPORT_FORMATS:
            raise Http404
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            # The very list on the screen: its filters, search and order, every page of it.
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, _("This list's filters are not valid any more; export it again."))
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        return payment_export_response(
            changelist.queryset, file_format=file_format, title=str(self.opts.verbose_name_plural)
        )
