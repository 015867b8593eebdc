"""What sales tell the apps built on them, without knowing those apps (dependency direction)."""

from django.dispatch import Signal

# Sent inside the transaction of a stage move: sender=Sale, sale, stage (the new one), actor.
# Receivers write in the same transaction (outbox rows included), so a rollback undoes them too.
sale_stage_moved = Signal()

# Sent inside the transaction of sale_create: sender=Sale, sale, actor. The apps built on sales
# give the new sale what it needs (its instalment schedule) in the same transaction.
sale_created = Signal()

# Sent inside the transaction of a price change: sender=Sale, sale (with its new price),
# old_price, actor. A receiver refuses the change by raising SaleError: nothing is saved.
sale_price_changed = Signal()
