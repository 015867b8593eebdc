"""Small helpers to build programmes, lots, buyers and sales for the client-space tests.

Rows with no rule attached are bulk-created; sales go through `sale_create`, the real way in.
"""

import itertools
from datetime import date
from decimal import Decimal

from portal.users.roles import Role
from programmes.models import Lot, Milestone, Programme
from sales.models import Buyer, Sale, SaleAssignment
from sales.services import sale_create
from tests.conftest import make_user
from tests.factories import ProgrammeFactory  # noqa: F401  (the suites using this module make programmes)
from tests.factories import lots_make as lots_of

_numbers = itertools.count(1)


def lots_make(programme: Programme, count: int, **fields) -> list[Lot]:
    """Apartments as the client-space pages show them: numbered A001…, with a floor, a surface,
    rooms and a price."""
    defaults = {
        "prefix": "A",
        "floor": 1,
        "surface": Decimal("45.50"),
        "rooms": 2,
        "price": Decimal("210000.00"),
    }
    return lots_of(programme, count, **(defaults | fields))


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
