"""Payment requests (PAY-4): asked by email, SMS or both with the portal link; refused before
anything is written when the buyer cannot be reached; cancelled while open; links renewed."""

from datetime import date
from decimal import Decimal

import pytest

from payments.errors import PaymentError
from payments.links import payment_link_token, payment_link_url
from payments.models import Payment, PaymentEvent, Status
from payments.selectors import payment_for_link
from payments.services.money import payment_record_transfer
from payments.services.requests import payment_cancel, payment_link_renew
from portal.audit.models import AuditEntry
from portal.outbox.models import OutboxMessage
from sales.models import SaleBuyer, Stage
from sales.services import sale_create, sale_move_stage
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make, request_make
from tests.payments.factories import sale_with_buyer_make

pytestmark = pytest.mark.django_db


def outbox(payment: Payment) -> dict[str, OutboxMessage]:
    """The payment's request messages by channel."""
    prefix = f"payment-request:{payment.pk}:{payment.link_nonce}:"
    return {message.channel: message for message in OutboxMessage.objects.filter(key__startswith=prefix)}


# Channels -----------------------------------------------------------------------------------------


def test_a_request_by_email_writes_one_email_with_the_link_to_the_buyer(advisor):
    sale = sale_with_buyer_make(advisor=advisor, email="anna@example.test")

    payment = request_make(
        actor=advisor, sale=sale, amount="1250.00", reference="INV-2026-7", channel="email"
    )

    assert (payment.amount, payment.reference, payment.status) == (Decimal("1250.00"), "INV-2026-7", "to_pay")
    messages = outbox(payment)
    assert list(messages) == ["email"]
    assert messages["email"].recipients == ["anna@example.test"]
    assert payment_link_url(payment) in messages["email"].text
    assert "1\u202f250,00\xa0€" in messages["email"].text  # in the buyer's language, French
    assert OutboxMessage.objects.count() == 1


def test_a_request_by_sms_writes_one_sms_with_the_link_to_the_buyer_s_phone(advisor):
    sale = sale_with_buyer_make(advisor=advisor, phone="+33611223344")

    payment = request_make(actor=advisor, sale=sale, channel="sms")

    messages = outbox(payment)
    assert list(messages) == ["sms"]
    assert messages["sms"].recipients == ["+33611223344"]
    assert payment_link_url(payment) in messages["sms"].text


def test_a_request_by_both_writes_an_email_and_an_sms_with_the_same_link(advisor):
    sale = sale_with_buyer_make(advisor=advisor, email="anna@example.test", phone="+33611223344")

    payment = request_make(actor=advisor, sale=sale, channel="both")

    messages = outbox(payment)
    assert sorted(messages) == ["email", "sms"]
    assert messages["email"].recipients == ["anna@example.test"]
    assert messages["sms"].recipients == ["+33611223344"]
    link = payment_link_url(payment)
    assert link in messages["email"].text
    assert link in messages["sms"].text


def test_the_link_of_a_request_opens_that_request(advisor):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor))

    assert payment_link_url(payment).endswith(f"/{payment_link_token(payment)}/")
    assert payment_for_link(payment_link_token(payment)) == payment
    assert payment_for_link(payment_link_token(payment) + "x") is None


def test_a_request_is_logged_requested_then_sent_and_audited_on_the_sale(advisor):
    sale = sale_with_buyer_make(advisor=advisor)

    payment = request_make(actor=advisor, sale=sale, amount="300.00", channel="both")

    assert list(payment.events.values_list("kind", "actor", "amount")) == [
        ("requested", advisor.pk, Decimal("300.00")),
        ("sent", advisor.pk, None),
    ]
    entries = AuditEntry.objects.filter(object_type="sales.sale", object_id=str(sale.pk))
    assert list(entries.filter(action__startswith="payment.").values_list("action", flat=True)) == [
        "payment.sent",
        "payment.requested",
    ]


@pytest.mark.parametrize(
    ("channel", "changes", "message"),
    [
        ("email", {"email": ""}, "Eve Nomail has no email address: add one or send by SMS."),
        ("both", {"email": ""}, "Eve Nomail has no email address: add one or send by SMS."),
        ("sms", {"phone": ""}, "Eve Nomail has no mobile phone number: add one or send by email."),
        ("both", {"phone": ""}, "Eve Nomail has no mobile phone number: add one or send by email."),
    ],
)
def test_a_buyer_who_cannot_be_reached_is_refused_before_anything_is_written(
    advisor, channel, changes, message
):
    sale = sale_with_buyer_make(advisor=advisor, first_name="Eve", last_name="Nomail", **changes)
    outbox_before = OutboxMessage.objects.count()
    audit_before = AuditEntry.objects.count()

    with pytest.raises(PaymentError) as refused:
        request_make(actor=advisor, sale=sale, channel=channel)

    assert str(refused.value) == message
    assert Payment.objects.count() == 0
    assert PaymentEvent.objects.count() == 0
    assert OutboxMessage.objects.count() == outbox_before
    assert AuditEntry.objects.count() == audit_before


def test_a_request_without_a_named_buyer_goes_to_the_main_buyer_of_the_sale(advisor):
    programme = ProgrammeFactory()
    main = BuyerFactory(last_name="Zielinski")
    co_buyer = BuyerFactory(last_name="Abadie")  # first in the buyers' alphabetical order
    sale = sale_create(
        actor=advisor,
        programme=programme,
        lots=lots_make(programme, 1),
        buyers=[main, co_buyer],
        advisor=advisor,
    )
    # The co-buyer is the main buyer of another sale: that must not make him this sale's.
    sale_create(actor=advisor, programme=programme, lots=lots_make(programme, 1), buyers=[co_buyer])

    payment = request_make(actor=advisor, sale=sale)

    assert payment.buyer == main
    assert SaleBuyer.objects.get(sale=sale, buyer=co_buyer).is_main is False


def test_a_request_can_name_a_co_buyer(advisor):
    programme = ProgrammeFactory()
    main, co_buyer = BuyerFactory(), BuyerFactory()
    sale = sale_create(
        actor=advisor,
        programme=programme,
        lots=lots_make(programme, 1),
        buyers=[main, co_buyer],
        advisor=advisor,
    )

    payment = request_make(actor=advisor, sale=sale, buyer=co_buyer)

    assert payment.buyer == co_buyer
    assert outbox(payment)["email"].recipients == [co_buyer.email]


def test_a_request_to_someone_who_is_not_a_buyer_of_the_sale_is_refused(advisor):
    sale = sale_with_buyer_make(advisor=advisor)
    stranger = BuyerFactory(first_name="Sam", last_name="Stranger")

    with pytest.raises(PaymentError) as refused:
        request_make(actor=advisor, sale=sale, buyer=stranger)

    assert str(refused.value) == "Sam Stranger is not a buyer of this sale."
    assert Payment.objects.count() == 0


def test_a_cancelled_sale_cannot_be_asked_for_money(advisor):
    sale = sale_with_buyer_make(advisor=advisor)
    sale_move_stage(actor=advisor, sale=sale, target=Stage.CANCELLED)
    sale.refresh_from_db()

    with pytest.raises(PaymentError) as refused:
        request_make(actor=advisor, sale=sale)

    assert str(refused.value) == "A cancelled or withdrawn sale cannot be asked for money."


def test_a_request_needs_an_amount_above_zero(advisor):
    sale = sale_with_buyer_make(advisor=advisor)

    with pytest.raises(PaymentError) as refused:
        request_make(actor=advisor, sale=sale, amount="0.00")

    assert str(refused.value) == "Ask for an amount above zero."


def test_each_request_gets_its_own_transfer_reference(advisor):
    sale = sale_with_buyer_make(advisor=advisor)

    first = request_make(actor=advisor, sale=sale)
    second = request_make(actor=advisor, sale=sale)

    assert first.creditor_reference != second.creditor_reference
    assert first.creditor_reference.startswith("RF")


# Cancelling ---------------------------------------------------------------------------------------


def test_an_open_request_can_be_cancelled_and_its_link_opens_nothing_to_pay(advisor):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor))

    payment_cancel(actor=advisor, payment=payment)

    payment.refresh_from_db()
    assert payment.status == Status.CANCELLED
    event = payment.events.get(kind="status_changed")
    assert (event.actor, event.data) == (advisor, {"from": "to_pay", "to": "cancelled"})


def test_a_paid_request_cannot_be_cancelled(advisor, accountant):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor), amount="100.00")
    payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal("100.00"), received_on=date(2026, 1, 5)
    )

    with pytest.raises(PaymentError) as refused:
        payment_cancel(actor=advisor, payment=payment)

    assert str(refused.value) == "Only a request that is still to pay can be cancelled; this one is “Paid”."
    payment.refresh_from_db()
    assert payment.status == Status.PAID


# Renewing the link --------------------------------------------------------------------------------


def test_a_renewed_link_voids_the_old_one_and_goes_out_again(advisor):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor))
    old_token = payment_link_token(payment)

    payment = payment_link_renew(actor=advisor, payment=payment)

    assert payment_for_link(old_token) is None
    assert payment_for_link(payment_link_token(payment)) == payment
    assert payment_link_url(payment) in outbox(payment)["email"].text
    assert OutboxMessage.objects.filter(key__startswith=f"payment-request:{payment.pk}:").count() == 2
    assert list(payment.events.values_list("kind", flat=True)) == ["requested", "sent", "sent"]


def test_a_paid_request_needs_no_new_link(advisor, accountant):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor), amount="100.00")
    payment_record_transfer(
        actor=accountant, payment=payment, amount=Decimal("100.00"), received_on=date(2026, 1, 5)
    )

    with pytest.raises(PaymentError) as refused:
        payment_link_renew(actor=advisor, payment=payment)

    assert str(refused.value) == "A request that is “Paid” needs no new link."


def test_an_expired_request_of_a_cancelled_sale_gets_no_new_link(advisor):
    sale = sale_with_buyer_make(advisor=advisor)
    payment = request_make(actor=advisor, sale=sale)
    Payment.objects.filter(pk=payment.pk).update(status=Status.EXPIRED)
    sale_move_stage(actor=advisor, sale=sale, target=Stage.CANCELLED)

    with pytest.raises(PaymentError) as refused:
        payment_link_renew(actor=advisor, payment=payment)

    assert str(refused.value) == "A cancelled or withdrawn sale cannot be asked for money."
    payment.refresh_from_db()
    assert payment.status == Status.EXPIRED
