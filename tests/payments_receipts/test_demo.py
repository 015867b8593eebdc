"""The quick start's demo data for payments: deposits in every status, receipts rendered, one
open request the main demo buyer can pay online, and nothing doubled when seeding again."""

import io

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command

from payments.models import MONEY_RECEIVED_STATUSES, Method, Payment, Receipt, Refund, Status
from payments.selectors import payment_methods_for, payment_settings_for, payments_of_buyer
from portal.users.models import User
from portal.users.roles import roles_sync


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


# Real commits: receipts are rendered and refunds made after them, as in the quick start.
@pytest.mark.django_db(transaction=True)
def test_the_demo_has_payments_in_every_status_and_seeding_again_adds_nothing():
    roles_sync(apps)  # an earlier transactional test may have flushed the groups the migrations made
    _seed()

    statuses = set(Payment.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    for payment in Payment.objects.filter(status__in=MONEY_RECEIVED_STATUSES):
        assert default_storage.exists(payment.receipt.file)
    assert Payment.objects.filter(status=Status.FAILED, attempts__gte=1).exists()
    assert Refund.objects.filter(state=Refund.State.PENDING, payment__status=Status.REFUND_REQUESTED).exists()

    buyer = User.objects.get(email="buyer@demo.test")
    open_requests = [payment for payment in payments_of_buyer(buyer) if payment.is_open]
    assert len(open_requests) == 1
    deposit = open_requests[0]
    assert deposit.kind == Payment.Kind.DEPOSIT
    assert Method.CARD in payment_methods_for(deposit, payment_settings_for(deposit.programme))

    counts = (Payment.objects.count(), Receipt.objects.count(), Refund.objects.count())
    _seed()
    assert (Payment.objects.count(), Receipt.objects.count(), Refund.objects.count()) == counts
