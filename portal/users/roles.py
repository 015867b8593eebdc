"""The roles of the portal, as Django groups, and the permissions each one holds.

Each app's data migration calls `roles_sync` after adding its models, so the groups always
carry the permissions listed here. Administrators get every permission of the project.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SALES = "sales", _("Sales")
    ACCOUNTANT = "accountant", _("Accountant")
    CUSTOMER_SERVICE = "customer service", _("Customer service")
    NOTARY = "notary", _("Notary")
    PARTNER = "partner", _("Partner agency")
    BUYER = "buyer", _("Buyer")


STAFF_ROLES = {Role.ADMINISTRATOR, Role.SALES, Role.ACCOUNTANT, Role.CUSTOMER_SERVICE}

PROJECT_APPS = [
    "users",
    "audit",
    "branding",
    "texts",
    "outbox",
    "alerts",
    "programmes",
    "sales",
    "payments",
    "schedules",
]
# Administrators also look after the accounts' parts kept by allauth: a user's email addresses,
# a lost authenticator, an open session. The roles themselves are written here and re-applied by
# every migration (group.permissions.set), so administrators read them but only a superuser
# edits a group: an edit in the admin would be undone at the next deployment anyway.
ADMINISTRATOR_ACCOUNT_MODELS = ["account.emailaddress", "mfa.authenticator", "usersessions.usersession"]
ADMINISTRATOR_EXTRA = ["auth.view_group"]

_PROGRAMMES_READ = [
    "programmes.view_programme",
    "programmes.view_building",
    "programmes.view_lot",
    "programmes.view_milestone",
]
_SALES_READ = [
    "sales.view_sale",
    "sales.view_buyer",
    "sales.view_salebuyer",
    "sales.view_salelot",
    "sales.view_saleassignment",
]
_SALES_WRITE = [
    "sales.add_sale",
    "sales.change_sale",
    "sales.add_buyer",
    "sales.change_buyer",
    "sales.add_salebuyer",
    "sales.change_salebuyer",
    "sales.delete_salebuyer",
    "sales.add_salelot",
    "sales.change_salelot",
    "sales.delete_salelot",
    "sales.add_saleassignment",
    "sales.change_saleassignment",
    "sales.delete_saleassignment",
    "sales.view_savedview",
    "sales.add_savedview",
    "sales.delete_savedview",
]
# Sales staff ask for money and see where it stands; accountants also record transfers,
# reconcile and refund (ACC-3), and set how each programme takes payments.
_PAYMENTS_READ = [
    "payments.view_payment",
    "payments.view_refund",
    "payments.view_paymentsettings",
    "payments.view_depositoverride",
]
_PAYMENTS_REQUEST = [
    "payments.add_payment",
    "payments.add_depositoverride",
    "payments.change_depositoverride",
    "payments.delete_depositoverride",
]
_PAYMENTS_ACCOUNTING = [
    "payments.change_payment",
    "payments.reconcile_payment",
    "payments.refund_payment",
    "payments.change_paymentsettings",
    "payments.add_paymentsettings",
]
# Every staff member sees a sale's schedule, its calls for funds and its invoices. Sellers set the
# programmes' schedule templates, edit a sale's schedule and start the calls for funds when a
# milestone is reached; accountants also start calls, keep the ledger (re-allocations), import
# bank statements and issue invoices.
_SCHEDULES_READ = [
    "schedules.view_scheduletemplate",
    "schedules.view_templatetranche",
    "schedules.view_tranche",
    "schedules.view_callbatch",
    "schedules.view_callforfunds",
    "schedules.view_stagecertificate",
    "schedules.view_invoice",
    "schedules.view_invoiceline",
]
_SCHEDULES_SELLING = [
    "schedules.add_scheduletemplate",
    "schedules.change_scheduletemplate",
    "schedules.add_templatetranche",
    "schedules.change_templatetranche",
    "schedules.delete_templatetranche",
    "schedules.change_tranche",
    "schedules.add_callbatch",
    "schedules.add_stagecertificate",
    "schedules.change_stagecertificate",
]
_SCHEDULES_ACCOUNTING = [
    "schedules.add_callbatch",
    "schedules.view_ledgerentry",
    "schedules.view_allocation",
    "schedules.change_allocation",
    "schedules.view_bankstatement",
    "schedules.add_bankstatement",
    "schedules.view_statementline",
    "schedules.change_statementline",
    "schedules.add_invoice",
    "schedules.change_invoice",
    "schedules.add_invoiceline",
    "schedules.change_invoiceline",
    "schedules.delete_invoiceline",
]
# Every staff member reads his own alerts and marks them read (the admin shows no one else's).
_OWN_ALERTS = ["alerts.view_alert", "alerts.change_alert"]

# "app_label.codename"; administrators get every permission of PROJECT_APPS instead.
# Users, the audit trail and the outbox span every programme, so only administrators open them;
# other staff see a sale's timeline and messages on the sale itself, scoped to their programmes.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES: [
        *_PROGRAMMES_READ,
        "programmes.change_lot",
        "programmes.change_milestone",
        "programmes.add_milestone",
        *_SALES_READ,
        *_SALES_WRITE,
        *_PAYMENTS_READ,
        *_PAYMENTS_REQUEST,
        *_SCHEDULES_READ,
        *_SCHEDULES_SELLING,
        *_OWN_ALERTS,
    ],
    Role.ACCOUNTANT: [
        *_PROGRAMMES_READ,
        *_SALES_READ,
        "sales.view_savedview",
        "sales.add_savedview",
        "sales.delete_savedview",
        *_PAYMENTS_READ,
        *_PAYMENTS_REQUEST,
        *_PAYMENTS_ACCOUNTING,
        *_SCHEDULES_READ,
        *_SCHEDULES_ACCOUNTING,
        *_OWN_ALERTS,
    ],
    Role.CUSTOMER_SERVICE: [
        *_PROGRAMMES_READ,
        *_SALES_READ,
        "sales.change_buyer",
        "sales.view_savedview",
        "sales.add_savedview",
        "sales.delete_savedview",
        *_PAYMENTS_READ,
        *_SCHEDULES_READ,
        *_OWN_ALERTS,
    ],
    Role.NOTARY: [],
    Role.PARTNER: [],
    Role.BUYER: [],
}


def roles_sync(apps) -> None:
    """Create the groups and give them their permissions (safe to run again)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMINISTRATOR:
            accounts = models.Q(pk__in=[])
            for label in ADMINISTRATOR_ACCOUNT_MODELS:
                app_label, model = label.split(".")
                accounts |= models.Q(content_type__app_label=app_label, content_type__model=model)
            for code in ADMINISTRATOR_EXTRA:
                app_label, codename = code.split(".", 1)
                accounts |= models.Q(content_type__app_label=app_label, codename=codename)
            perms = Permission.objects.filter(models.Q(content_type__app_label__in=PROJECT_APPS) | accounts)
        else:
            wanted = [code.split(".", 1) for code in ROLE_PERMISSIONS[role]]
            query = models.Q(pk__in=[])
            for app_label, codename in wanted:
                query |= models.Q(content_type__app_label=app_label, codename=codename)
            perms = Permission.objects.filter(query)
        # set(), not add(): a permission taken out of a role above is taken from the group too.
        group.permissions.set(perms)
