"""Who hears about a payment, and how: the buyer by email (and SMS when asked), the sale's
advisor in the back-office and by email (PAY-7). Everything goes through the outbox, with keys
that make each alert go once."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from payments.links import payment_admin_url, payment_link_url
from payments.models import Payment, Receipt, Refund
from portal.money import money_format
from portal.notify import notify_email, notify_in_app, notify_sms
from portal.outbox.attachments import OutboxAttachment
from sales.models import Sale


def _buyer_values(payment: Payment, amount: Decimal | None = None) -> dict[str, Any]:
    language = payment.buyer.language
    return {
        "buyer_name": str(payment.buyer),
        "amount": money_format(amount if amount is not None else payment.amount, payment.currency, language),
        "reference": payment.reference,
        "link": payment_link_url(payment),
        "due_date": _date(payment.due_on or payment.link_expires_at.date(), language),
    }


def _advisor_email(payment: Payment) -> str:
    """Where the buyer's answer goes: the sale's advisor, when the sale has an active one."""
    advisor = payment.sale.advisor
    return advisor.email if advisor is not None and advisor.is_active else ""


def _payments_page_url() -> str:
    return settings.SITE_URL + reverse("space:payments")


def _date(value: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "SHORT_DATE_FORMAT")


def alert_buyer_request(payment: Payment, *, key: str, kind: str = "payment_request") -> None:
    """The request, or a reminder, by the channels staff chose; the link is in both."""
    values = _buyer_values(payment)
    language = payment.buyer.language
    if payment.channel in {Payment.Channel.EMAIL, Payment.Channel.BOTH}:
        notify_email(
            key=f"{key}:email",
            kind=kind,
            to=payment.buyer.email,
            language=language,
            values=values,
            reply_to=_advisor_email(payment),
        )
    if payment.channel in {Payment.Channel.SMS, Payment.Channel.BOTH} and payment.buyer.phone:
        notify_sms(key=f"{key}:sms", kind=kind, to=payment.buyer.phone, language=language, values=values)


def alert_buyer_paid(payment: Payment, *, receipt: Receipt) -> None:
    values = _buyer_values(payment, payment.amount_paid)
    language = payment.buyer.language
    # Money that came in for a request that could not become paid (a late deposit whose sale
    # has another one open) has no `paid_at`; its receipt was issued when the money was counted.
    paid_at = payment.paid_at or receipt.issued_at
    values |= {
        "receipt_number": receipt.display_number,
        "paid_on": _date(paid_at.date(), language),
        "link": _payments_page_url(),
    }
    notify_email(
        key=f"payment-confirmation:{payment.pk}",
        kind="payment_confirmation",
        to=payment.buyer.email,
        language=language,
        values={
            name: values[name]
            for name in ("buyer_name", "amount", "reference", "receipt_number", "paid_on", "link")
        },
        reply_to=_advisor_email(payment),
        attachments=[
            OutboxAttachment(
                filename=receipt.filename,
                mimetype="application/pdf",
                storage_path=receipt.file,
            )
        ],
    )


def alert_buyer_failed(payment: Payment, *, attempt: int) -> None:
    values = _buyer_values(payment)
    notify_email(
        key=f"payment-failed:{payment.pk}:{attempt}",
        kind="payment_failed",
        to=payment.buyer.email,
        language=payment.buyer.language,
        values={name: values[name] for name in ("buyer_name", "amount", "reference", "link")},
        reply_to=_advisor_email(payment),
    )


def alert_buyer_refunded(payment: Payment, *, refund: Refund) -> None:
    values = _buyer_values(payment, refund.amount)
    notify_email(
        key=f"payment-refunded:{refund.pk}",
        kind="payment_refunded",
        to=payment.buyer.email,
        language=payment.buyer.language,
        values={
            **{name: values[name] for name in ("buyer_name", "amount", "reference")},
            "link": _payments_page_url(),
        },
        reply_to=_advisor_email(payment),
    )


# In-app sentences, written in the advisor's language when the alert is made.
_STAFF_SENTENCES = {
    "received": lambda: _("%(buyer)s paid %(amount)s (%(reference)s, sale %(sale)s)."),
    "failed": lambda: _("The payment of %(amount)s by %(buyer)s failed (%(reference)s, sale %(sale)s)."),
    "expired": lambda: _(
        "The payment request of %(amount)s to %(buyer)s expired unpaid (%(reference)s, sale %(sale)s)."
    ),
    "refunded": lambda: _("%(amount)s was refunded to %(buyer)s (%(reference)s, sale %(sale)s)."),
}


def alert_staff(payment: Payment, *, event: str, key: str, amount: Decimal | None = None) -> None:
    """Tell the sale's advisor, in the back-office and by email, in his language."""
    advisor = payment.sale.advisor
    if advisor is None or not advisor.is_active:
        return
    language = advisor.language or "fr"
    amount_text = money_format(amount if amount is not None else payment.amount, payment.currency, language)
    with translation.override(language):
        text = _STAFF_SENTENCES[event]() % {
            "buyer": payment.buyer,
            "amount": amount_text,
            "reference": payment.reference,
            "sale": payment.sale.reference,
        }
    link = payment_admin_url(payment)
    notify_in_app(
        key=f"staff-{key}",
        user=advisor,
        text=text,
        link=reverse("admin:payments_payment_change", args=[payment.pk]),
    )
    notify_email(
        key=f"staff-{key}:email",
        kind=f"staff_payment_{event}",
        to=advisor.email,
        language=language,
        values={
            "user_name": advisor.get_full_name() or advisor.email,
            "buyer_name": str(payment.buyer),
            "amount": amount_text,
            "reference": payment.reference,
            "sale_reference": payment.sale.reference,
            "link": link,
        },
    )


def alert_staff_deposit_not_sent(*, sale: Sale, reason: str) -> None:
    """The deposit could not go out by itself at its stage: the advisor must act."""
    advisor = sale.advisor
    if advisor is None or not advisor.is_active:
        return
    with translation.override(advisor.language or "fr"):
        text = _("The deposit of sale %(sale)s was not requested: %(reason)s") % {
            "sale": sale.reference,
            "reason": reason,
        }
    notify_in_app(
        key=f"staff-deposit-not-sent:{sale.pk}:{sale.stage}",
        user=advisor,
        text=text,
        link=reverse("admin:sales_sale_change", args=[sale.pk]),
    )
