"""The people and objects of the access matrix: two programmes, their staff, a sale each.

Programme A: sale A bought by the buyer with a co-buyer, a notary and a partner assigned;
programme B: sale B of another buyer. A second notary is assigned to nothing.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from payments.links import payment_link_token
from payments.models import CheckoutSession
from payments.services.checkout import payment_checkout_open
from payments.services.money import payment_record_transfer
from payments.services.requests import payment_method_choose, payment_request_create
from portal.audit.models import AuditEntry
from portal.branding.models import CompanySettings
from portal.notify import notify_in_app
from portal.outbox.services import outbox_enqueue_email
from portal.texts.models import MessageTemplate
from portal.users.roles import Role
from programmes.models import Building, Milestone
from sales.models import SaleAssignment, SavedView
from sales.services import sale_create
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make
from tests.totp import totp_activate

ROLES = [
    "anonymous",
    "buyer",
    "cobuyer",
    "other_buyer",
    "notary",
    "other_notary",
    "partner",
    "staff",
    "other_staff",
    "administrator",
    "admin_member",
    "accountant",
    "customer_service",
]
NON_STAFF = ["buyer", "cobuyer", "other_buyer", "notary", "other_notary", "partner"]
STAFF = ["staff", "other_staff", "administrator", "admin_member", "accountant", "customer_service"]
# The superuser and a member of the administrator group who is no superuser: the group's
# permissions, not the superuser flag, must be what opens the administrators' pages.
ADMINS = ["administrator", "admin_member"]


@dataclass
class World:
    users: dict
    programme_a: object
    programme_b: object
    sale_a: object
    sale_b: object
    lot_a: object
    free_lot_a: object
    buyer_a: object
    building_a: object
    milestone_a: object
    saved_view: object
    audit_entry: object
    outbox_message: object
    message_template: object
    company: object
    alert: object  # staff's own; every other reader gets 404
    pay_token_a: str  # the portal link of an open request of sale A: a bearer link
    checkout_a: object  # its open simulated checkout session
    paid_payment_a: object  # a paid request of sale A with its stored receipt


def _staff(email, role, programme=None, **fields):
    user = make_user(email, role=role, **fields)
    totp_activate(user)  # staff may open the back-office
    if programme is not None:
        programme.staff.add(user)
    return user


def world_build() -> World:
    programme_a = ProgrammeFactory(self_reservation_enabled=True)
    programme_b = ProgrammeFactory()
    staff = _staff("staff@example.test", Role.SALES, programme_a)
    other_staff = _staff("other.staff@example.test", Role.SALES, programme_b)
    administrator = _staff("admin@example.test", Role.ADMINISTRATOR, is_superuser=True)
    admin_member = _staff("admin.member@example.test", Role.ADMINISTRATOR)
    accountant = _staff("accountant@example.test", Role.ACCOUNTANT, programme_a)
    customer_service = _staff("service@example.test", Role.CUSTOMER_SERVICE, programme_a)
    buyer = make_user("buyer@example.test", role=Role.BUYER)
    cobuyer = make_user("cobuyer@example.test", role=Role.BUYER)
    other_buyer = make_user("other.buyer@example.test", role=Role.BUYER)
    notary = make_user("notary@example.test", role=Role.NOTARY)
    other_notary = make_user("other.notary@example.test", role=Role.NOTARY)
    partner = make_user("partner@example.test", role=Role.PARTNER)

    building_a = Building.objects.create(programme=programme_a, name="A")
    lot_a, free_lot_a = lots_make(programme_a, 2)
    buyer_a = BuyerFactory(user=buyer)
    sale_a = sale_create(
        actor=staff,
        programme=programme_a,
        lots=[lot_a],
        buyers=[buyer_a, BuyerFactory(user=cobuyer)],
        advisor=staff,
    )
    SaleAssignment.objects.create(sale=sale_a, user=notary, role=SaleAssignment.Role.NOTARY)
    SaleAssignment.objects.create(sale=sale_a, user=partner, role=SaleAssignment.Role.PARTNER)
    sale_b = sale_create(
        actor=other_staff,
        programme=programme_b,
        lots=lots_make(programme_b, 1),
        buyers=[BuyerFactory(user=other_buyer)],
        advisor=other_staff,
    )
    return World(
        users={
            "buyer": buyer,
            "cobuyer": cobuyer,
            "other_buyer": other_buyer,
            "notary": notary,
            "other_notary": other_notary,
            "partner": partner,
            "staff": staff,
            "other_staff": other_staff,
            "administrator": administrator,
            "admin_member": admin_member,
            "accountant": accountant,
            "customer_service": customer_service,
        },
        programme_a=programme_a,
        programme_b=programme_b,
        sale_a=sale_a,
        sale_b=sale_b,
        lot_a=lot_a,
        free_lot_a=free_lot_a,
        buyer_a=buyer_a,
        building_a=building_a,
        milestone_a=Milestone.objects.create(programme=programme_a, kind="launch", planned_date="2026-01-10"),
        saved_view=SavedView.objects.create(owner=staff, name="Mine", query="stage=option"),
        audit_entry=AuditEntry.objects.filter(object_id=str(sale_a.pk)).first(),
        outbox_message=outbox_enqueue_email(key="matrix", to="someone@example.test", subject="S", text="T"),
        message_template=MessageTemplate.objects.create(
            kind="login_code", language="en", subject="S", text="{code}"
        ),
        company=CompanySettings.objects.create(pk=1, name="Matrix"),
        alert=notify_in_app(key="matrix", user=staff, text="Payment received.", link="/admin/"),
        **_payments(sale_a, staff),
    )


def _payments(sale, staff) -> dict:
    """An open request of sale A with its checkout opened, and a paid one with its receipt file."""
    open_request = payment_request_create(actor=staff, sale=sale, amount=Decimal("900.00"), reference="M-1")
    payment_method_choose(payment=open_request, method="card")
    url = payment_checkout_open(
        payment=open_request, success_url="http://testserver/", cancel_url="http://testserver/"
    )
    paid = payment_request_create(actor=staff, sale=sale, amount=Decimal("100.00"), reference="M-2")
    payment_record_transfer(actor=staff, payment=paid, amount=paid.amount, received_on=date(2026, 1, 5))
    receipt = paid.receipt  # rendered after commit, which these tests never reach: store a file
    receipt.file = f"receipts/matrix/{receipt.display_number}.pdf"
    default_storage.delete(receipt.file)
    default_storage.save(receipt.file, ContentFile(b"%PDF-1.4 matrix"))
    receipt.save(update_fields=["file"])
    return {
        "pay_token_a": payment_link_token(open_request),
        "checkout_a": CheckoutSession.objects.get(url=url),
        "paid_payment_a": paid,
    }
