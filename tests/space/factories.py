"""Small helpers to build programmes, lots, buyers and sales for the client-space tests.

Rows with no rule attached are bulk-created; sales go through `sale_create`, the real way in.
"""

import itertools
from datetime import date
from decimal import Decimal

from portal.users.roles import Role
from programmes.models import Building, Lot, Milestone, Programme
from sales.models import Buyer, Sale, SaleAssignment
from sales.services import sale_create
from tests.conftest import make_user

_numbers = itertools.count(1)


def programme_make(**fields) -> Programme:
    n = next(_numbers)
    defaults = {
        "name": f"Les Jardins {n}",
        "code": f"P{n}",
        "address": "1 rue du Canal",
        "postcode": "69002",
        "city": "Lyon",
        "legal_entity": f"SCCV Jardins {n}",
        "currency": Programme.Currency.EUR,
        "time_zone": "Europe/Paris",
    }
    return Programme.objects.create(**{**defaults, **fields})


def lots_make(programme: Programme, count: int, *, building: Building | None = None, **fields) -> list[Lot]:
    start = Lot.objects.filter(programme=programme).count() + 1
    lots = [
        Lot(
            programme=programme,
            building=building,
            number=f"A{start + i:03d}",
            floor=(start + i) % 5,
            surface=Decimal("45.50") + i,
            rooms=2 + i % 3,
            price=Decimal("210000.00") + i * 1000,
            **fields,
        )
        for i in range(count)
    ]
    Lot.objects.bulk_create(lots)
    return list(
        Lot.objects.filter(programme=programme, number__in=[lot.number for lot in lots]).order_by("pk")
    )


def buyers_make(count: int, **fields) -> list[Buyer]:
    n = next(_numbers)
    buyers = [
        Buyer(first_name=f"Buyer{n}x{i}", last_name="Nowak", email=f"buyer{n}x{i}@example.test", **fields)
        for i in range(count)
    ]
    Buyer.objects.bulk_create(buyers)
    return list(Buyer.objects.filter(email__in=[buyer.email for buyer in buyers]).order_by("pk"))


def buyer_with_login(email: str, *, language: str = "en", **fields) -> Buyer:
    """A buyer who already has his login (password "secret-pass-42")."""
    user = make_user(email, role=Role.BUYER, language=language, first_name="Anna", last_name="Kowalska")
    return Buyer.objects.create(
        first_name="Anna", last_name="Kowalska", email=email, language=language, user=user, **fields
    )


def partner_login(email: str, role: Role = Role.NOTARY, **fields):
    fields = {"language": "en", "first_name": "Paul", "last_name": "Notaire", **fields}
    return make_user(email, role=role, **fields)


def sale_make(programme: Programme, lots: list[Lot], buyers: list[Buyer], **fields) -> Sale:
    return sale_create(actor=None, programme=programme, lots=lots, buyers=buyers, **fields)


def assign(sales: list[Sale], user, role: str = SaleAssignment.Role.NOTARY) -> None:
    SaleAssignment.objects.bulk_create([SaleAssignment(sale=sale, user=user, role=role) for sale in sales])


def milestones_make(programme: Programme, *, reached: int = 2) -> list[Milestone]:
    kinds = list(Milestone.Kind)
    milestones = [
        Milestone(
            programme=programme,
            kind=kind,
            planned_date=date(2025, 1 + 2 * i, 1),
            actual_date=date(2025, 1 + 2 * i, 5) if i < reached else None,
        )
        for i, kind in enumerate(kinds)
    ]
    Milestone.objects.bulk_create(milestones)
    return milestones
