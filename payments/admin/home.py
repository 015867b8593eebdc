"""The back-office's home page: what the staff member must act on, above the app list.

Django's admin index gets the panels of `payments.staff_home` in its context and renders them
with templates/admin/staff_home.html (which extends the sales shortcuts and the app list).
"""

from django.contrib import admin
from django.urls import reverse

from payments.models import MONEY_RECEIVED_STATUSES
from payments.staff_home import staff_home

admin.site.index_template = "admin/staff_home.html"

_django_index = admin.site.index


def staff_home_links() -> dict[str, str]:
    """The lists each panel opens, filtered to the rows the panel counts."""
    return {
        "alerts": reverse("admin:alerts_alert_changelist") + "?state=unread",
        "to_reconcile": reverse("admin:payments_payment_changelist")
        + "?reconciled=no&status__in="
        + ",".join(MONEY_RECEIVED_STATUSES),
        "requests": reverse("admin:sales_sale_changelist") + "?request=pending",
        "holds_ending": reverse("admin:sales_sale_changelist") + "?hold=ending",
        "overdue": reverse("admin:payments_mypayment_changelist"),
    }


def index_with_staff_home(request, extra_context=None):
    context = {
        "staff_home": staff_home(request.user),
        "staff_home_links": staff_home_links(),
        **(extra_context or {}),
    }
    return _django_index(request, extra_context=context)


# The admin's URLs are built after the apps are ready, so they route to this one.
admin.site.index = index_with_staff_home  # type: ignore[method-assign]
