"""The payments back-office: the payment lists and pages, programme settings, deposits, refunds,
and the back-office's home page (payments.admin.home)."""

from payments.admin import home, payments, settings  # noqa: F401  (registers the admins and the home page)
