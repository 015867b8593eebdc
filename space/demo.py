"""Demo data of the quick start for programmes, lots, buyers and sales.

Two programmes (one in France in euros, one in Poland in złoty), about 80 lots and about 30
sales spread over every stage, built through the real services so lots, dates and the audit
trail are what staff would see. Safe to run again: a programme that exists is left alone.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from portal.demo import demo_user
from portal.users.models import User
from portal.users.roles import Role
from programmes.models import Building, Lot, Milestone, Programme
from programmes.services import programme_save
from sales.models import Buyer, SaleAssignment, Stage
from sales.services import sale_create, sale_move_stage, sale_request_reservation
from sales.stages import PIPELINE

FIRST_NAMES_FR = [
    "Camille",
    "Julien",
    "Sophie",
    "Nicolas",
    "Léa",
    "Thomas",
    "Emma",
    "Antoine",
    "Chloé",
    "Hugo",
]
LAST_NAMES_FR = [
    "Martin",
    "Bernard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
]
FIRST_NAMES_PL = ["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Michał", "Agnieszka", "Paweł"]
LAST_NAMES_PL = [
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamińska",
    "Lewandowski",
    "Zielińska",
    "Szymański",
]

# Staff who work on every demo programme (portal.demo creates their logins).
COMPANY_STAFF = ["accountant@demo.test", "service@demo.test"]

EXTERNAL_LOGINS = [
    ("buyer@demo.test", "Buyer (Marie Dupont)"),
    ("cobuyer@demo.test", "Co-buyer (Paul Dupont)"),
    ("buyer2@demo.test", "Buyer (Jan Kowalski)"),
    ("notary@demo.test", "Notary"),
    ("partner@demo.test", "Partner agency"),
]


def _programme(**fields) -> tuple[Programme, bool]:
    return Programme.objects.get_or_create(code=fields.pop("code"), defaults=fields)


def _staff_join(programme: Programme, members: list[User]) -> None:
    # Through the programme's service, so the trail says who was added; nobody is removed, and
    # running the seed again records nothing.
    staff = {member.pk: member for member in [*programme.staff.all(), *members]}
    programme_save(actor=None, programme=programme, values={"staff": list(staff.values())})


def _lots(programme: Programme, buildings: list[str], per_building: int, base_price: int) -> list[Lot]:
    lots = []
    types = itertools.cycle([Lot.Type.APARTMENT] * 4 + [Lot.Type.PARKING, Lot.Type.CELLAR])
    for name in buildings:
        building = Building.objects.create(programme=programme, name=name)
        for index in range(per_building):
            lot_type = next(types)
            rooms = 1 + index % 5 if lot_type == Lot.Type.APARTMENT else None
            surface = (
                Decimal(28 + 17 * (rooms or 0))
                if rooms
                else Decimal(12 if lot_type == Lot.Type.PARKING else 6)
            )
            price = Decimal(base_price * (rooms or 0) + (15000 if lot_type == Lot.Type.PARKING else 6000))
            lots.append(
                Lot(
                    programme=programme,
                    building=building,
                    number=f"{name}{index + 1:02d}",
                    type=lot_type,
                    floor=index // 6,
                    surface=surface,
                    rooms=rooms,
                    price=price if rooms else price / 4,
                )
            )
    return Lot.objects.bulk_create(lots)


def _milestones(programme: Programme, start: date, reached: int) -> None:
    for index, kind in enumerate(Milestone.Kind):
        planned = start + timedelta(days=150 * index)
        Milestone.objects.create(
            programme=programme,
            kind=kind,
            planned_date=planned,
            actual_date=planned + timedelta(days=9) if index < reached else None,
        )


def _buyer(email: str, first: str, last: str, language: str, phone: str, user=None) -> Buyer:
    buyer, _created = Buyer.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "language": language,
            "phone": phone,
            "civility": Buyer.Civility.MRS
            if first[-1] == "a" or first in {"Sophie", "Emma", "Chloé", "Léa", "Camille"}
            else Buyer.Civility.MR,
            "user": user,
        },
    )
    return buyer


def _advance(sale, target: str, actor) -> None:
    """Walk a sale along the pipeline up to `target` (or cancel/withdraw it on the way)."""
    path = PIPELINE[1 : PIPELINE.index(target) + 1] if target in PIPELINE else []
    if target == Stage.WITHDRAWN:
        path = [Stage.RESERVATION_SIGNED, Stage.WITHDRAWAL_PERIOD, Stage.WITHDRAWN]
    elif target == Stage.CANCELLED:
        path = [Stage.RESERVATION_SIGNED, Stage.CANCELLED]
    for step in path:
        sale_move_stage(actor=actor, sale=sale, target=step)


def seed_sales(*, advisor_fr, advisor_pl) -> list[tuple[str, str]]:
    lumiere, created_fr = _programme(
        code="lum",
        name="Les Jardins de Lumière",
        status=Programme.Status.CONSTRUCTION,
        description="48 logements du T1 au T5 autour d'un jardin paysager, à deux pas du parc de la Tête d'Or.",
        address="18 rue des Émeraudes",
        postcode="69006",
        city="Lyon",
        country=Programme.Country.FR,
        latitude=Decimal("45.771944"),
        longitude=Decimal("4.852778"),
        currency=Programme.Currency.EUR,
        time_zone="Europe/Paris",
        legal_entity="SCCV Les Jardins de Lumière",
        escrow_iban="FR7630006000011234567890189",
        escrow_bic="AGRIFRPP",
        delivery_date=date(2028, 6, 30),
        self_reservation_enabled=True,
    )
    wzgorze, created_pl = _programme(
        code="zwg",
        name="Osiedle Zielone Wzgórze",
        status=Programme.Status.ON_SALE,
        description="32 mieszkania i miejsca postojowe na zielonym wzgórzu Krakowa.",
        address="ul. Zielona 12",
        postcode="30-001",
        city="Kraków",
        country=Programme.Country.PL,
        latitude=Decimal("50.061389"),
        longitude=Decimal("19.938333"),
        currency=Programme.Currency.PLN,
        time_zone="Europe/Warsaw",
        legal_entity="Zielone Wzgórze Sp. z o.o.",
        escrow_iban="PL61109010140000071219812874",
        escrow_bic="WBKPPLPP",
        delivery_date=date(2028, 12, 15),
    )
    # Each advisor works on his programme; the accountant and customer service follow both.
    company_staff = list(User.objects.filter(email__in=COMPANY_STAFF))
    _staff_join(lumiere, [advisor_fr, *company_staff])
    _staff_join(wzgorze, [advisor_pl, *company_staff])

    marie = demo_user("buyer@demo.test", role=Role.BUYER, first_name="Marie", last_name="Dupont")
    paul = demo_user("cobuyer@demo.test", role=Role.BUYER, first_name="Paul", last_name="Dupont")
    jan = demo_user(
        "buyer2@demo.test", role=Role.BUYER, first_name="Jan", last_name="Kowalski", language="pl"
    )
    notary = demo_user("notary@demo.test", role=Role.NOTARY, first_name="Hélène", last_name="Notaire")
    partner = demo_user("partner@demo.test", role=Role.PARTNER, first_name="Luc", last_name="Agence")

    if created_fr:
        lots = _lots(lumiere, ["A", "B"], 24, 62000)
        _milestones(lumiere, date(2025, 3, 1), reached=3)
        buyer = _buyer("buyer@demo.test", "Marie", "Dupont", "fr", "+33612345678", marie)
        cobuyer = _buyer("cobuyer@demo.test", "Paul", "Dupont", "fr", "+33698765432", paul)
        apartments = [lot for lot in lots if lot.type == Lot.Type.APARTMENT]
        parking = [lot for lot in lots if lot.type == Lot.Type.PARKING]
        sale = sale_create(
            actor=advisor_fr,
            programme=lumiere,
            lots=[apartments[3], parking[0]],
            buyers=[buyer, cobuyer],
            advisor=advisor_fr,
            contract_number="LUM-2026-014",
            partner_agency="Agence du Parc",
        )
        _advance(sale, Stage.WITHDRAWAL_PERIOD, advisor_fr)
        SaleAssignment.objects.create(sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
        SaleAssignment.objects.create(sale=sale, user=partner, role=SaleAssignment.Role.PARTNER)
        # Paul asked for a parking space himself: a reservation request his advisor must answer,
        # which he may still withdraw from his purchase page.
        sale_request_reservation(user=paul, lot=parking[1])
        _spread_sales(
            lumiere,
            apartments[4:24],
            advisor_fr,
            FIRST_NAMES_FR,
            LAST_NAMES_FR,
            "fr",
            "+3361100",
            notary,
            partner,
        )

    if created_pl:
        lots = _lots(wzgorze, ["A", "B"], 16, 145000)
        _milestones(wzgorze, date(2025, 9, 1), reached=2)
        buyer = _buyer("buyer2@demo.test", "Jan", "Kowalski", "pl", "+48601234567", jan)
        apartments = [lot for lot in lots if lot.type == Lot.Type.APARTMENT]
        sale = sale_create(
            actor=advisor_pl,
            programme=wzgorze,
            lots=[apartments[1]],
            buyers=[buyer],
            advisor=advisor_pl,
            contract_type="developer",
            contract_number="ZWG/2026/07",
        )
        _advance(sale, Stage.DEPOSIT_PAID, advisor_pl)
        _spread_sales(
            wzgorze, apartments[2:12], advisor_pl, FIRST_NAMES_PL, LAST_NAMES_PL, "pl", "+4860110", None, None
        )
    return EXTERNAL_LOGINS


def _spread_sales(
    programme, lots, advisor, first_names, last_names, language, phone_prefix, notary, partner
) -> None:
    """One sale per lot, cycling through every stage, so every list and filter has something to show."""
    stages = itertools.cycle([*PIPELINE, Stage.CANCELLED, Stage.WITHDRAWN])
    for index, lot in enumerate(lots):
        first, last = first_names[index % len(first_names)], last_names[(index * 3) % len(last_names)]
        buyer = _buyer(
            f"{first}.{last}.{programme.code}{index}@example.test".lower().replace(" ", ""),
            first,
            last,
            language,
            f"{phone_prefix}{index:04d}",
        )
        target = next(stages)
        hold = timezone.now() + timedelta(days=5) if target == Stage.OPTION else None
        sale = sale_create(
            actor=advisor, programme=programme, lots=[lot], buyers=[buyer], advisor=advisor, hold_until=hold
        )
        _advance(sale, target, advisor)
        if notary and index % 3 == 0:
            SaleAssignment.objects.create(sale=sale, user=notary, role=SaleAssignment.Role.NOTARY)
        if partner and index % 4 == 0:
            SaleAssignment.objects.create(sale=sale, user=partner, role=SaleAssignment.Role.PARTNER)
