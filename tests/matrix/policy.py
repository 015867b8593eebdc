"""The access policy of every URL of the project, for every role, in one table.

Each entry gives the path to request (with the world's real objects) and the outcome each role
must get. A URL pattern without an entry fails the matrix: every new page declares its policy.
"""

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from payments.models import DepositOverride, PaymentSettings, Refund, WebhookEvent
from schedules.models import CallForFunds, Invoice, ScheduleTemplate, TemplateTranche, Tranche, Trigger
from tests.matrix.outcomes import FORBIDDEN, LOGIN, NOT_ALLOWED, NOT_FOUND, OK, REDIRECT
from tests.matrix.world import ADMINS, NON_STAFF, ROLES, STAFF, World
from tests.schedules.factories import schedule_make


def expect(default, **by_role) -> dict:
    """Outcome per role: `default`, except the roles named. A frozenset accepts any of its outcomes."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, unknown
    return {role: by_role.get(role, default) for role in ROLES}


def roles(names: list[str], outcome: str) -> dict[str, str]:
    return dict.fromkeys(names, outcome)


PUBLIC = expect(OK)
# allauth's pages about the user's own account: what they answer depends on his own state
# (second factor enrolled or not, recent login); they never show anyone else's data.
OWN_ACCOUNT = expect(frozenset({OK, REDIRECT, NOT_FOUND}), anonymous=LOGIN)
SIGNED_IN = expect(OK, anonymous=LOGIN)
# The back-office: anonymous and non-staff users are sent to log in; staff need the permission.
BACK_OFFICE_ALL_STAFF = expect(OK, anonymous=LOGIN, **roles(NON_STAFF, LOGIN))
# Administrators: the superuser and the members of the administrator group alike.
ADMINISTRATORS_ONLY = expect(FORBIDDEN, anonymous=LOGIN, **roles(ADMINS, OK), **roles(NON_STAFF, LOGIN))
# The roles are written in code (portal.users.roles) and re-applied by every migration: only a
# superuser edits a group; administrators read them.
SUPERUSER_ONLY = expect(FORBIDDEN, anonymous=LOGIN, administrator=OK, **roles(NON_STAFF, LOGIN))
NOBODY_IN_BACK_OFFICE = expect(FORBIDDEN, anonymous=LOGIN, **roles(NON_STAFF, LOGIN))
# Sales staff's pages to add sales and buyers: accountants and customer service only read them.
BACK_OFFICE_SALES = BACK_OFFICE_ALL_STAFF | roles(["accountant", "customer_service"], FORBIDDEN)
# Objects of programme A: its staff (sales, accountant, customer service) and administrators;
# other staff never learn they exist.
PROGRAMME_A_STAFF = expect(OK, anonymous=LOGIN, other_staff=NOT_FOUND, **roles(NON_STAFF, LOGIN))
# The same pages where customer service, who only reads, is refused.
PROGRAMME_A_SALES_AND_ACCOUNTS = PROGRAMME_A_STAFF | {"customer_service": FORBIDDEN}
# Those who change sale A: its sales staff and administrators; accountants and customer service read.
PROGRAMME_A_SALES_ONLY = PROGRAMME_A_SALES_AND_ACCOUNTS | {"accountant": FORBIDDEN}
# Sale A in the client space: its buyers, notary and partner; staff work in the back-office.
SALE_A_PARTIES = expect(
    OK,
    anonymous=LOGIN,
    other_buyer=NOT_FOUND,
    other_notary=NOT_FOUND,
    **roles(STAFF, REDIRECT),
)
# Pages of buyers only: notaries and partners have no business there.
BUYERS_SPACE = expect(
    OK,
    anonymous=LOGIN,
    notary=NOT_FOUND,
    other_notary=NOT_FOUND,
    partner=NOT_FOUND,
    **roles(STAFF, REDIRECT),
)


def _path(route: str):
    return lambda world: route


def _sale_a(route: str):
    return lambda world: route.format(sale=world.sale_a.pk)


CLIENT_SPACE = {
    "home": (_path("/"), expect(REDIRECT, anonymous=LOGIN)),
    "healthz": (_path("/healthz"), PUBLIC),
    "account": (_path("/account/"), SIGNED_IN),
    "set_language": (_path("/i18n/setlang/"), expect(REDIRECT)),
    "branding_css": (_path("/branding.css"), PUBLIC),
    "branding_logo": (_path("/branding/logo"), expect(NOT_FOUND)),  # no logo uploaded
    "branding_background": (_path("/branding/background"), expect(NOT_FOUND)),
    "space:dashboard": (
        _path("/space/"),
        expect(OK, anonymous=LOGIN, **roles(STAFF, REDIRECT)),
    ),
    "space:sale": (_sale_a("/space/sales/{sale}/"), SALE_A_PARTIES),
    "space:calendar": (_sale_a("/space/sales/{sale}/calendar/"), SALE_A_PARTIES),
    "space:reserve": (
        _path("/space/reserve/"),
        expect(
            OK,
            anonymous=LOGIN,
            notary=NOT_FOUND,
            other_notary=NOT_FOUND,
            partner=NOT_FOUND,
            **roles(STAFF, REDIRECT),
        ),
    ),
    # GET shows the confirmation step (changing nothing); the buyers of programme A may ask.
    "space:reserve_lot": (
        lambda w: f"/space/reserve/{w.free_lot_a.pk}/",
        expect(
            OK,
            anonymous=LOGIN,
            other_buyer=NOT_FOUND,
            notary=NOT_FOUND,
            other_notary=NOT_FOUND,
            partner=NOT_FOUND,
            **roles(STAFF, REDIRECT),
        ),
    ),
    # Sale A is no pending request of its buyers: nobody may withdraw it, nor learn more.
    "space:withdraw_request": (
        _sale_a("/space/sales/{sale}/withdraw-request/"),
        expect(NOT_FOUND, anonymous=LOGIN, **roles(STAFF, REDIRECT)),
    ),
    # An unknown, used, revoked or expired link: the same answer for everyone.
    "space:invitation": (_path("/space/invitation/not-a-real-token/"), expect(NOT_FOUND)),
    # Confirming a new address: its account's holder, logged in, with a valid link; else 404.
    "space:email_confirm": (_path("/space/email/not-a-real-token/"), expect(NOT_FOUND, anonymous=LOGIN)),
    # Buyers' own payments (scoped to the sales they buy); notaries and partners have none.
    "space:payments": (_path("/space/payments/"), BUYERS_SPACE),
    # The receipt of a payment of sale A: its buyers only.
    "space:receipt": (
        lambda w: f"/space/payments/{w.paid_payment_a.pk}/receipt/",
        expect(NOT_FOUND, anonymous=LOGIN, buyer=OK, cobuyer=OK, **roles(STAFF, REDIRECT)),
    ),
    # The portal link of a request is a bearer link: whoever holds the signed token may pay.
    "payments:pay": (lambda w: f"/payments/pay/{w.pay_token_a}/", PUBLIC),
    "payments:checkout": (lambda w: f"/payments/pay/{w.pay_token_a}/checkout/", expect(NOT_ALLOWED)),
    # Stripe posts its signed events; nothing answers a GET.
    "payments:stripe_webhook": (_path("/payments/stripe/webhook/"), expect(NOT_ALLOWED)),
    # The development checkout (no Stripe key): its session id is the key.
    "payments:simulated_checkout": (lambda w: f"/payments/simulated/{w.checkout_a.session_id}/", PUBLIC),
    # Sale A's schedule, its call letters and shared invoices: the parties of sale A read them.
    "space:schedule": (_sale_a("/space/sales/{sale}/schedule/"), SALE_A_PARTIES),
    "space:call_letter": (
        lambda w: f"/space/sales/{w.sale_a.pk}/calls/{schedule_documents(w)['call'].pk}/letter/",
        SALE_A_PARTIES,
    ),
    "space:invoice": (
        lambda w: f"/space/sales/{w.sale_a.pk}/invoices/{schedule_documents(w)['shared_invoice'].pk}/",
        SALE_A_PARTIES,
    ),
}

ACCOUNTS = {
    "account_login": (_path("/accounts/login/"), expect(REDIRECT, anonymous=OK)),
    "account_logout": (_path("/accounts/logout/"), expect(OK, anonymous=REDIRECT)),
    "account_inactive": (_path("/accounts/inactive/"), PUBLIC),
    "account_signup": (_path("/accounts/signup/"), expect(REDIRECT, anonymous=OK)),
    "account_reauthenticate": (_path("/accounts/reauthenticate/"), OWN_ACCOUNT),
    # Confirming one's identity again by an emailed code (allauth 65.22): one's own account only.
    "account_request_reauthentication_code": (_path("/accounts/reauthenticate/code/"), OWN_ACCOUNT),
    "account_confirm_reauthentication_code": (_path("/accounts/reauthenticate/code/confirm/"), OWN_ACCOUNT),
    "account_email": (_path("/accounts/email/"), SIGNED_IN),
    "account_email_verification_sent": (_path("/accounts/confirm-email/"), PUBLIC),
    "account_change_password": (_path("/accounts/password/change/"), SIGNED_IN),
    "account_set_password": (_path("/accounts/password/set/"), expect(REDIRECT, anonymous=LOGIN)),
    "account_reset_password": (_path("/accounts/password/reset/"), PUBLIC),
    # Without a code asked for, back to asking for one (anonymous users included).
    "account_confirm_login_code": (_path("/accounts/login/code/confirm/"), expect(REDIRECT)),
    "account_confirm_email": (_path("/accounts/confirm-email/not-a-key/"), PUBLIC),
    "account_reset_password_from_key_done": (_path("/accounts/password/reset/key/done/"), PUBLIC),
    "account_reset_password_from_key": (_path("/accounts/password/reset/key/1-not-a-key/"), PUBLIC),
    "account_reset_password_done": (_path("/accounts/password/reset/done/"), PUBLIC),
    "account_request_login_code": (_path("/accounts/login/code/"), expect(REDIRECT, anonymous=OK)),
    "mfa_index": (_path("/accounts/2fa/"), SIGNED_IN),
    "mfa_authenticate": (_path("/accounts/2fa/authenticate/"), expect(REDIRECT, anonymous=LOGIN)),
    "mfa_reauthenticate": (_path("/accounts/2fa/reauthenticate/"), OWN_ACCOUNT),
    "mfa_activate_totp": (_path("/accounts/2fa/totp/activate/"), OWN_ACCOUNT),
    "mfa_deactivate_totp": (_path("/accounts/2fa/totp/deactivate/"), OWN_ACCOUNT),
    "mfa_view_recovery_codes": (_path("/accounts/2fa/recovery-codes/"), OWN_ACCOUNT),
    "mfa_generate_recovery_codes": (_path("/accounts/2fa/recovery-codes/generate/"), OWN_ACCOUNT),
    "mfa_download_recovery_codes": (_path("/accounts/2fa/recovery-codes/download/"), OWN_ACCOUNT),
    "usersessions_list": (_path("/accounts/sessions/"), SIGNED_IN),
}


def _admin_objects(world: World) -> dict:
    """The object each admin model's change, history and delete pages are tried with.

    Made once whoever asks first (the GET table, the POST table): asking again returns them.
    """
    return {
        "auth.group": Group.objects.get(name="buyer"),
        "account.emailaddress": EmailAddress.objects.get(user=world.users["buyer"]),
        "mfa.authenticator": Authenticator.objects.filter(user=world.users["staff"]).first(),
        "usersessions.usersession": UserSession.objects.get_or_create(
            session_key="matrix",
            defaults={"user": world.users["buyer"], "ip": "192.0.2.1", "user_agent": "test"},
        )[0],
        "users.user": world.users["buyer"],
        "audit.auditentry": world.audit_entry,
        "branding.companysettings": world.company,
        "texts.messagetemplate": world.message_template,
        "outbox.outboxmessage": world.outbox_message,
        "alerts.alert": world.alert,
        "programmes.programme": world.programme_a,
        "programmes.lot": world.lot_a,
        "sales.buyer": world.buyer_a,
        "sales.sale": world.sale_a,
        **_payment_objects(world),
        **_call_admin_objects(world),
        **_schedule_template_objects(world),
        "schedules.invoice": schedule_documents(world)["invoice"],
        "schedules.bankstatement": statement_objects(world)["statement"],
        "schedules.ledgerentry": _ledger_entry_a(world),
    }


def _schedule_template_objects(world: World) -> dict:
    """Programme A's schedule template and the delivery tranche of sale A's schedule."""
    template, created = ScheduleTemplate.objects.get_or_create(programme=world.programme_a)
    if created:
        TemplateTranche.objects.create(
            template=template, position=1, label="Delivery", trigger=Trigger.DELIVERY, percent=Decimal("100")
        )
    tranche = Tranche.objects.filter(sale=world.sale_a).order_by("position").last()
    return {
        "schedules.scheduletemplate": template,
        "schedules.tranche": tranche or schedule_make(world.sale_a)[-1],
    }


def _payment_objects(world: World) -> dict:
    """Programme A's payment settings, sale A's own deposit, a refund of its paid request, an event."""
    paid = world.paid_payment_a
    return {
        "payments.payment": paid,
        "payments.mypayment": paid,  # sale A's advisor is the staff member of programme A
        "payments.paymentsettings": PaymentSettings.objects.get_or_create(programme=world.programme_a)[0],
        "payments.depositoverride": DepositOverride.objects.get_or_create(
            sale=world.sale_a, defaults={"amount": Decimal("10.00")}
        )[0],
        "payments.refund": Refund.objects.get_or_create(
            payment=paid,
            provider="manual",
            defaults={"amount": Decimal("1.00"), "state": Refund.State.SUCCEEDED},
        )[0],
        "payments.webhookevent": WebhookEvent.objects.get_or_create(
            provider="stripe",
            event_id="evt_matrix",
            defaults={"type": "checkout.session.completed", "payload": {}},
        )[0],
    }


# Sale A's advisor (the staff member of programme A) only: "my payments" of another advisor,
# administrators included, do not exist.
ADVISOR_OF_SALE_A = expect(NOT_FOUND, anonymous=LOGIN, staff=OK, **roles(NON_STAFF, LOGIN))
# Recording money and refunding are for accountants and administrators (ACC-3): the sales staff
# and customer service of programme A are refused (403), other programmes' staff never learn the
# payment exists (404).
ACCOUNTING_IN_PROGRAMME_A = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    other_staff=NOT_FOUND,
    accountant=OK,
    **roles(ADMINS, OK),
    **roles(NON_STAFF, LOGIN),
)
POST_ONLY_IN_BACK_OFFICE = expect(NOT_ALLOWED, anonymous=LOGIN, **roles(NON_STAFF, LOGIN))
# Bank statements (SCH-5): those who record transfers (payments.reconcile_payment), accountants
# and administrators; other staff are refused (403) and the menu does not show them the pages.
STATEMENT_ACCOUNTANTS = expect(
    FORBIDDEN, anonymous=LOGIN, accountant=OK, **roles(ADMINS, OK), **roles(NON_STAFF, LOGIN)
)

# The ledger (SCH-4): accountants and administrators, whatever the schedules permissions.
LEDGER_READERS = expect(
    FORBIDDEN, anonymous=LOGIN, accountant=OK, **roles(ADMINS, OK), **roles(NON_STAFF, LOGIN)
)


# Schedules (portal.users.roles): every staff member reads programme A's schedules, calls and
# invoices; another programme's staff never learn they exist (404). Sellers set the templates,
# change a sale's schedule, consign its balance and upload certificates; sellers and accountants
# start calls for funds; accountants issue invoices. Customer service only reads.
SCHEDULES_LIST = BACK_OFFICE_ALL_STAFF
SCHEDULES_OBJECT_A = PROGRAMME_A_STAFF
SCHEDULES_SELLERS_ADD = BACK_OFFICE_SALES
SCHEDULES_CALLERS_ADD = BACK_OFFICE_ALL_STAFF | {"customer_service": FORBIDDEN}
SCHEDULES_ACCOUNTANTS_ADD = expect(
    FORBIDDEN, anonymous=LOGIN, accountant=OK, **roles(ADMINS, OK), **roles(NON_STAFF, LOGIN)
)

# Per admin model: the outcome of its list, add, change/history and delete pages by role.
# Sales staff may view and change sales and buyers, view programmes, view and change lots.
ADMIN_MODELS = {
    "auth.group": {
        "changelist": ADMINISTRATORS_ONLY,
        "change": ADMINISTRATORS_ONLY,
        "add": SUPERUSER_ONLY,
        "delete": SUPERUSER_ONLY,
    },
    "account.emailaddress": dict.fromkeys(["changelist", "add", "change", "delete"], ADMINISTRATORS_ONLY),
    # A second factor is set up by its owner and a session by logging in: administrators read
    # them and delete a lost one; nobody adds one by hand.
    "mfa.authenticator": {
        "changelist": ADMINISTRATORS_ONLY,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": ADMINISTRATORS_ONLY,
        "delete": ADMINISTRATORS_ONLY,
    },
    "usersessions.usersession": {
        "changelist": ADMINISTRATORS_ONLY,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": ADMINISTRATORS_ONLY,
        "delete": ADMINISTRATORS_ONLY,
    },
    "users.user": dict.fromkeys(["changelist", "add", "change", "delete"], ADMINISTRATORS_ONLY),
    # Append-only: nobody adds, changes or deletes an audit entry or an outbox message by hand.
    "audit.auditentry": {
        "changelist": ADMINISTRATORS_ONLY,
        "change": ADMINISTRATORS_ONLY,
        "add": NOBODY_IN_BACK_OFFICE,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    "outbox.outboxmessage": {
        "changelist": ADMINISTRATORS_ONLY,
        "change": ADMINISTRATORS_ONLY,
        "add": NOBODY_IN_BACK_OFFICE,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # One row, never deleted; its list opens the row and its add page exists only before it.
    "branding.companysettings": {
        "changelist": expect(
            FORBIDDEN, anonymous=LOGIN, **roles(ADMINS, REDIRECT), **roles(NON_STAFF, LOGIN)
        ),
        "add": NOBODY_IN_BACK_OFFICE,
        "change": ADMINISTRATORS_ONLY,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    "texts.messagetemplate": dict.fromkeys(["changelist", "add", "change", "delete"], ADMINISTRATORS_ONLY),
    # A personal inbox: everyone on staff has one, and only the alert's owner (the staff member
    # of programme A) opens it, administrators included. Alerts are written by the notify service.
    "alerts.alert": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": expect(NOT_FOUND, anonymous=LOGIN, staff=OK, **roles(NON_STAFF, LOGIN)),
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    "programmes.programme": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": ADMINISTRATORS_ONLY,
        "change": PROGRAMME_A_STAFF,
        "delete": ADMINISTRATORS_ONLY | {"other_staff": FORBIDDEN},
    },
    "programmes.lot": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": ADMINISTRATORS_ONLY,
        "change": PROGRAMME_A_STAFF,
        "delete": ADMINISTRATORS_ONLY,
    },
    "sales.buyer": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": BACK_OFFICE_SALES,
        "change": PROGRAMME_A_STAFF,
        "delete": ADMINISTRATORS_ONLY,
    },
    # A sale is cancelled, never deleted: its history must stay.
    "sales.sale": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": BACK_OFFICE_SALES,
        "change": PROGRAMME_A_STAFF,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # Payments are made and changed by the services only: their pages read, their buttons act.
    "payments.payment": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": PROGRAMME_A_STAFF,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    "payments.mypayment": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": ADVISOR_OF_SALE_A,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # Sales staff read their programmes' settings; accountants and administrators set them.
    "payments.paymentsettings": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": ADMINISTRATORS_ONLY | {"accountant": OK},
        "change": PROGRAMME_A_STAFF,
        "delete": ADMINISTRATORS_ONLY,
    },
    # Sales staff and accountants set a sale's own deposit (within the legal cap).
    "payments.depositoverride": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": BACK_OFFICE_ALL_STAFF | {"customer_service": FORBIDDEN},
        "change": PROGRAMME_A_STAFF,
        "delete": PROGRAMME_A_SALES_AND_ACCOUNTS,
    },
    # Refunds are asked for from a payment's page; their list only reads.
    "payments.refund": {
        "changelist": BACK_OFFICE_ALL_STAFF,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": PROGRAMME_A_STAFF,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # The ledger is read by accountants (their programmes') and administrators; services write it.
    "schedules.ledgerentry": {
        "changelist": LEDGER_READERS,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": LEDGER_READERS | {"other_staff": frozenset({FORBIDDEN, NOT_FOUND})},
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # Bank statements are imported from a file, never added or edited by hand; their page reads.
    "schedules.bankstatement": {
        "changelist": STATEMENT_ACCOUNTANTS,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": STATEMENT_ACCOUNTANTS | {"other_staff": frozenset({FORBIDDEN, NOT_FOUND})},
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # A template is changed, never deleted (sales keep their copies); a sale's tranches come from
    # its template and are changed one by one, never added or deleted by hand.
    "schedules.scheduletemplate": {
        "changelist": SCHEDULES_LIST,
        "add": SCHEDULES_SELLERS_ADD,
        "change": SCHEDULES_OBJECT_A,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # Issued invoices are final: added from lines or a file, shared from the list, never edited.
    "schedules.invoice": {
        "changelist": SCHEDULES_LIST,
        "add": SCHEDULES_ACCOUNTANTS_ADD,
        "change": SCHEDULES_OBJECT_A,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    "schedules.tranche": {
        "changelist": SCHEDULES_LIST,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": SCHEDULES_OBJECT_A,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # Calls for funds (SCH-3): batches are started from "add" (a milestone, its preview) and
    # followed on their page; calls are written by the services; certificates are uploaded.
    "schedules.callbatch": {
        "changelist": SCHEDULES_LIST,
        "add": SCHEDULES_CALLERS_ADD,
        "change": SCHEDULES_OBJECT_A,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    "schedules.callforfunds": {
        "changelist": SCHEDULES_LIST,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": SCHEDULES_OBJECT_A,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    "schedules.stagecertificate": {
        "changelist": SCHEDULES_LIST,
        "add": SCHEDULES_SELLERS_ADD,
        "change": SCHEDULES_OBJECT_A,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
    # The provider's events span every programme.
    "payments.webhookevent": {
        "changelist": ADMINISTRATORS_ONLY,
        "add": NOBODY_IN_BACK_OFFICE,
        "change": ADMINISTRATORS_ONLY,
        "delete": NOBODY_IN_BACK_OFFICE,
    },
}

ADMIN_VIEWS = {
    "changelist": "",
    "add": "add/",
    "history": "{pk}/history/",
    "change": "{pk}/change/",
    "delete": "{pk}/delete/",
}


def admin_entries(world: World) -> dict:
    objects = _admin_objects(world)
    entries = {}
    for label, by_view in ADMIN_MODELS.items():
        app_label, model = label.split(".")
        pk = objects[label].pk
        for view, suffix in ADMIN_VIEWS.items():
            outcome = by_view["change" if view == "history" else view]
            path = f"/admin/{app_label}/{model}/{suffix.format(pk=pk)}"
            entries[f"admin:{app_label}_{model}_{view}"] = (path, outcome)
        # The bare object URL redirects to its change page, behind the same login.
        entries[f"admin/{app_label}/{model}/<path:object_id>/"] = (
            f"/admin/{app_label}/{model}/{pk}/",
            expect(REDIRECT, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        )
    sale, sale_type = world.sale_a.pk, ContentType.objects.get_for_model(world.sale_a).pk
    entries |= {
        "admin:index": ("/admin/", BACK_OFFICE_ALL_STAFF),
        "admin:login": ("/admin/login/", expect(REDIRECT, anonymous=LOGIN, **roles(NON_STAFF, FORBIDDEN))),
        # POST only; a GET is sent back to the admin, which then asks non-staff to log in.
        "admin:logout": (
            "/admin/logout/",
            expect(REDIRECT, **roles(STAFF, NOT_ALLOWED)),
        ),
        "admin:password_change": ("/admin/password_change/", BACK_OFFICE_ALL_STAFF),
        "admin:password_change_done": ("/admin/password_change/done/", BACK_OFFICE_ALL_STAFF),
        "admin:autocomplete": (
            "/admin/autocomplete/",
            expect(FORBIDDEN, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        "admin:jsi18n": ("/admin/jsi18n/", BACK_OFFICE_ALL_STAFF),
        "admin:view_on_site": (
            f"/admin/r/{sale_type}/{sale}/",
            expect(NOT_FOUND, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        "admin:app_list": ("/admin/sales/", BACK_OFFICE_ALL_STAFF),
        "admin/(?P<url>.*)$": (
            "/admin/no-such-page/",
            expect(NOT_FOUND, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        "admin:auth_user_password_change": (
            f"/admin/users/user/{world.users['buyer'].pk}/password/",
            ADMINISTRATORS_ONLY,
        ),
        "admin:texts_messagetemplate_preview": (
            f"/admin/texts/messagetemplate/{world.message_template.pk}/preview/",
            ADMINISTRATORS_ONLY,
        ),
        "admin:sales_sale_dashboard": ("/admin/sales/sale/dashboard/", BACK_OFFICE_ALL_STAFF),
        "admin:sales_sale_savedview_save": (
            "/admin/sales/sale/saved-views/",
            expect(NOT_ALLOWED, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        "admin:sales_sale_savedview_delete": (
            f"/admin/sales/sale/saved-views/{world.saved_view.pk}/delete/",
            expect(NOT_ALLOWED, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        # Creating logins is for administrators; sales staff assign existing accounts to sales.
        "admin:sales_sale_partner_account": ("/admin/sales/sale/partner-account/", ADMINISTRATORS_ONLY),
        "admin:sales_sale_stage": (
            f"/admin/sales/sale/{sale}/stage/",
            expect(NOT_ALLOWED, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        "admin:sales_sale_request": (
            f"/admin/sales/sale/{sale}/request/confirm/",
            expect(NOT_ALLOWED, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        # Ending a sale or refusing a request: a GET shows the confirmation (changing nothing) to
        # those who may change sale A; sale A is no buyer's request, so refusing it is said on its page.
        "admin:sales_sale_stage#cancel": (
            f"/admin/sales/sale/{sale}/stage/?target=cancelled",
            PROGRAMME_A_SALES_ONLY,
        ),
        "admin:sales_sale_request#refuse": (
            f"/admin/sales/sale/{sale}/request/refuse/",
            PROGRAMME_A_SALES_ONLY | {"staff": REDIRECT, **roles(ADMINS, REDIRECT)},
        ),
        "admin:sales_sale_reactivate": (
            f"/admin/sales/sale/{sale}/reactivate/",
            expect(NOT_ALLOWED, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
        "admin:sales_sale_access": (
            f"/admin/sales/sale/{sale}/access/send/",
            expect(NOT_ALLOWED, anonymous=LOGIN, **roles(NON_STAFF, LOGIN)),
        ),
    }
    entries |= _statement_admin_entries(world)
    entries |= _call_admin_entries(world)
    return (
        entries
        | _payment_admin_entries(world)
        | _schedule_template_admin_entries(world)
        | _invoice_and_export_admin_entries(world)
    )


def schedule_documents(world: World) -> dict:
    """Sale A's call for funds (with its letter) and two invoices, one shared with its buyers.

    Made once whoever asks first (the GET table, the POST table): asking again returns them."""
    sale = world.sale_a
    tranche = Tranche.objects.filter(sale=sale).order_by("position").first() or schedule_make(sale)[0]
    call, created = CallForFunds.objects.get_or_create(
        tranche=tranche,
        defaults={
            "sale": sale,
            "programme": sale.programme,
            "buyer": world.buyer_a,
            "number": "AF-MATRIX",
            "amount": tranche.amount,
            "currency": sale.programme.currency,
            "percent": tranche.percent,
            "cumulated_percent": tranche.percent,
            "notified_on": date(2026, 1, 5),
            "due_on": date(2026, 1, 20),
        },
    )
    if created:
        call.letter = _stored_pdf("calls/matrix/AF-MATRIX.pdf")
        call.save(update_fields=["letter"])
    invoices = {}
    for key, number, shared in [("invoice", "FA-MATRIX-1", False), ("shared_invoice", "FA-MATRIX-2", True)]:
        invoices[key], created = Invoice.objects.get_or_create(
            legal_entity=sale.programme.legal_entity,
            number=number,
            defaults={
                "sale": sale,
                "programme": sale.programme,
                "source": Invoice.Source.UPLOADED,
                "issued_on": date(2026, 1, 5),
                "amount_net": Decimal("100.00"),
                "amount_vat": Decimal("20.00"),
                "amount_total": Decimal("120.00"),
                "currency": sale.programme.currency,
                "shared_with_buyer": shared,
                "file": _stored_pdf(f"invoices/matrix/{number}.pdf"),
            },
        )
    return {"call": call, **invoices}


def _stored_pdf(name: str) -> str:
    default_storage.delete(name)
    return default_storage.save(name, ContentFile(b"%PDF-1.4 matrix"))


# The accounting export: accountants and administrators, whatever the schedules permissions.
ACCOUNTANTS_AND_ADMINISTRATORS = expect(
    FORBIDDEN, anonymous=LOGIN, accountant=OK, **roles(ADMINS, OK), **roles(NON_STAFF, LOGIN)
)


def _invoice_and_export_admin_entries(world: World) -> dict:
    invoice = schedule_documents(world)["invoice"].pk
    return {
        "admin:schedules_invoice_pdf": (f"/admin/schedules/invoice/{invoice}/pdf/", SCHEDULES_OBJECT_A),
        "admin:schedules_accounting_export": (
            "/admin/schedules/accounting-export/",
            ACCOUNTANTS_AND_ADMINISTRATORS,
        ),
    }


def _schedule_template_admin_entries(world: World) -> dict:
    """Consigning sale A's balance: a GET shows the confirmation; ending a consignment that is not
    one is said on the tranche's page."""
    tranche = _admin_objects(world)["schedules.tranche"].pk
    return {
        "admin:schedules_tranche_sale": (
            f"/admin/schedules/tranche/sale/{world.sale_a.pk}/",
            SCHEDULES_OBJECT_A,
        ),
        "admin:schedules_tranche_consign": (
            f"/admin/schedules/tranche/{tranche}/consign/",
            PROGRAMME_A_SALES_ONLY,
        ),
        "admin:schedules_tranche_unconsign": (
            f"/admin/schedules/tranche/{tranche}/unconsign/",
            PROGRAMME_A_SALES_ONLY | {"staff": REDIRECT, **roles(ADMINS, REDIRECT)},
        ),
    }


def _payment_admin_entries(world: World) -> dict:
    """The custom pages of the payment lists (all payments, my payments) and of asking for money."""
    sale, pay = world.sale_a.pk, world.paid_payment_a.pk
    entries = {
        "admin:payments_payment_request": (
            f"/admin/payments/payment/request/{sale}/",
            PROGRAMME_A_SALES_AND_ACCOUNTS,
        ),
        "admin:payments_payment_deposit": (
            f"/admin/payments/payment/deposit/{sale}/",
            POST_ONLY_IN_BACK_OFFICE,
        ),
    }
    # "My payments" holds the same payment for its advisor only.
    pages = {
        # Cancelling the paid payment: those who ask for money are sent back to its page, where
        # the refusal is said; there is nothing to confirm.
        "payment": {
            "receipt": PROGRAMME_A_STAFF,
            "accounting": ACCOUNTING_IN_PROGRAMME_A,
            "cancel": expect(
                REDIRECT,
                anonymous=LOGIN,
                other_staff=NOT_FOUND,
                customer_service=FORBIDDEN,
                **roles(NON_STAFF, LOGIN),
            ),
        },
        "mypayment": {
            "receipt": ADVISOR_OF_SALE_A,
            "accounting": expect(NOT_FOUND, anonymous=LOGIN, staff=FORBIDDEN, **roles(NON_STAFF, LOGIN)),
            "cancel": expect(NOT_FOUND, anonymous=LOGIN, staff=REDIRECT, **roles(NON_STAFF, LOGIN)),
        },
    }
    for model, outcomes in pages.items():
        base = f"/admin/payments/{model}"
        entries |= {
            f"admin:payments_{model}_export": (
                f"{base}/export/csv/?status__exact=paid",
                BACK_OFFICE_ALL_STAFF,
            ),
            f"admin:payments_{model}_operation": (f"{base}/{pay}/do/reconcile/", POST_ONLY_IN_BACK_OFFICE),
            # Cancelling a request: a GET shows the confirmation, changing nothing.
            f"admin:payments_{model}_operation#cancel": (f"{base}/{pay}/do/cancel/", outcomes["cancel"]),
            f"admin:payments_{model}_transfer": (f"{base}/{pay}/transfer/", outcomes["accounting"]),
            f"admin:payments_{model}_refund": (f"{base}/{pay}/refund/", outcomes["accounting"]),
            f"admin:payments_{model}_receipt": (f"{base}/{pay}/receipt/", outcomes["receipt"]),
        }
    return entries


def policy_table(world: World) -> dict:
    entries = {key: (build(world), outcome) for key, (build, outcome) in {**CLIENT_SPACE, **ACCOUNTS}.items()}
    return entries | admin_entries(world) | _ledger_admin_entries(world)


def _ledger_entry_a(world: World):
    """The ledger entry of sale A's paid request (recorded when its transfer was)."""
    from schedules.models import LedgerEntry

    return LedgerEntry.objects.filter(sale=world.sale_a).order_by("pk").first()


def _ledger_admin_entries(world: World) -> dict:
    entry = _ledger_entry_a(world).pk
    return {
        "admin:schedules_ledgerentry_reallocate": (
            f"/admin/schedules/ledgerentry/{entry}/reallocate/",
            LEDGER_READERS,
        ),
    }


def statement_objects(world: World) -> dict:
    """A statement of programme A's escrow account with one transfer still to match (1.00).

    Made once whoever asks first (the GET table, the POST table): asking again returns them."""
    from schedules.models import BankStatement, StatementLine

    statement, _created = BankStatement.objects.get_or_create(
        sha256="matrix",
        defaults={
            "format": BankStatement.Format.CAMT053,
            "file_name": "matrix.xml",
            "account_iban": world.programme_a.escrow_iban,
            "lines_total": 1,
            "lines_new": 1,
        },
    )
    line, _created = StatementLine.objects.get_or_create(
        bank_reference="MATRIX-1",
        index=0,
        defaults={
            "statement": statement,
            "booked_on": date(2026, 1, 5),
            "amount": Decimal("1.00"),
            "currency": world.programme_a.currency,
            "debtor_name": "Matrix Payer",
        },
    )
    return {"statement": statement, "line": line}


def _statement_admin_entries(world: World) -> dict:
    line = statement_objects(world)["line"].pk
    base = "/admin/schedules/bankstatement"
    return {
        "admin:schedules_bankstatement_import": (f"{base}/import/", STATEMENT_ACCOUNTANTS),
        "admin:schedules_bankstatement_lines": (f"{base}/lines/", STATEMENT_ACCOUNTANTS),
        # The import's progress fragment (OPS-4), polled by its result page.
        "admin:schedules_bankstatement_progress": (
            f"{base}/{statement_objects(world)['statement'].pk}/progress/",
            STATEMENT_ACCOUNTANTS,
        ),
        # Matching and setting aside answer only POST.
        "admin:schedules_bankstatement_match": (f"{base}/lines/{line}/match/", POST_ONLY_IN_BACK_OFFICE),
        "admin:schedules_bankstatement_ignore": (f"{base}/lines/{line}/ignore/", POST_ONLY_IN_BACK_OFFICE),
    }


def call_objects(world: World) -> dict:
    """Programme A's foundations, reached, with its certificate and its batch (done), a call for
    funds of sale A's foundations tranche with its letter, and the weather-tight milestone,
    reached, whose calls are still to start.

    Made once whoever asks first (the GET table, the POST table): asking again returns them."""
    from programmes.models import Milestone
    from schedules.models import CallBatch, StageCertificate

    programme, sale = world.programme_a, world.sale_a
    reached = {"planned_date": date(2026, 1, 20), "actual_date": date(2026, 1, 20)}
    foundations, _created = Milestone.objects.get_or_create(
        programme=programme, kind="foundations", defaults=reached
    )
    weather_tight, _created = Milestone.objects.get_or_create(
        programme=programme, kind="weather_tight", defaults=reached
    )
    batch, _created = CallBatch.objects.get_or_create(
        programme=programme,
        trigger=Trigger.FOUNDATIONS,
        milestone=foundations,
        defaults={"reached_on": date(2026, 1, 20), "state": CallBatch.State.DONE, "total": 1, "done": 1},
    )
    certificate = StageCertificate.objects.filter(milestone=foundations).first()
    if certificate is None:
        certificate = StageCertificate.objects.create(
            milestone=foundations, file=_call_pdf("certificates/matrix/foundations.pdf")
        )
    if not Tranche.objects.filter(sale=sale).exists():
        schedule_make(sale)
    tranche = Tranche.objects.filter(sale=sale, trigger=Trigger.FOUNDATIONS).first()
    if tranche is None:
        last = Tranche.objects.filter(sale=sale).order_by("position").last()
        tranche = Tranche.objects.create(
            sale=sale,
            position=last.position + 1,
            label="Foundations",
            trigger=Trigger.FOUNDATIONS,
            percent=Decimal("1"),
            amount=Decimal("1.00"),
        )
    call = CallForFunds.objects.filter(tranche=tranche).first()
    if call is None:
        call = CallForFunds.objects.create(
            tranche=tranche,
            batch=batch,
            sale=sale,
            programme=programme,
            buyer=world.buyer_a,
            number="AF-MATRIX-CALLS",
            amount=tranche.amount,
            currency=programme.currency,
            percent=tranche.percent,
            cumulated_percent=tranche.percent,
            notified_on=date(2026, 1, 21),
            due_on=date(2026, 2, 5),
            letter=_call_pdf("calls/matrix/AF-MATRIX-CALLS.pdf"),
        )
    return {
        "foundations": foundations,
        "weather_tight": weather_tight,
        "schedules.callbatch": batch,
        "schedules.callforfunds": call,
        "schedules.stagecertificate": certificate,
    }


def _call_pdf(name: str) -> str:
    default_storage.delete(name)
    return default_storage.save(name, ContentFile(b"%PDF-1.4 matrix"))


def _call_admin_objects(world: World) -> dict:
    objects = call_objects(world)
    return {
        label: objects[label]
        for label in ["schedules.callbatch", "schedules.callforfunds", "schedules.stagecertificate"]
    }


def _call_admin_entries(world: World) -> dict:
    """Previewing the weather-tight calls (those who start calls; another programme's staff never
    learn the milestone exists), the batch's progress and a call's letter (programme A's staff)."""
    objects = call_objects(world)
    base = "/admin/schedules"
    return {
        "admin:schedules_callbatch_preview": (
            f"{base}/callbatch/preview/{objects['weather_tight'].pk}/",
            PROGRAMME_A_SALES_AND_ACCOUNTS,
        ),
        "admin:schedules_callbatch_progress": (
            f"{base}/callbatch/{objects['schedules.callbatch'].pk}/progress/",
            SCHEDULES_OBJECT_A,
        ),
        "admin:schedules_callforfunds_letter": (
            f"{base}/callforfunds/{objects['schedules.callforfunds'].pk}/letter/",
            SCHEDULES_OBJECT_A,
        ),
    }
