"""What sales tell the apps built on them, without knowing those apps (dependency direction)."""

from django.dispatch import Signal

# Sent inside the transaction of a stage move: sender=Sale, sale, stage (the new one), actor.
# Receivers write in the same transaction (outbox rows included), so a rollback undoes them too.
sale_stage_moved = Signal()
