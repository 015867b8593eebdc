"""The payments back-office: the payment lists and pages, programme settings, deposits, refunds."""

from payments.admin import payments, settings  # noqa: F401  (registers the admins)
