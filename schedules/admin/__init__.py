"""The schedules back-office: one module per part, each registering its own admins."""

from schedules.admin import calls, exports, invoices, ledger, statements, templates  # noqa: F401
