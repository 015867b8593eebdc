"""Reading a staff member's alerts: his own only, administrators included (a personal inbox)."""

from django.db.models import QuerySet

from portal.alerts.models import Alert
from portal.users.models import User


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(user=user)


def alerts_unread_count(user: User) -> int:
    """One COUNT on the (user, read_at) index."""
    return alerts_visible_to(user).filter(read_at__isnull=True).count()
