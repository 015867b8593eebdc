"""The access policy of every state-changing URL (every view that accepts POST), for every role.

Each case gives the path, the body a user with business there would post (valid, so a missing
permission check would change something) and the outcome each role must get:

- CHANGED: the action was done (the database differs afterwards);
- OK / REDIRECT: the request was taken but changed nothing (a form shown again with its errors,
  a list action the user does not hold, a button whose service refused with a sentence);
- LOGIN / FORBIDDEN / NOT_FOUND / NOT_ALLOWED / BAD_REQUEST: refused, and the matrix also proves
  that nothing at all changed in the database.

A URL pattern that takes a POST without a case here (or a place in READ_ONLY_ON_POST) fails the
matrix. Keys are URL names; "name#variant" tries one pattern with another object or body.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from unittest import mock

from django.db import transaction
from django.utils import timezone

from payments.models import Payment
from portal.outbox.models import OutboxMessage
from programmes.models import Lot, Programme
from sales.invitations import buyer_login_email_follow, invitation_send
from sales.models import Buyer, Sale, Stage
from sales.services import sale_create, sale_move_stage, sale_request_reservation
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make
from tests.matrix.outcomes import FORBIDDEN, LOGIN, NOT_ALLOWED, NOT_FOUND, OK, REDIRECT
from tests.matrix.policy import ADMIN_MODELS, _admin_objects, expect, roles
from tests.matrix.world import ADMINS, NON_STAFF, STAFF, World

CHANGED = "changed"
BAD_REQUEST = "400"
REFUSALS = {LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, BAD_REQUEST}

INVITATION_TOKEN = "matrix-invitation-token"


@dataclass
class PostWorld:
    """What the POST cases act on, besides the GET matrix's world."""

    world: World
    admin_objects: dict
    open_payment: Payment  # sale A's open request (card, checkout opened)
    pending_sale: Sale  # the co-buyer's own reservation request on programme A, not confirmed
    cancelled_sale: Sale  # a cancelled sale of programme A, whose lot is free again
    invited_sale: Sale  # a sale of programme A whose buyer has no account yet: access was sent
    spare_buyer: object  # a buyer of no sale
    spare_lot: Lot  # a free lot of programme A
    empty_programme: Programme  # no lots, no staff: deleting it deletes nothing else
    email_change_token: str  # the co-buyer's link to confirm the new address staff typed for him


def post_world_build(world: World) -> PostWorld:
    programme_a, staff = world.programme_a, world.users["staff"]
    pending_lot, cancelled_lot, invited_lot, spare_lot = lots_make(programme_a, 4)
    pending = sale_request_reservation(user=world.users["cobuyer"], lot=pending_lot)
    cancelled = sale_create(
        actor=staff, programme=programme_a, lots=[cancelled_lot], buyers=[BuyerFactory()], advisor=staff
    )
    cancelled = sale_move_stage(actor=staff, sale=cancelled, target=Stage.CANCELLED)
    invited = BuyerFactory(email="invited@example.test")
    invited_sale = sale_create(
        actor=staff, programme=programme_a, lots=[invited_lot], buyers=[invited], advisor=staff
    )
    # The link's token is emailed, never stored: fix it to post to the link the buyer received.
    with mock.patch("secrets.token_urlsafe", return_value=INVITATION_TOKEN):
        invitation_send(actor=staff, buyer=invited)
    # A French deposit's cap needs the deed's planned date (CCH R261-28); a message is resent
    # only once sent or failed.
    Sale.objects.filter(pk__in=[world.sale_a.pk, pending.pk]).update(deed_planned_on=date(2027, 6, 1))
    OutboxMessage.objects.filter(pk=world.outbox_message.pk).update(state=OutboxMessage.State.FAILED)
    return PostWorld(
        email_change_token=_email_change_token(world),
        world=world,
        admin_objects=_admin_objects(world),
        open_payment=world.checkout_a.payment,
        pending_sale=pending,
        cancelled_sale=cancelled,
        invited_sale=invited_sale,
        spare_buyer=BuyerFactory(email="spare@example.test"),
        spare_lot=spare_lot,
        empty_programme=ProgrammeFactory(),
    )


def _email_change_token(world: World) -> str:
    """Staff type a new address for the co-buyer, who has a password: he is sent a link to confirm."""
    buyer = Buyer.objects.get(user=world.users["cobuyer"])
    old_email, buyer.email = buyer.email, "cobuyer.new@example.test"
    with transaction.atomic():
        buyer.save(update_fields=["email"])
        done = buyer_login_email_follow(actor=world.users["staff"], buyer=buyer, old_email=old_email)
    assert done == "confirmation_sent", done
    # The link is only in the email (the outbox keeps it until sent): read it there, as he would.
    texts = OutboxMessage.objects.filter(text__contains="/space/email/").values_list("text", flat=True)
    return re.search(r"/space/email/([^/\s]+)/", texts.latest("pk")).group(1)


@dataclass
class FormOf:
    """The body of the form on `page` as the superuser sees it, with `changes` applied."""

    page: str
    changes: dict = field(default_factory=dict)


@dataclass
class Case:
    path: str
    body: dict | FormOf
    expected: dict


def back_office(default, **by_role) -> dict:
    """An admin URL: anonymous users and non-staff are sent to log in."""
    return expect(default, anonymous=LOGIN, **roles(NON_STAFF, LOGIN), **by_role)


# The staff of programme A are "staff" (sales), "accountant" and "customer_service"; "other_staff"
# sells programme B and never learns that programme A's objects exist.
NOBODY = back_office(FORBIDDEN)
ADMINS_CHANGE = back_office(FORBIDDEN, **roles(ADMINS, CHANGED))
SUPERUSER_CHANGES = back_office(FORBIDDEN, administrator=CHANGED)
OWN_ACCOUNT_CHANGES = expect(CHANGED, anonymous=LOGIN)
# A list action the user does not hold is not offered: the list is shown again, unchanged.
DELETE_ACTION_ADMINS = back_office(OK, **roles(ADMINS, CHANGED))
# Sending or revoking buyers' access (sales.change_buyer): sales staff, customer service,
# administrators; other programmes' sales are not in the list (nothing selected, sent back).
SENDS_ACCESS = back_office(CHANGED, accountant=OK, other_staff=REDIRECT)
# Sale A's file: its sales staff and administrators change it; accountants and customer service
# only read it; another programme's staff get 404 where the page looks the sale up first.
CHANGES_SALE_A = back_office(FORBIDDEN, staff=CHANGED, other_staff=NOT_FOUND, **roles(ADMINS, CHANGED))
# Issuing invoices: accountants and administrators.
ACCOUNTANTS_CHANGE = back_office(FORBIDDEN, accountant=CHANGED, **roles(ADMINS, CHANGED))


def admin_model_cases(pw: PostWorld) -> dict[str, dict]:
    """Per admin model: the bodies (changes to the superuser's form) and outcomes of each page."""
    w = pw.world
    return {
        # Roles are code (portal.users.roles): administrators read them, a superuser edits them.
        "auth.group": {
            "add_body": {"name": "matrix group"},
            "add": SUPERUSER_CHANGES,
            "change_body": {"name": "buyers"},
            "change": SUPERUSER_CHANGES,
            "delete": SUPERUSER_CHANGES,
            "actions": {"delete_selected": back_office(FORBIDDEN, administrator=CHANGED, admin_member=OK)},
        },
        "account.emailaddress": {
            "add_body": {"user": str(w.users["buyer"].pk), "email": "second@example.test"},
            "add": ADMINS_CHANGE,
            "change_body": {"verified": ""},
            "change": ADMINS_CHANGE,
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": ADMINS_CHANGE},
        },
        # A second factor is set up by its owner and a session by logging in: administrators
        # only read them, and delete a lost one.
        "mfa.authenticator": {
            "add": NOBODY,
            "change": NOBODY,
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": ADMINS_CHANGE},
        },
        "usersessions.usersession": {
            "add": NOBODY,
            "change": NOBODY,
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": ADMINS_CHANGE},
        },
        "users.user": {
            "add_body": {
                "email": "new.user@example.test",
                "password1": "A-l0ng-pass!",
                "password2": "A-l0ng-pass!",
            },
            "add": ADMINS_CHANGE,
            "change_body": {"first_name": "Changed"},
            "change": ADMINS_CHANGE,
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": ADMINS_CHANGE},
        },
        # Append-only.
        "audit.auditentry": {
            "add": NOBODY,
            "change": NOBODY,
            "delete": NOBODY,
            "actions": {"delete_selected": back_office(FORBIDDEN, **roles(ADMINS, OK))},
        },
        "outbox.outboxmessage": {
            "add": NOBODY,
            "change": NOBODY,
            "delete": NOBODY,
            "actions": {"resend": ADMINS_CHANGE},
        },
        "branding.companysettings": {
            "add": NOBODY,
            "change_body": {"name": "Changed"},
            "change": ADMINS_CHANGE,
            "delete": NOBODY,
            "actions": {},
        },
        "texts.messagetemplate": {
            "add_body": {"kind": "login_code", "language": "fr", "subject": "S", "text": "{code}"},
            "add": ADMINS_CHANGE,
            "change_body": {"subject": "Changed"},
            "change": ADMINS_CHANGE,
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": ADMINS_CHANGE},
        },
        # The owner's inbox: he marks his alerts read from the list; nobody edits one by hand.
        "alerts.alert": {
            "add": NOBODY,
            "change": back_office(NOT_FOUND, staff=FORBIDDEN),
            "delete": NOBODY,
            "actions": {"mark_read": back_office(REDIRECT, staff=CHANGED)},
        },
        "programmes.programme": {
            "delete_object": pw.empty_programme,
            "add_body": {
                "name": "New",
                "code": "new-programme",
                "address": "1 rue",
                "postcode": "69001",
                "city": "Lyon",
                "legal_entity": "SCCV",
            },
            "add": ADMINS_CHANGE,
            "change_body": {"name": "Changed"},
            "change": ADMINS_CHANGE,
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": DELETE_ACTION_ADMINS},
        },
        "programmes.lot": {
            "delete_object": pw.spare_lot,
            "add_body": {"programme": str(w.programme_a.pk), "number": "N-1", "price": "100000.00"},
            "add": ADMINS_CHANGE,
            "change_body": {"price": "210000.00"},
            "change": CHANGES_SALE_A,
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": DELETE_ACTION_ADMINS},
        },
        "sales.buyer": {
            "delete_object": pw.spare_buyer,
            "add_body": {"first_name": "New", "last_name": "Buyer", "email": "new.buyer@example.test"},
            "add": back_office(CHANGED, accountant=FORBIDDEN, customer_service=FORBIDDEN),
            "change_body": {"phone": "+33612345678"},
            "change": back_office(CHANGED, accountant=FORBIDDEN, other_staff=NOT_FOUND),
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": DELETE_ACTION_ADMINS},
        },
        # A sale is opened by sales staff (another programme's lot is no choice for them).
        "sales.sale": {
            "action_object": pw.invited_sale,
            "add_body": {
                "lots": [str(pw.spare_lot.pk)],
                "main_buyer": str(pw.spare_buyer.pk),
                "advisor": str(w.users["staff"].pk),
            },
            "add": back_office(CHANGED, accountant=FORBIDDEN, customer_service=FORBIDDEN, other_staff=OK),
            "change_body": {"contract_number": "C-42"},
            "change": CHANGES_SALE_A,
            "delete": NOBODY,
            "actions": {"send_access": SENDS_ACCESS, "revoke_access": SENDS_ACCESS},
        },
        # Payments are written by services only; reconciling is the accountants' (ACC-3), marking
        # read is anyone's own.
        "payments.payment": {
            "add": NOBODY,
            "change": NOBODY,
            "delete": NOBODY,
            "actions": {
                "reconcile_selected": back_office(REDIRECT, accountant=CHANGED, **roles(ADMINS, CHANGED)),
                "mark_read": back_office(CHANGED, other_staff=REDIRECT),
            },
        },
        # The advisor's own list: the other staff find nothing to select and are sent back.
        "payments.mypayment": {
            "add": NOBODY,
            "change": NOBODY,
            "delete": NOBODY,
            "actions": {"mark_read": back_office(REDIRECT, staff=CHANGED)},
        },
        "payments.paymentsettings": {
            "add_body": {"programme": str(w.programme_b.pk)},
            "add": back_office(FORBIDDEN, accountant=OK, **roles(ADMINS, CHANGED)),
            "change_body": {"deposit_percent": "3"},
            "change": back_office(FORBIDDEN, accountant=CHANGED, **roles(ADMINS, CHANGED)),
            "delete": ADMINS_CHANGE,
            "actions": {"delete_selected": DELETE_ACTION_ADMINS},
        },
        # A sale's own deposit: sales staff, accountants, administrators.
        "payments.depositoverride": {
            "add_body": {"sale": str(pw.pending_sale.pk), "amount": "500.00", "reason": "matrix"},
            "add": back_office(CHANGED, customer_service=FORBIDDEN, other_staff=OK),
            "change_body": {"amount": "20.00"},
            "change": back_office(CHANGED, customer_service=FORBIDDEN, other_staff=NOT_FOUND),
            "delete": back_office(CHANGED, customer_service=FORBIDDEN, other_staff=NOT_FOUND),
            "actions": {"delete_selected": back_office(CHANGED, customer_service=OK, other_staff=REDIRECT)},
        },
        "payments.refund": {"add": NOBODY, "change": NOBODY, "delete": NOBODY, "actions": {}},
        # Invoices: accountants and administrators issue them (schedules.add_invoice) and share
        # them (schedules.change_invoice); an issued invoice is final, shared or unshared from the
        # list, where the others are offered no such action.
        "schedules.invoice": {
            "add_body": {
                "sale": str(w.sale_a.pk),
                "source": "generated",
                "issued_on": "2026-03-02",
                "lines-0-label": "Kitchen option",
                "lines-0-quantity": "1",
                "lines-0-unit_price": "1000.00",
                "lines-0-vat_rate": "20",
            },
            "add": ACCOUNTANTS_CHANGE,
            "change": NOBODY,
            "delete": NOBODY,
            "actions": {
                "share": back_office(OK, accountant=CHANGED, **roles(ADMINS, CHANGED)),
                "unshare": back_office(OK, accountant=REDIRECT, **roles(ADMINS, REDIRECT)),
            },
        },
        # Calls for funds: "add" and a batch's page only show (the preview's POST starts a batch);
        # calls are written by the services; sellers upload the certificates.
        "schedules.callbatch": {
            "add": back_office(OK, customer_service=FORBIDDEN),
            "change": back_office(OK, other_staff=NOT_FOUND),
            "delete": NOBODY,
            "actions": {},
        },
        "schedules.callforfunds": {"add": NOBODY, "change": NOBODY, "delete": NOBODY, "actions": {}},
        "schedules.stagecertificate": {
            "add_body": {"milestone": str(w.milestone_a.pk), "file": _certificate_upload()},
            "add": back_office(FORBIDDEN, staff=CHANGED, other_staff=OK, **roles(ADMINS, CHANGED)),
            "change_body": {"milestone": str(w.milestone_a.pk)},
            "change": CHANGES_SALE_A,
            "delete": NOBODY,
            "actions": {},
        },
        "payments.webhookevent": {"add": NOBODY, "change": NOBODY, "delete": NOBODY, "actions": {}},
        # Sellers and administrators set the templates (programme B's is no choice for programme
        # A's seller); accountants and customer service only read them.
        "schedules.scheduletemplate": {
            "add_body": {
                "programme": str(w.programme_b.pk),
                "tranches-TOTAL_FORMS": "1",
                "tranches-0-label": "Delivery",
                "tranches-0-trigger": "delivery",
                "tranches-0-percent": "100",
            },
            "add": back_office(FORBIDDEN, staff=OK, other_staff=CHANGED, **roles(ADMINS, CHANGED)),
            "change_body": {"payment_days": "20"},
            "change": CHANGES_SALE_A,
            "delete": NOBODY,
            "actions": {},
        },
        "schedules.tranche": {
            "add": NOBODY,
            "change_body": {"label": "Solde à la livraison"},
            "change": CHANGES_SALE_A,
            "delete": NOBODY,
            "actions": {},
        },
        "schedules.bankstatement": {"add": NOBODY, "change": NOBODY, "delete": NOBODY, "actions": {}},
        # The ledger is written by the services; its entries are re-allocated on their own page.
        "schedules.ledgerentry": {"add": NOBODY, "change": NOBODY, "delete": NOBODY, "actions": {}},
    }


def _admin_object_cases(pw: PostWorld) -> dict[str, Case]:
    """Add, change, delete and the list actions of every admin model."""
    objects = pw.admin_objects
    cases: dict[str, Case] = {}
    for label, spec in admin_model_cases(pw).items():
        app_label, model = label.split(".")
        base = f"/admin/{app_label}/{model}/"
        pk = objects[label].pk
        # Deleting needs an object nothing protects (the GET matrix's are sold or hold lots).
        doomed = spec.get("delete_object", objects[label]).pk
        cases[f"admin:{app_label}_{model}_add"] = Case(
            f"{base}add/", FormOf(f"{base}add/", spec.get("add_body", {})), spec["add"]
        )
        cases[f"admin:{app_label}_{model}_change"] = Case(
            f"{base}{pk}/change/", FormOf(f"{base}{pk}/change/", spec.get("change_body", {})), spec["change"]
        )
        cases[f"admin:{app_label}_{model}_delete"] = Case(
            f"{base}{doomed}/delete/", {"post": "yes"}, spec["delete"]
        )
        for action, expected in spec["actions"].items():
            selected = doomed if action == "delete_selected" else spec.get("action_object", objects[label]).pk
            body = {"action": action, "_selected_action": [str(selected)], "post": "yes"}
            cases[f"admin:{app_label}_{model}_changelist#{action}"] = Case(base, body, expected)
    return cases


def _admin_account_cases(pw: PostWorld) -> dict[str, Case]:
    password = {"password1": "A-n3w-long-pass!", "password2": "A-n3w-long-pass!", "usable_password": "true"}
    return {
        # Setting another user's password: administrators.
        "admin:auth_user_password_change": Case(
            f"/admin/users/user/{pw.world.users['buyer'].pk}/password/", password, ADMINS_CHANGE
        ),
        # One's own password, from the back-office: every staff member.
        "admin:password_change": Case(
            "/admin/password_change/",
            {
                "old_password": "secret-pass-42",
                "new_password1": "A-n3w-long-pass!",
                "new_password2": "A-n3w-long-pass!",
            },
            back_office(CHANGED),
        ),
    }


def _sale_cases(pw: PostWorld) -> dict[str, Case]:
    w = pw.world
    sale, pending, cancelled = w.sale_a.pk, pw.pending_sale.pk, pw.cancelled_sale.pk
    invited = pw.invited_sale.pk
    return {
        "admin:sales_sale_stage": Case(
            f"/admin/sales/sale/{sale}/stage/",
            {"target": Stage.RESERVATION_SIGNED, "on_date": ""},
            CHANGES_SALE_A,
        ),
        "admin:sales_sale_request#confirm": Case(
            f"/admin/sales/sale/{pending}/request/confirm/", {}, CHANGES_SALE_A
        ),
        # Ending a sale is confirmed on a page that asks for a reason (the POST that acts).
        "admin:sales_sale_stage#cancel": Case(
            f"/admin/sales/sale/{sale}/stage/",
            {"target": Stage.CANCELLED, "on_date": "", "confirmed": "1", "reason": "matrix"},
            CHANGES_SALE_A,
        ),
        "admin:sales_sale_request#refuse": Case(
            f"/admin/sales/sale/{pending}/request/refuse/",
            {"confirmed": "1", "reason": "matrix"},
            CHANGES_SALE_A,
        ),
        "admin:sales_sale_reactivate": Case(
            f"/admin/sales/sale/{cancelled}/reactivate/", {"hold_until": ""}, CHANGES_SALE_A
        ),
        # Sending access is a change of the buyer: sales staff, customer service, administrators.
        "admin:sales_sale_access#send": Case(
            f"/admin/sales/sale/{invited}/access/send/",
            {},
            back_office(CHANGED, accountant=FORBIDDEN, other_staff=NOT_FOUND),
        ),
        "admin:sales_sale_access#revoke": Case(
            f"/admin/sales/sale/{invited}/access/revoke/",
            {},
            back_office(CHANGED, accountant=FORBIDDEN, other_staff=NOT_FOUND),
        ),
        # Sale A's buyers have their own passwords: nobody sends them a link (the service refuses).
        "admin:sales_sale_access#send_to_accounts": Case(
            f"/admin/sales/sale/{sale}/access/send/",
            {},
            back_office(REDIRECT, accountant=FORBIDDEN, other_staff=NOT_FOUND),
        ),
        "admin:sales_sale_savedview_save": Case(
            "/admin/sales/sale/saved-views/",
            {"name": "Signed", "query": "stage=reservation_signed"},
            back_office(CHANGED),
        ),
        # Another user's saved view does not exist for him, administrators included.
        "admin:sales_sale_savedview_delete": Case(
            f"/admin/sales/sale/saved-views/{w.saved_view.pk}/delete/",
            {},
            back_office(NOT_FOUND, staff=CHANGED),
        ),
        # Creating logins is for administrators.
        "admin:sales_sale_partner_account": Case(
            "/admin/sales/sale/partner-account/",
            {
                "email": "new.notary@example.test",
                "first_name": "New",
                "last_name": "Notary",
                "role": "notary",
            },
            ADMINS_CHANGE,
        ),
    }


def _payment_cases(pw: PostWorld) -> dict[str, Case]:
    w = pw.world
    sale, paid, open_ = w.sale_a.pk, w.paid_payment_a.pk, pw.open_payment.pk
    # Asking for money: sales staff, accountants, administrators; customer service only reads.
    asks_money = back_office(CHANGED, customer_service=FORBIDDEN, other_staff=NOT_FOUND)
    # ACC-3: recording money and refunding are the accountants' and administrators'.
    accounting = back_office(FORBIDDEN, accountant=CHANGED, other_staff=NOT_FOUND, **roles(ADMINS, CHANGED))
    # Reconciling is refused by the service itself, with a sentence, to those without the right.
    reconciles = back_office(REDIRECT, other_staff=NOT_FOUND, accountant=CHANGED, **roles(ADMINS, CHANGED))
    yesterday = timezone.localdate() - timedelta(days=1)
    cases = {
        "admin:payments_payment_request": Case(
            f"/admin/payments/payment/request/{sale}/",
            {
                "amount": "1000.00",
                "buyer": str(w.buyer_a.pk),
                "reference": "M-3",
                "due_on": "",
                "channel": "email",
            },
            asks_money,
        ),
        "admin:payments_payment_deposit": Case(
            f"/admin/payments/payment/deposit/{sale}/", {"channel": "email"}, asks_money
        ),
    }
    # "My payments" holds sale A's payments for their advisor (the sales staff of programme A)
    # only: to everyone else they do not exist there.
    advisor_only = back_office(NOT_FOUND, staff=FORBIDDEN)
    for model in ("payment", "mypayment"):
        base = f"/admin/payments/{model}"
        mine = model == "mypayment"
        cases |= {
            f"admin:payments_{model}_operation#cancel": Case(
                f"{base}/{open_}/do/cancel/",
                {"confirmed": "1", "reason": "matrix"},
                advisor_only | {"staff": CHANGED} if mine else asks_money,
            ),
            f"admin:payments_{model}_operation#renew": Case(
                f"{base}/{open_}/do/renew/", {}, advisor_only | {"staff": CHANGED} if mine else asks_money
            ),
            # Marking read is the reader's own mark: whoever may open the payment's page.
            f"admin:payments_{model}_operation#read": Case(
                f"{base}/{paid}/do/read/",
                {},
                back_office(NOT_FOUND, staff=CHANGED)
                if mine
                else back_office(CHANGED, other_staff=NOT_FOUND),
            ),
            f"admin:payments_{model}_operation#reconcile": Case(
                f"{base}/{paid}/do/reconcile/", {}, advisor_only | {"staff": REDIRECT} if mine else reconciles
            ),
            f"admin:payments_{model}_transfer": Case(
                f"{base}/{open_}/transfer/",
                {"amount": "900.00", "received_on": str(yesterday), "method": "transfer"},
                advisor_only if mine else accounting,
            ),
            f"admin:payments_{model}_refund": Case(
                f"{base}/{paid}/refund/",
                {"amount": "10.00", "reason": "matrix"},
                advisor_only if mine else accounting,
            ),
            # A reprint is a download, and each download of a receipt is in the audit trail.
            f"admin:payments_{model}_receipt": Case(
                f"{base}/{paid}/receipt/",
                {},
                back_office(NOT_FOUND, staff=CHANGED)
                if mine
                else back_office(CHANGED, other_staff=NOT_FOUND),
            ),
        }
    return cases


def _client_cases(pw: PostWorld) -> dict[str, Case]:
    w = pw.world
    space_staff = roles(STAFF, REDIRECT)  # staff work in the back-office: sent there
    return {
        "account": Case(
            "/account/",
            {"first_name": "Changed", "last_name": "", "phone": "", "language": "pl"},
            OWN_ACCOUNT_CHANGES,
        ),
        # Only buyers of programme A ask for its lots; the co-buyer already holds his one request.
        "space:reserve_lot": Case(
            f"/space/reserve/{w.free_lot_a.pk}/",
            {},
            expect(NOT_FOUND, anonymous=LOGIN, buyer=CHANGED, cobuyer=REDIRECT, **space_staff),
        ),
        # A buyer withdraws his own pending request; nobody else learns it exists.
        "space:withdraw_request": Case(
            f"/space/sales/{pw.pending_sale.pk}/withdraw-request/",
            {},
            expect(NOT_FOUND, anonymous=LOGIN, cobuyer=CHANGED, **space_staff),
        ),
        # The link is a bearer secret: whoever holds it sets the invited buyer's first password.
        "space:invitation": Case(
            f"/space/invitation/{INVITATION_TOKEN}/",
            {"password1": "A-l0ng-pass!x", "password2": "A-l0ng-pass!x"},
            expect(CHANGED),
        ),
        "space:invitation#unknown": Case(
            "/space/invitation/not-a-real-token/",
            {"password1": "A-l0ng-pass!x", "password2": "A-l0ng-pass!x"},
            expect(NOT_FOUND),
        ),
        # The link confirms the new address for its holder only, logged in; to anyone else it is
        # no link at all.
        "space:email_confirm": Case(
            f"/space/email/{pw.email_change_token}/", {}, expect(NOT_FOUND, anonymous=LOGIN, cobuyer=CHANGED)
        ),
        "space:email_confirm#unknown": Case(
            "/space/email/not-a-real-token/", {}, expect(NOT_FOUND, anonymous=LOGIN)
        ),
        # "End my other sessions": the buyer's own other session (the world's), nobody else's.
        "usersessions_list": Case(
            "/accounts/sessions/", {}, expect(REDIRECT, anonymous=LOGIN, buyer=CHANGED)
        ),
        # The pay link is a bearer link: whoever holds it chooses how to pay and opens a checkout.
        "payments:pay": Case(f"/payments/pay/{w.pay_token_a}/", {"method": "transfer"}, expect(CHANGED)),
        "payments:checkout": Case(f"/payments/pay/{w.pay_token_a}/checkout/", {}, expect(REDIRECT)),
        # Unsigned events are refused.
        "payments:stripe_webhook": Case(
            "/payments/stripe/webhook/", {"type": "checkout.session.completed"}, expect(BAD_REQUEST)
        ),
        "payments:simulated_checkout": Case(
            f"/payments/simulated/{w.checkout_a.session_id}/", {"outcome": "pay"}, expect(CHANGED)
        ),
    }


def _account_cases(pw: PostWorld) -> dict[str, Case]:
    """allauth's pages about one's own account: they act on the poster's account, nobody else's."""
    password = {"password1": "A-n3w-long-pass!", "password2": "A-n3w-long-pass!"}
    signed_in = expect(REDIRECT, anonymous=LOGIN)
    return {
        "account_login": Case(
            "/accounts/login/",
            {"login": "buyer@example.test", "password": "wrong"},
            expect(REDIRECT, anonymous=OK),
        ),
        "account_logout": Case("/accounts/logout/", {}, expect(REDIRECT)),
        "account_signup": Case(
            "/accounts/signup/", {"email": "signup@example.test", **password}, expect(REDIRECT, anonymous=OK)
        ),
        "account_reauthenticate": Case(
            "/accounts/reauthenticate/", {"password": "wrong"}, expect(OK, anonymous=LOGIN)
        ),
        "account_request_reauthentication_code": Case(
            "/accounts/reauthenticate/code/", {}, expect(OK, anonymous=LOGIN)
        ),
        "account_confirm_reauthentication_code": Case(
            "/accounts/reauthenticate/code/confirm/", {"code": "000000"}, signed_in
        ),
        # Nobody removes another user's address.
        "account_email": Case(
            "/accounts/email/", {"action_remove": "", "email": "other.buyer@example.test"}, signed_in
        ),
        "account_change_password": Case(
            "/accounts/password/change/", {"oldpassword": "secret-pass-42", **password}, OWN_ACCOUNT_CHANGES
        ),
        "account_set_password": Case("/accounts/password/set/", password, signed_in),
        # Anyone may ask for a reset link; it goes to the address's owner.
        "account_reset_password": Case(
            "/accounts/password/reset/", {"email": "buyer@example.test"}, expect(CHANGED)
        ),
        # Without a code asked for, back to asking for one.
        "account_confirm_login_code": Case(
            "/accounts/login/code/confirm/", {"code": "000000"}, expect(REDIRECT)
        ),
        "account_request_login_code": Case(
            "/accounts/login/code/", {"email": "buyer@example.test"}, expect(REDIRECT, anonymous=CHANGED)
        ),
        "account_confirm_email": Case("/accounts/confirm-email/not-a-key/", {}, expect(NOT_FOUND)),
        "account_reset_password_from_key": Case(
            "/accounts/password/reset/key/1-not-a-key/", password, expect(OK)
        ),
        "mfa_authenticate": Case("/accounts/2fa/authenticate/", {"code": "000000"}, signed_in),
        # A wrong code is refused to those with a second factor (staff); the others have none.
        "mfa_reauthenticate": Case(
            "/accounts/2fa/reauthenticate/", {"code": "000000"}, signed_in | roles(STAFF, OK)
        ),
        "mfa_activate_totp": Case("/accounts/2fa/totp/activate/", {"code": "000000"}, signed_in),
        # Staff must confirm who they are first; the others have no authenticator to remove.
        "mfa_deactivate_totp": Case(
            "/accounts/2fa/totp/deactivate/", {}, signed_in | roles(NON_STAFF, NOT_FOUND)
        ),
        "mfa_generate_recovery_codes": Case("/accounts/2fa/recovery-codes/generate/", {}, signed_in),
        # A logged-in user's choice becomes his own language (audited); a visitor's is a cookie.
        "set_language": Case("/i18n/setlang/", {"language": "pl"}, expect(CHANGED, anonymous=REDIRECT)),
    }


def _schedule_template_cases(pw: PostWorld) -> dict[str, Case]:
    """Consigning the balance of sale A (its delivery tranche, within 5 % of the price) and ending a
    consignment that is none (said on the tranche's page, nothing changed)."""
    tranche = pw.admin_objects["schedules.tranche"].pk
    reason = {"confirmed": "1", "reason": "matrix"}
    schedule_page = f"/admin/schedules/tranche/sale/{pw.world.sale_a.pk}/"
    return {
        # The tranches of sale A not yet called, changed together (a label here).
        "admin:schedules_tranche_sale": Case(
            schedule_page, FormOf(schedule_page, {"tranches-0-label": "Acte authentique"}), CHANGES_SALE_A
        ),
        "admin:schedules_tranche_consign": Case(
            f"/admin/schedules/tranche/{tranche}/consign/", reason, CHANGES_SALE_A
        ),
        "admin:schedules_tranche_unconsign": Case(
            f"/admin/schedules/tranche/{tranche}/unconsign/",
            reason,
            back_office(FORBIDDEN, staff=REDIRECT, other_staff=NOT_FOUND, **roles(ADMINS, REDIRECT)),
        ),
    }


def post_table(pw: PostWorld) -> dict[str, Case]:
    return {
        **_client_cases(pw),
        **_account_cases(pw),
        **_admin_object_cases(pw),
        **_call_cases(pw),
        **_admin_account_cases(pw),
        **_sale_cases(pw),
        **_payment_cases(pw),
        **_schedule_template_cases(pw),
        **_statement_cases(pw),
        **_ledger_cases(pw),
    }


def post_key(case_key: str) -> str:
    """The URL name a case tries ("admin:x#variant" tries "admin:x")."""
    return case_key.split("#", 1)[0]


def _read_only_on_post() -> set[str]:
    """URLs that take a POST but answer it as a GET; the matrix proves a POST there changes nothing."""
    keys = {
        "home",
        # The client space's pages and downloads: reading only.
        "space:dashboard",
        "space:sale",
        "space:calendar",
        "space:reserve",
        "space:payments",
        "space:receipt",
        # The admin's login page sends to allauth's; logging out touches only the session.
        "admin:login",
        "admin:logout",
        "admin:index",
        "admin:app_list",
        "admin:sales_sale_dashboard",
        "admin:texts_messagetemplate_preview",
        "admin:payments_payment_export",
        "admin:payments_mypayment_export",
        # Lists whose models have no action anyone holds (read-only models).
        "admin:branding_companysettings_changelist",
        "admin:payments_refund_changelist",
        "admin:payments_webhookevent_changelist",
        "admin:schedules_scheduletemplate_changelist",
        "admin:schedules_tranche_changelist",
        "admin:schedules_bankstatement_changelist",
        # The transfers to match: a list with its own buttons (each posts to its own URL).
        "admin:schedules_bankstatement_lines",
        # The import's progress (OPS-4): reading only.
        "admin:schedules_bankstatement_progress",
        "admin:schedules_ledgerentry_changelist",
        # Calls for funds: no action anyone holds on their lists; progress and letters only read.
        "admin:schedules_callbatch_changelist",
        "admin:schedules_callforfunds_changelist",
        "admin:schedules_stagecertificate_changelist",
        "admin:schedules_callbatch_progress",
        "admin:schedules_callforfunds_letter",
    }
    for label in ADMIN_MODELS:
        app_label, model = label.split(".")
        keys |= {f"admin:{app_label}_{model}_history", f"admin/{app_label}/{model}/<path:object_id>/"}
    return keys


READ_ONLY_ON_POST = _read_only_on_post()


def _ledger_cases(pw: PostWorld) -> dict[str, Case]:
    """Moving 1.00 of sale A's ledger entry to its last tranche: accountants and administrators."""
    entry = pw.admin_objects["schedules.ledgerentry"].pk
    tranche = pw.admin_objects["schedules.tranche"].pk
    return {
        "admin:schedules_ledgerentry_reallocate": Case(
            f"/admin/schedules/ledgerentry/{entry}/reallocate/",
            {f"tranche_{tranche}": "1.00", "reason": "matrix"},
            back_office(FORBIDDEN, accountant=CHANGED, **roles(ADMINS, CHANGED)),
        ),
    }


def _statement_cases(pw: PostWorld) -> dict[str, Case]:
    """Importing the camt.053 sample, matching the world's transfer to sale A's open request,
    setting it aside: accountants and administrators only (payments.reconcile_payment)."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.matrix.policy import statement_objects

    line = statement_objects(pw.world)["line"].pk
    sample = Path(__file__).resolve().parents[2] / "schedules" / "samples" / "statement.camt053.xml"
    accountants = back_office(FORBIDDEN, accountant=CHANGED, **roles(ADMINS, CHANGED))
    base = "/admin/schedules/bankstatement"
    upload = SimpleUploadedFile("statement.camt053.xml", sample.read_bytes())
    return {
        "admin:schedules_bankstatement_import": Case(
            f"{base}/import/",
            {"file": upload, "format": "camt053", "delimiter": ";", "currency": "EUR"},
            accountants,
        ),
        "admin:schedules_bankstatement_match": Case(
            f"{base}/lines/{line}/match/", {"payment": str(pw.open_payment.pk)}, accountants
        ),
        "admin:schedules_bankstatement_ignore": Case(f"{base}/lines/{line}/ignore/", {}, accountants),
    }


def _certificate_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")


def _call_cases(pw: PostWorld) -> dict[str, Case]:
    """Starting the weather-tight calls of programme A from their preview: its sellers and
    accountants, administrators; another programme's staff never learn the milestone exists."""
    from tests.matrix.policy import call_objects

    milestone = call_objects(pw.world)["weather_tight"].pk
    return {
        "admin:schedules_callbatch_preview": Case(
            f"/admin/schedules/callbatch/preview/{milestone}/",
            {},
            back_office(
                FORBIDDEN, staff=CHANGED, accountant=CHANGED, other_staff=NOT_FOUND, **roles(ADMINS, CHANGED)
            ),
        ),
    }
