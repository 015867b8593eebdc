"""A user's roles and permissions, read from the cache between changes.

Every page reads them: the admin checks permissions for its menus, buttons and filters, the
client space asks whether the user is a notary or a partner agency. From the database that is
three queries per request; they change only when someone changes a user's groups or a group's
permissions. Any such change (the signals in portal/users/signals.py, migrations included) moves
the version that is part of every key, so no page reads a set from before it. The version moves
again once the change commits, so a set read while the change was not yet visible is never used.
The timeout bounds what a change made outside Django (raw SQL) can leave behind.
"""

from collections.abc import Callable
from typing import TypeVar
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "access-cache:version"
TIMEOUT = 300

ValueT = TypeVar("ValueT")


def access_cache_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, None)  # another process may have set one meanwhile
        version = cache.get(VERSION_KEY)
    return str(version)


def access_cached(kind: str, user_id: int, compute: Callable[[], ValueT]) -> ValueT:
    """`compute()` for this user, or what it gave since the last change of roles or permissions."""
    key = f"access-cache:{access_cache_version()}:{kind}:{user_id}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def _version_move() -> None:
    cache.set(VERSION_KEY, uuid4().hex, None)


def access_cache_clear() -> None:
    """Roles or permissions changed: forget every set read so far, now and once committed."""
    _version_move()
    transaction.on_commit(_version_move)
