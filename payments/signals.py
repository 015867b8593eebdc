"""What payments tell the apps built on them, without knowing those apps (dependency direction).

Both are sent inside the transaction of the change, so a receiver writes in the same transaction
(a ledger entry, an outbox row) and a rollback undoes it too.
"""

from django.dispatch import Signal

# Money arrived on a payment (one arrival: a card charge, a debit, a transfer or cheque staff
# recorded). sender=Payment; payment, amount (Decimal, > 0), method (payments.models.Method),
# booked_on (date), source_key (unique per arrival: "payment-event:<PaymentEvent id>"), actor.
payment_money_in = Signal()

# A refund was settled as done (through the provider, by staff, or found refunded on the
# provider's side). sender=Refund; refund, actor.
refund_settled = Signal()
