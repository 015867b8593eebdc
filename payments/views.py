"""The pages a buyer pays through, and the endpoint the payment processor writes to.

- the portal link of a request (PAY-2): no login, the signed token is the key; the buyer picks how
  to pay, then goes to the hosted checkout, or reads the bank details for a transfer;
- the Stripe webhook endpoint (PAY-6): raw body and signature to `webhook_receive`;
- the simulated checkout (PAY-11): Stripe's hosted page stand-in in the quick start and tests
  while no Stripe key is set. Anywhere else it answers 404, and without Stripe the pay page offers
  bank transfer only and the webhook endpoint refuses every event.
"""

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from payments.errors import PaymentError
from payments.links import payment_link_path
from payments.models import (
    MONEY_RECEIVED_STATUSES,
    ONLINE_METHODS,
    OPEN_STATUSES,
    CheckoutSession,
    Method,
    Payment,
    Receipt,
    Status,
)
from payments.providers import online_payments_available, simulated_enabled, stripe_configured
from payments.references import creditor_reference_grouped
from payments.selectors import (
    client_receipt_payment_get,
    payment_for_link,
    payment_methods_for,
    payment_settings_for,
)
from payments.services.checkout import payment_checkout_open
from payments.services.requests import payment_method_choose
from payments.services.webhooks import WebhookRejected, webhook_receive
from payments.simulated_events import ABANDON, OUTCOMES, simulated_events_send
from portal.middleware import content_security_policy

logger = logging.getLogger(__name__)

# What the pay page says, from the payment's status and its link's validity.
OPEN = "open"
PROCESSING = "processing"
PAID = "paid"
EXPIRED = "expired"
CANCELLED = "cancelled"

# The page holding the Pay button must allow the redirect to Stripe's hosted page: browsers check
# a form's `form-action` on the redirects that follow its submission too.
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _payment_or_404(token: str) -> Payment:
    payment = payment_for_link(token)
    if payment is None:
        raise Http404(_("This payment link does not exist."))
    return payment


def _follow_buyer_language(request, language: str) -> None:
    """A visitor who is not logged in came from a message written in the buyer's language."""
    if request.user.is_authenticated or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return  # his own language, or the one he chose with the switcher
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _page_state(payment: Payment) -> str:
    if payment.status in OPEN_STATUSES:
        return OPEN if payment.link_expires_at > timezone.now() else EXPIRED
    if payment.status == Status.PROCESSING:
        return PROCESSING
    if payment.status in MONEY_RECEIVED_STATUSES:
        return PAID
    if payment.status == Status.EXPIRED:
        return EXPIRED
    return CANCELLED


def _receipt_of(request, payment: Payment):
    """The receipt, for a logged-in buyer of the sale only (None otherwise)."""
    if not request.user.is_authenticated:
        return None
    try:
        return client_receipt_payment_get(request.user, payment.pk).receipt
    except Payment.DoesNotExist:
        return None


def _pay_page(request, payment: Payment, token: str, *, error: str = ""):
    state = _page_state(payment)
    methods = payment_methods_for(payment, payment_settings_for(payment.programme)) if state == OPEN else []
    context = {
        "payment": payment,
        "programme": payment.programme,
        "token": token,
        "state": state,
        "error": error,
        "done": request.GET.get("done") == "1",
        "methods": [(method, Method(method).label) for method in methods],
        # A single method needs no choosing (the request was made with it).
        "choose_method": len(methods) > 1 or payment.method not in methods,
        "pays_online": payment.method in ONLINE_METHODS and payment.method in methods,
        "pays_by_transfer": payment.method == Method.TRANSFER and Method.TRANSFER in methods,
        "outstanding": payment.amount - payment.amount_paid,
        "creditor_reference": creditor_reference_grouped(payment.creditor_reference),
        "receipt": _receipt_of(request, payment) if state == PAID else None,
    }
    response = render(request, "payments/pay.html", context)
    if context["pays_online"] and stripe_configured():
        response["Content-Security-Policy"] = content_security_policy(form_targets=STRIPE_CHECKOUT_ORIGIN)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def pay(request, token: str):
    """The portal link: the request, how to pay it, or what became of it. POST chooses the method."""
    payment = _payment_or_404(token)
    _follow_buyer_language(request, payment.buyer.language)
    if request.method == "POST":
        if payment.status in OPEN_STATUSES and _page_state(payment) == EXPIRED:
            error = _("This payment link has expired. Ask your advisor for a new one.")
            return _pay_page(request, payment, token, error=error)
        actor = request.user if request.user.is_authenticated else None
        try:
            payment_method_choose(payment=payment, method=request.POST.get("method", ""), actor=actor)
        except PaymentError as error:
            return _pay_page(request, payment, token, error=str(error))
        return _see_other(reverse("payments:pay", args=[token]))
    return _pay_page(request, payment, token)


@never_cache
@require_POST
def checkout(request, token: str):
    """The Pay button: to the open checkout session of the payment, or a fresh one."""
    payment = _payment_or_404(token)
    _follow_buyer_language(request, payment.buyer.language)
    page = request.build_absolute_uri(reverse("payments:pay", args=[token]))
    try:
        url = payment_checkout_open(payment=payment, success_url=f"{page}?done=1", cancel_url=page)
    except PaymentError as error:
        payment.refresh_from_db()
        return _pay_page(request, payment, token, error=str(error))
    return _see_other(url)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events: 400 when they do not check out, 500 when processing fails (Stripe retries).

    Without Stripe or the simulated checkout no provider sends events: the endpoint is not there.
    """
    if not online_payments_available():
        logger.warning("Webhook refused: neither Stripe nor the simulated checkout is configured")
        return JsonResponse({"received": False, "error": "no payment provider"}, status=404)
    try:
        event = webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except WebhookRejected as error:
        logger.warning("Stripe webhook refused: %s", error)
        return JsonResponse({"received": False, "error": str(error)}, status=400)
    except Exception:
        logger.exception("Stripe webhook failed; Stripe will send it again")
        return JsonResponse({"received": False}, status=500)
    logger.info("Stripe webhook %s %s handled", event.type, event.event_id)
    return JsonResponse({"received": True})


def _simulated_session_or_404(session_id: str) -> CheckoutSession:
    if not simulated_enabled():
        # Stripe is configured, or this is not the quick start: no money without a real provider.
        raise Http404(_("The simulated checkout is off."))
    session = (
        CheckoutSession.objects.select_related("payment__programme", "payment__sale", "payment__buyer")
        .filter(session_id=session_id, provider="simulated")
        .first()
    )
    if session is None:
        raise Http404(_("No such checkout."))
    return session


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def simulated_checkout(request, session_id: str):
    """The development checkout: Pay, Fail or Abandon send the events Stripe would send."""
    session = _simulated_session_or_404(session_id)
    payment = session.payment
    _follow_buyer_language(request, payment.buyer.language)
    is_open = (
        session.state == CheckoutSession.State.OPEN
        and session.expires_at > timezone.now()
        and payment.status in OPEN_STATUSES
    )
    error = ""
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if not is_open:
            error = _("This checkout is closed. Go back to the payment page to pay.")
        elif outcome not in OUTCOMES:
            error = _("Choose Pay, Fail or Abandon.")
        else:
            simulated_events_send(session=session, payment=payment, outcome=outcome)
            back = payment_link_path(payment)
            return _see_other(back if outcome == ABANDON else f"{back}?done=1")
    context = {
        "session": session,
        "payment": payment,
        "programme": payment.programme,
        "method_label": Method(session.method).label,
        "outstanding": payment.amount - payment.amount_paid,
        "is_open": is_open,
        "error": error,
        "back": payment_link_path(payment),
    }
    status = 200 if not error else 409 if not is_open else 400
    return render(request, "payments/simulated.html", context, status=status)


def receipt_file_response(receipt: Receipt | None, *, missing: str = "") -> FileResponse:
    """The stored receipt as a download, byte for byte as issued (staff and buyer alike)."""
    if receipt is None or not receipt.file or not default_storage.exists(receipt.file):
        raise Http404(missing)
    return FileResponse(
        default_storage.open(receipt.file, "rb"),
        as_attachment=True,
        filename=receipt.filename,
        content_type="application/pdf",
    )
