"""The back-office of programmes, buildings, calendars and lots, scoped to each user's programmes."""

from programmes.admin import lots, programmes  # noqa: F401  (registers the admins)
