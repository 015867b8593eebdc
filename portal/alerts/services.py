"""Writing alerts and marking them read: the only module that changes alert rows.

Read marks are the reader's own bookkeeping of his inbox, not a change to the business, so
they leave no audit entry.
"""

from collections.abc import Iterable

from django.utils import timezone

from portal.alerts.models import Alert
from portal.users.models import User


def _is_relative_url(link: str) -> bool:
    # "/admin/…" only: no scheme, no host ("//host" and "/\\host" are other sites to a browser).
    return link.startswith("/") and not link.startswith(("//", "/\\"))


def alert_create(*, key: str, user: User, text: str, link: str = "") -> Alert:
    """The alert with `key`, created for `user` unless it exists already (then it is returned
    unchanged). Call it inside the transaction of the change it tells about."""
    if link and not _is_relative_url(link):
        raise ValueError(f"An alert links to a page of the portal, not to {link!r}.")
    # get_or_create inserts inside a savepoint and re-reads the row when a concurrent
    # transaction inserted the same key first: one key, one alert.
    alert, _created = Alert.objects.get_or_create(
        key=key, defaults={"user": user, "text": text, "link": link}
    )
    return alert


def alerts_mark_read(*, user: User, alert_ids: Iterable[int]) -> int:
    """Mark `user`'s alerts among `alert_ids` read; the number that were unread."""
    return Alert.objects.filter(user=user, pk__in=alert_ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def alerts_mark_unread(*, user: User, alert_ids: Iterable[int]) -> int:
    """Mark `user`'s alerts among `alert_ids` unread again; the number that were read."""
    return Alert.objects.filter(user=user, pk__in=alert_ids, read_at__isnull=False).update(read_at=None)
