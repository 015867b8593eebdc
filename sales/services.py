"""Every write to sales files: creation, stage moves, holds and reservation requests, reactivation.

Each function is one transaction that locks what it changes, writes the audit trail, and refuses
what the rules forbid with a SaleError whose message the page shows.
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.audit.changes import values_apply, values_of
from portal.audit.services import audit_record
from portal.users.models import User
from portal.users.roles import Role
from programmes.models import Lot, Programme
from sales.errors import SaleError
from sales.invitations import buyer_login_email_follow
from sales.models import LIVE_STAGES, Buyer, Sale, SaleBuyer, SaleLot, SavedView, Stage
from sales.selectors import buyer_pending_requests
from sales.signals import sale_created, sale_price_changed, sale_stage_moved
from sales.stages import DATE_FIELD_FOR_STAGE, LOT_STATUS_FOR_STAGE, IllegalStageMove, stage_check_move

WITHDRAWAL_DAYS = 10  # French law: ten days from the first presentation of the signed contract


def _lots_lock(lot_ids: Sequence[int]) -> list[Lot]:
    # Locked in id order, so two transactions taking the same lots never deadlock.
    return list(
        Lot.objects.select_for_update().filter(pk__in=lot_ids).select_related("programme").order_by("pk")
    )


def _lots_set_status(lot_ids: Sequence[int], status: str) -> None:
    Lot.objects.filter(pk__in=lot_ids).update(status=status)


@transaction.atomic
def sale_create(
    *,
    actor: User | None,
    programme: Programme,
    lots: Sequence[Lot],
    buyers: Sequence[Buyer],
    price: Decimal | None = None,
    advisor: User | None = None,
    stage: str = Stage.OPTION,
    hold_until: datetime | None = None,
    contract_type: str = Sale.ContractType.VEFA,
    contract_number: str = "",
    partner_agency: str = "",
    requested_by_buyer: bool = False,
    reactivated_from: Sale | None = None,
) -> Sale:
    """Open a sales file on available lots; the first buyer is the main buyer."""
    if not lots:
        raise SaleError(_("A sale needs at least one lot."))
    if not buyers:
        raise SaleError(_("A sale needs at least one buyer."))
    locked = _lots_lock([lot.pk for lot in lots])
    for lot in locked:
        if lot.programme_id != programme.pk:
            raise SaleError(_("Lot %(lot)s belongs to another programme.") % {"lot": lot})
        if lot.status != Lot.Status.AVAILABLE:
            raise SaleError(
                _("Lot %(lot)s is not available (it is %(status)s).")
                % {"lot": lot, "status": lot.get_status_display().lower()}
            )
    sale = Sale.objects.create(
        programme=programme,
        reference=uuid.uuid4().hex[:30],
        price=price if price is not None else sum((lot.price for lot in locked), Decimal("0.00")),
        advisor=advisor,
        stage=stage,
        stage_changed_at=timezone.now(),
        hold_until=hold_until,
        contract_type=contract_type,
        contract_number=contract_number,
        partner_agency=partner_agency,
        requested_by_buyer=requested_by_buyer,
        reactivated_from=reactivated_from,
    )
    sale.reference = f"{programme.code.upper()}-{sale.pk:05d}"
    sale.save(update_fields=["reference"])
    try:
        with transaction.atomic():
            SaleLot.objects.bulk_create([SaleLot(sale=sale, lot=lot) for lot in locked])
    except IntegrityError:
        raise SaleError(_("One of these lots was just taken by another sale.")) from None
    SaleBuyer.objects.bulk_create(
        [SaleBuyer(sale=sale, buyer=buyer, is_main=index == 0) for index, buyer in enumerate(buyers)]
    )
    _lots_set_status([lot.pk for lot in locked], LOT_STATUS_FOR_STAGE[stage])
    audit_record(
        actor=actor,
        action="sale.created",
        obj=sale,
        data={"stage": stage, "lots": [str(lot) for lot in locked], "price": sale.price},
    )
    sale_created.send(sender=Sale, sale=sale, actor=actor)
    return sale


@transaction.atomic
def sale_move_stage(
    *,
    actor: User | None,
    sale: Sale,
    target: str,
    on_date: date | None = None,
    reason: str = Sale.CancelReason.STAFF,
    note: str = "",
) -> Sale:
    """Move a sale along its pipeline; moving to the stage it is already at changes nothing.

    `reason` is why a sale stops (a `Sale.CancelReason`); `note` is the words staff gave when
    they confirmed it, kept in the audit entry."""
    sale = Sale.objects.select_for_update().get(pk=sale.pk)
    if sale.stage == target:
        return sale
    try:
        stage_check_move(sale.stage, target)
    except IllegalStageMove as error:
        raise SaleError(str(error)) from None
    on_date = on_date or timezone.localdate()
    previous = sale.stage
    sale.stage = target
    sale.stage_changed_at = timezone.now()
    fields = ["stage", "stage_changed_at", "updated_at"]
    if field := DATE_FIELD_FOR_STAGE.get(target):
        setattr(sale, field, on_date)
        fields.append(field)
    if target == Stage.WITHDRAWAL_PERIOD and not sale.withdrawal_ends_on:
        sale.withdrawal_ends_on = on_date + timedelta(days=WITHDRAWAL_DAYS)
        fields.append("withdrawal_ends_on")
    if previous == Stage.OPTION:
        sale.hold_until = None
        fields.append("hold_until")
    if target not in LIVE_STAGES:
        sale.cancel_reason = reason
        fields.append("cancel_reason")
    sale.save(update_fields=fields)

    lot_ids = list(sale.sale_lots.values_list("lot_id", flat=True))
    if target not in LIVE_STAGES:
        SaleLot.objects.filter(sale=sale).update(live=False)
    _lots_set_status(lot_ids, LOT_STATUS_FOR_STAGE[target])
    audit_record(
        actor=actor,
        action="sale.stage_changed",
        obj=sale,
        data={
            "from": previous,
            "to": target,
            "on": on_date,
            **({"reason": reason} if target not in LIVE_STAGES else {}),
            **({"note": note} if note else {}),
        },
    )
    sale_stage_moved.send(sender=Sale, sale=sale, stage=target, actor=actor)
    return sale


def sale_cancel(
    *, actor: User | None, sale: Sale, reason: str = Sale.CancelReason.STAFF, note: str = ""
) -> Sale:
    return sale_move_stage(actor=actor, sale=sale, target=Stage.CANCELLED, reason=reason, note=note)


@transaction.atomic
def sale_request_reservation(*, user: User, lot: Lot) -> Sale:
    """A buyer asks, from his client space, to hold an available lot; staff confirm or refuse.

    Two buyers asking for one lot at the same moment: the lot's row lock and the one-live-sale
    constraint let exactly one of them have it. The buyer's row is locked too, so two requests of
    one buyer at once cannot both pass his limit of pending requests.
    """
    buyer = Buyer.objects.select_for_update().filter(user=user).first()
    programme = lot.programme
    if buyer is None or not programme.self_reservation_enabled:
        raise SaleError(_("Reservations cannot be requested for this programme."))
    limit = settings.SELF_SERVICE_OPTIONS_MAX
    if buyer_pending_requests(buyer).count() >= limit:
        raise SaleError(
            ngettext(
                "You already have %(count)d reservation request waiting for your advisor: withdraw it "
                "or wait for the answer before asking for another lot.",
                "You already have %(count)d reservation requests waiting for your advisor: withdraw one "
                "or wait for the answers before asking for another lot.",
                limit,
            )
            % {"count": limit}
        )
    hold_until = timezone.now() + timedelta(days=programme.reservation_hold_days)
    try:
        return sale_create(
            actor=user,
            programme=programme,
            lots=[lot],
            buyers=[buyer],
            stage=Stage.OPTION,
            hold_until=hold_until,
            requested_by_buyer=True,
            advisor=_programme_advisor(programme),
        )
    except SaleError:
        raise SaleError(_("Sorry, lot %(lot)s has just been taken.") % {"lot": lot}) from None


def sale_withdraw_request(*, user: User, sale: Sale) -> Sale:
    """A buyer withdraws his own pending reservation request: the sale is cancelled, the lot freed."""
    buyer = Buyer.objects.filter(user=user).first()
    if buyer is None or not buyer_pending_requests(buyer).filter(pk=sale.pk).exists():
        raise SaleError(_("Only your own pending reservation request can be withdrawn."))
    return sale_move_stage(
        actor=user, sale=sale, target=Stage.CANCELLED, reason=Sale.CancelReason.REQUEST_WITHDRAWN
    )


def _programme_advisor(programme: Programme) -> User | None:
    # The buyer's request lands with a salesperson of the programme (else any of its staff), so
    # someone answers it.
    staff = programme.staff.filter(is_active=True)
    return staff.filter(groups__name=Role.SALES.value).order_by("pk").first() or staff.order_by("pk").first()


@transaction.atomic
def sale_confirm_request(*, actor: User | None, sale: Sale) -> Sale:
    sale = Sale.objects.select_for_update().get(pk=sale.pk)
    if not sale.requested_by_buyer or sale.stage != Stage.OPTION:
        raise SaleError(_("Only a buyer's pending reservation request can be confirmed."))
    if sale.request_confirmed_at:
        return sale
    sale.request_confirmed_at = timezone.now()
    sale.save(update_fields=["request_confirmed_at", "updated_at"])
    audit_record(actor=actor, action="sale.request_confirmed", obj=sale)
    return sale


def sale_refuse_request(*, actor: User | None, sale: Sale, note: str = "") -> Sale:
    if not sale.requested_by_buyer:
        raise SaleError(_("Only a buyer's pending reservation request can be refused."))
    return sale_move_stage(
        actor=actor, sale=sale, target=Stage.CANCELLED, reason=Sale.CancelReason.REQUEST_REFUSED, note=note
    )


def sales_expire_holds(*, now: datetime | None = None) -> int:
    """Cancel the options whose hold has ended and free their lots (the daily job)."""
    now = now or timezone.now()
    expired = Sale.objects.filter(stage=Stage.OPTION, hold_until__lt=now).values_list("pk", flat=True)
    count = 0
    for sale_id in expired.iterator():
        sale = Sale(pk=sale_id)
        sale_move_stage(actor=None, sale=sale, target=Stage.CANCELLED, reason=Sale.CancelReason.HOLD_EXPIRED)
        count += 1
    return count


@transaction.atomic
def sale_reactivate(*, actor: User | None, sale: Sale, hold_until: datetime | None = None) -> Sale:
    """Open a new file for a cancelled or withdrawn sale: same lots, buyers, price and advisor."""
    sale = Sale.objects.select_for_update().get(pk=sale.pk)
    if sale.is_live:
        raise SaleError(_("Only a cancelled or withdrawn sale can be reactivated."))
    if Sale.objects.filter(reactivated_from=sale).exists():
        raise SaleError(_("This sale was already reactivated."))
    buyers = [link.buyer for link in sale.sale_buyers.select_related("buyer").order_by("-is_main", "pk")]
    lots = [link.lot for link in sale.sale_lots.select_related("lot")]
    new_sale = sale_create(
        actor=actor,
        programme=sale.programme,
        lots=lots,
        buyers=buyers,
        price=sale.price,
        advisor=sale.advisor,
        stage=Stage.OPTION,
        hold_until=hold_until,
        contract_type=sale.contract_type,
        partner_agency=sale.partner_agency,
        reactivated_from=sale,
    )
    new_sale.assignments.bulk_create(
        [type(a)(sale=new_sale, user_id=a.user_id, role=a.role) for a in sale.assignments.all()]
    )
    audit_record(actor=actor, action="sale.reactivated", obj=sale, data={"new_sale": new_sale.reference})
    return new_sale


# The plain fields staff edit on the sale's page; stage, lots and buyers change only through the
# functions above.
SALE_EDITABLE_FIELDS = (
    "price",
    "contract_type",
    "contract_number",
    "advisor",
    "partner_agency",
    "hold_until",
    "reservation_signed_on",
    "withdrawal_ends_on",
    "deed_planned_on",
    "deed_signed_on",
    "delivered_on",
)


@transaction.atomic
def sale_update(*, actor: User | None, sale: Sale, changes: dict[str, Any]) -> Sale:
    """Change the plain fields of a sale (price, contract, advisor, key dates), audited."""
    refused = set(changes) - set(SALE_EDITABLE_FIELDS)
    if refused:
        raise ValueError(f"sale_update cannot change {sorted(refused)}; use the stage functions.")
    sale = Sale.objects.select_for_update().get(pk=sale.pk)
    changed = values_apply(sale, changes)
    if not changed:
        return sale
    sale.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="sale.updated", obj=sale, data=changed)
    if "price" in changed:
        sale_price_changed.send(sender=Sale, sale=sale, old_price=Decimal(changed["price"][0]), actor=actor)
    return sale


# What staff type about a buyer; his login account changes only through "send access".
BUYER_EDITABLE_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postcode",
    "city",
    "country",
    "language",
)


@transaction.atomic
def buyer_save(*, actor: User | None, buyer: Buyer, values: dict[str, Any]) -> Buyer:
    """Record a new buyer (`buyer` not saved yet, holding his details) or change the details in
    `values` of a known one; audited with the old and new values."""
    refused = set(values) - set(BUYER_EDITABLE_FIELDS)
    if refused:
        raise ValueError(f"buyer_save cannot change {sorted(refused)}.")
    if buyer.pk is None:
        buyer.save()
        audit_record(
            actor=actor, action="buyer.created", obj=buyer, data=values_of(buyer, BUYER_EDITABLE_FIELDS)
        )
        return buyer
    current = Buyer.objects.select_for_update().get(pk=buyer.pk)
    changes = values_apply(current, values)
    if changes:
        current.save(update_fields=list(changes))
        audit_record(actor=actor, action="buyer.changed", obj=current, data=changes)
        if "email" in changes and current.user_id:
            # His login account follows the new address only under the access rules.
            buyer_login_email_follow(actor=actor, buyer=current, old_email=changes["email"][0])
    return current


@transaction.atomic
def buyer_delete(*, actor: User | None, buyer: Buyer) -> None:
    """Delete a buyer of no sale (the database refuses one who has a sale)."""
    audit_record(actor=actor, action="buyer.deleted", obj=buyer, data=values_of(buyer, BUYER_EDITABLE_FIELDS))
    buyer.delete()


def saved_view_save(*, owner: User, name: str, query: str) -> SavedView:
    """Keep (or replace) a named filter of the sales list for one staff member."""
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name.strip(), defaults={"query": query}
    )
    return view


def saved_view_delete(*, owner: User, view_id: int) -> int:
    """Delete one of the owner's saved views; another person's view is left alone (returns 0)."""
    deleted, _details = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    return deleted
