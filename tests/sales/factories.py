"""Small builders for programmes, lots and buyers; sales are made through the real services."""

import itertools
from decimal import Decimal

from programmes.models import Lot, Programme
from sales.models import Buyer

_counter = itertools.count(1)


def programme_make(**fields) -> Programme:
    n = next(_counter)
    defaults = {
        "name": f"Programme {n}",
        "code": f"p{n}",
        "address": "1 rue du Test",
        "postcode": "69001",
        "city": "Lyon",
        "legal_entity": "SCCV Test",
        "escrow_iban": "FR7630006000011234567890189",
        "escrow_bic": "AGRIFRPP",
    }
    return Programme.objects.create(**{**defaults, **fields})


def lots_make(programme: Programme, count: int, *, price: str = "200000.00") -> list[Lot]:
    start = programme.lots.count()
    return Lot.objects.bulk_create(
        [Lot(programme=programme, number=f"L{start + i + 1:03d}", price=Decimal(price)) for i in range(count)]
    )


def buyer_make(user=None, **fields) -> Buyer:
    n = next(_counter)
    defaults = {"first_name": "Buyer", "last_name": f"N{n}", "email": f"buyer{n}@example.test", "user": user}
    return Buyer.objects.create(**{**defaults, **fields})
