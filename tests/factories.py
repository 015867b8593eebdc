"""One factory per model for every test (factory_boy).

Plain rows (programmes, buildings, lots, buyers, outbox messages) are inserted directly; rows with
rules attached (sales, payment requests) are made through the real services, the only way in for
the product too. Lists of lots are built by the factory and inserted in one query, so the
query-budget tests can make ten times more data quickly.
"""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from payments.models import Payment
from payments.services.requests import payment_request_create
from portal.outbox.models import OutboxMessage
from programmes.models import Building, Lot, Programme
from sales.models import Buyer, Sale
from sales.services import sale_create


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    code = factory.Sequence(lambda n: f"p{n}")
    address = "1 rue du Test"
    postcode = "69001"
    city = "Lyon"
    legal_entity = factory.LazyAttribute(lambda programme: f"SCCV {programme.name}")
    currency = Programme.Currency.EUR
    time_zone = "Europe/Paris"
    escrow_iban = "FR7630006000011234567890189"
    escrow_bic = "AGRIFRPP"


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Building {n}")


class LotFactory(DjangoModelFactory):
    class Meta:
        model = Lot

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: f"L{n + 1:03d}")
    price = Decimal("200000.00")


class BuyerFactory(DjangoModelFactory):
    class Meta:
        model = Buyer

    first_name = "Buyer"
    last_name = factory.Sequence(lambda n: f"N{n}")
    email = factory.Sequence(lambda n: f"buyer{n}@example.test")
    user = None


class SaleFactory(DjangoModelFactory):
    """A sale through `sale_create`: `SaleFactory(programme=p, lots=[...], buyers=[...])`."""

    class Meta:
        model = Sale

    programme = factory.SubFactory(ProgrammeFactory)
    lots = factory.LazyAttribute(lambda sale: lots_make(sale.programme, 1))
    buyers = factory.LazyAttribute(lambda sale: [BuyerFactory()])
    actor = None

    @classmethod
    def _create(cls, model_class, *args, **fields):
        return sale_create(**fields)


class PaymentRequestFactory(DjangoModelFactory):
    """A payment request through `payment_request_create`, asked by the sale's advisor by default."""

    class Meta:
        model = Payment

    sale = factory.SubFactory(SaleFactory)
    actor = factory.LazyAttribute(lambda payment: payment.sale.advisor)
    amount = Decimal("1000.00")
    reference = "INV-1"

    @classmethod
    def _create(cls, model_class, *args, **fields):
        return payment_request_create(**fields)


class OutboxMessageFactory(DjangoModelFactory):
    """A row as the enqueue services write it, without scheduling a send."""

    class Meta:
        model = OutboxMessage

    channel = OutboxMessage.Channel.EMAIL
    key = factory.Sequence(lambda n: f"test:{n}")
    recipients = factory.LazyFunction(lambda: ["anna@example.test"])
    subject = "Your reservation"
    text = "Hello Anna, your reservation is confirmed."


def lots_make(programme: Programme, count: int, *, prefix: str = "L", **fields) -> list[Lot]:
    """`count` lots numbered after the programme's existing ones (L001, L002…), in one insert."""
    start = Lot.objects.filter(programme=programme).count() + 1
    lots = [
        LotFactory.build(programme=programme, number=f"{prefix}{start + i:03d}", **fields)
        for i in range(count)
    ]
    Lot.objects.bulk_create(lots)
    return list(
        Lot.objects.filter(programme=programme, number__in=[lot.number for lot in lots]).order_by("pk")
    )


def request_make(
    sale: Sale, *, actor=None, amount: str = "1000.00", reference: str = "INV-1", **fields
) -> Payment:
    """A payment request of `sale`, asked by `actor` (the sale's advisor when not given)."""
    return PaymentRequestFactory(
        sale=sale, actor=actor or sale.advisor, amount=Decimal(amount), reference=reference, **fields
    )
