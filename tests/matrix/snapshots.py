"""What the database holds, to prove that a refused request changed nothing.

A snapshot is every row of every table, read with plain SQL (cheap on the matrix's small world),
except the tables a request touches whatever it asks: the session store.
"""

from django.db import connection

# Logging in and the messages framework write the session; that is no change of the business.
IGNORED_TABLES = {"django_session"}


def database_snapshot() -> dict[str, list[tuple]]:
    tables = [name for name in connection.introspection.table_names() if name not in IGNORED_TABLES]
    snapshot = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected names)
            snapshot[table] = sorted(cursor.fetchall(), key=repr)
    return snapshot


def snapshot_changes(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ, with what was added and removed (for the failure message)."""
    changes = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            added = [row for row in new if row not in old][:2]
            removed = [row for row in old if row not in new][:2]
            changes.append(f"{table}: +{added} -{removed}")
    return changes
