"""The benchmark's data set, built fast with bulk inserts, once per set of sizes.

Not through the services (they work row by row), but consistent with the models' rules: each
lot in at most one live sale, lot statuses that follow their sale's stage, one main buyer per
sale, staff assigned to programmes. A marker table records the sizes the database holds, so a
second run with the same sizes reuses it.
"""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.branding.models import CompanySettings
from portal.users.models import User
from portal.users.roles import Role
from programmes.models import Building, Lot, Milestone, Programme
from sales.models import LIVE_STAGES, Buyer, Sale, SaleAssignment, SaleBuyer, SaleLot, Stage
from sales.stages import LOT_STATUS_FOR_STAGE, PIPELINE

BUILD_VERSION = 1  # bump when the data set changes shape, so existing bench databases rebuild
MARKER_TABLE = "bench_marker"
BATCH = 2000
PASSWORD = "bench"
BUYER_EMAIL = "buyer@bench.test"  # the benchmark buyer: main buyer of the first sale
ADMIN_EMAIL = "admin@bench.test"  # the administrator: sees every programme

# One sale in twenty at each step; the first (the benchmark buyer's) has its deed signed.
_S = Stage
STAGE_CYCLE = [_S.DEED_SIGNED] * 5 + [_S.DELIVERED] * 2 + [_S.OPTION] * 2 + [_S.RESERVATION_SIGNED] * 2
STAGE_CYCLE += [_S.WITHDRAWAL_PERIOD] + [_S.DEPOSIT_PAID] * 2 + [_S.FINANCING] * 3
STAGE_CYCLE += [_S.CANCELLED] * 2 + [_S.WITHDRAWN]
FIRST_NAMES = ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Jakub", "Zofia", "Nathan", "Inès", "Marek"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Nowak", "Kowalski", "Moreau", "Laurent", "Wiśniewski", "Roux"]
CITIES = ["Lyon", "Nantes", "Bordeaux", "Lille", "Kraków", "Wrocław", "Rennes", "Toulouse"]
LOT_TYPES = [Lot.Type.APARTMENT] * 7 + [Lot.Type.PARKING] * 2 + [Lot.Type.CELLAR]


@dataclass(frozen=True)
class Sizes:
    buyers: int
    sales: int
    lots: int
    programmes: int


def prepare(sizes: Sizes, *, rebuild: bool = False, log=print) -> bool:
    """Migrate the bench database and fill it unless it holds these sizes. True if it was built."""
    _ensure_database()
    wanted = {"version": BUILD_VERSION, **asdict(sizes)}
    fresh = rebuild or _marker_read() != wanted
    if fresh:
        log("Building a new bench database…")
        _wipe()
        _marker_write(None)
    connection.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        check=True,
    )
    if fresh:
        build(sizes, log=log)
        _marker_write(wanted)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum would have done by now in production
    return fresh


def _ensure_database() -> None:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    elif connection.vendor == "postgresql":
        import psycopg
        from psycopg import sql

        params = {
            "host": db["HOST"],
            "port": db["PORT"] or None,
            "user": db["USER"],
            "password": db["PASSWORD"],
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    else:
        raise SystemExit(f"The benchmark supports SQLite and PostgreSQL, not {connection.vendor}.")


def _marker_read() -> dict | None:
    tables = connection.introspection.table_names()
    if MARKER_TABLE not in tables:
        if tables:
            raise SystemExit(
                f"{settings.DATABASES['default']['NAME']} holds tables but is not a bench database; "
                "give BENCH_DATABASE_URL an empty or bench-only database."
            )
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    return json.loads(row[0]) if row and row[0] else None


def _marker_write(data: dict | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (data TEXT)")
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (data) VALUES (%s)", [json.dumps(data) if data else ""])


def _wipe() -> None:
    """Empty the bench database (only ever called on one that carries the marker, or an empty one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        connection.close()
        name = str(settings.DATABASES["default"]["NAME"])
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)


@contextmanager
def _own_created_at(*models):
    """Let bulk inserts keep the `created_at` they are given, so dates spread over the years."""
    fields = [model._meta.get_field("created_at") for model in models]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def _users(emails_names: list[tuple[str, str, str]], role: str, **fields) -> list[User]:
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=e, first_name=f, last_name=n, password=unusable, **fields) for e, f, n in emails_names],
        batch_size=BATCH,
    )
    group = Group.objects.get(name=role)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=BATCH
    )
    return users


def _sale_fields(stage: str, created, now) -> dict:
    """The dates a sale carries once it has reached `stage` (as the stage services stamp them)."""
    step = PIPELINE.index(stage) if stage in PIPELINE else 2
    signed = (created + timedelta(days=7)).date()
    fields = {"stage_changed_at": min(created + timedelta(days=30 * max(step, 1)), now)}
    if stage == Stage.OPTION:
        fields["hold_until"] = now + timedelta(days=5)
    if step >= 1:
        fields["reservation_signed_on"] = signed
    if step >= 2:
        fields["withdrawal_ends_on"] = signed + timedelta(days=10)
    if step >= 4:
        fields["deed_planned_on"] = signed + timedelta(days=90)
    if step >= 5:
        fields["deed_signed_on"] = signed + timedelta(days=90)
    if step >= 6:
        fields["delivered_on"] = signed + timedelta(days=400)
    if stage in (Stage.CANCELLED, Stage.WITHDRAWN):
        fields["cancelled_on"] = signed + timedelta(days=12)
        fields["cancel_reason"] = Sale.CancelReason.STAFF if stage == Stage.CANCELLED else ""
    return fields


@transaction.atomic
def build(sizes: Sizes, *, log=print) -> None:
    if sizes.lots < sizes.sales or min(asdict(sizes).values()) < 1:
        raise SystemExit("Sizes must be positive, with at least as many lots as sales.")
    now = timezone.now()
    n_prog = sizes.programmes
    CompanySettings.objects.get_or_create(pk=CompanySettings.SINGLETON_PK, defaults={"name": "Bench Habitat"})

    admin = _users([(ADMIN_EMAIL, "Ada", "Admin")], Role.ADMINISTRATOR, is_staff=True)[0]
    advisors = _users(
        [(f"sales{i:02d}@bench.test", FIRST_NAMES[i % 10], "Vendeur") for i in range((n_prog + 1) // 2)],
        Role.SALES,
        is_staff=True,
    )
    notaries = _users(
        [(f"notary{i:02d}@bench.test", "Maître", f"Notaire{i}") for i in range(n_prog)], Role.NOTARY
    )
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])

    programmes = Programme.objects.bulk_create(
        Programme(
            name=f"Résidence {LAST_NAMES[i % 9]} {i + 1}",
            code=f"p{i + 1:02d}",
            status=Programme.Status.CONSTRUCTION if i % 2 else Programme.Status.ON_SALE,
            address=f"{i + 1} rue du Chantier",
            postcode=f"{69000 + i:05d}",
            city=CITIES[i % len(CITIES)],
            legal_entity=f"SCCV Bench {i + 1}",
            delivery_date=(now + timedelta(days=200 + 30 * i)).date(),
            self_reservation_enabled=i % 3 == 0,
        )
        for i in range(n_prog)
    )
    Programme.staff.through.objects.bulk_create(
        Programme.staff.through(programme_id=p.pk, user_id=advisors[i // 2].pk)
        for i, p in enumerate(programmes)
    )
    Milestone.objects.bulk_create(
        Milestone(programme=p, kind=kind, planned_date=(now + timedelta(days=90 * k - 180)).date())
        for p in programmes
        for k, kind in enumerate(Milestone.Kind.values)
    )
    buildings = Building.objects.bulk_create(Building(programme=p, name=b) for p in programmes for b in "ABC")
    log(f"  programmes, staff, buildings: {n_prog}, {len(advisors) + len(notaries) + 1}, {len(buildings)}")

    # Lots, per programme; sales take them in order (one in four takes a second lot while spare).
    lots = [[] for _ in range(n_prog)]
    for i in range(sizes.lots):
        p, j = i % n_prog, i // n_prog
        lots[p].append(
            Lot(
                programme=programmes[p],
                building=buildings[p * 3 + j % 3],
                number=f"{'ABC'[j % 3]}{j + 1:05d}",
                type=LOT_TYPES[j % 10],
                floor=j % 6,
                surface=Decimal(30 + (j * 7) % 90),
                rooms=1 + j % 5,
                price=Decimal(150_000 + (j * 1_373) % 350_000),
            )
        )
    sale_lots, next_lot = [], [0] * n_prog
    spare = [len(lots[p]) - len(range(p, sizes.sales, n_prog)) for p in range(n_prog)]
    for g in range(sizes.sales):
        p = g % n_prog
        take = 2 if (g // n_prog) % 4 == 0 and spare[p] > 0 else 1
        spare[p] -= take - 1
        taken = lots[p][next_lot[p] : next_lot[p] + take]
        next_lot[p] += take
        stage = STAGE_CYCLE[g % len(STAGE_CYCLE)]
        for lot in taken:
            if stage in LIVE_STAGES:
                lot.status = LOT_STATUS_FOR_STAGE[stage]
        sale_lots.append(taken)
    Lot.objects.bulk_create([lot for per_programme in lots for lot in per_programme], batch_size=BATCH)
    log(f"  lots: {sizes.lots}")

    # Buyers, each with a login account; buyer 0 is the benchmark buyer.
    names = [(FIRST_NAMES[i % 10], LAST_NAMES[(i // 10) % 9]) for i in range(sizes.buyers)]
    emails = [BUYER_EMAIL] + [f"buyer{i:05d}@bench.test" for i in range(1, sizes.buyers)]
    users = _users([(e, f, n) for e, (f, n) in zip(emails, names, strict=True)], Role.BUYER)
    users[0].set_password(PASSWORD)
    users[0].save(update_fields=["password"])
    span = timedelta(days=3 * 365) / max(sizes.sales, 1)
    created = [now - span * (sizes.sales - g) for g in range(sizes.sales)]
    with _own_created_at(Buyer, Sale, AuditEntry):
        buyers = Buyer.objects.bulk_create(
            [
                Buyer(
                    first_name=f,
                    last_name=n,
                    email=e,
                    user=u,
                    phone="+33600000000",
                    city=CITIES[i % 8],
                    created_at=created[i % sizes.sales],
                )
                for i, (e, (f, n), u) in enumerate(zip(emails, names, users, strict=True))
            ],
            batch_size=BATCH,
        )
        log(f"  buyers: {sizes.buyers}")
        sales = Sale.objects.bulk_create(
            [
                Sale(
                    programme=programmes[g % n_prog],
                    reference=f"P{g % n_prog + 1:02d}-{g + 1:05d}",
                    price=sum((lot.price for lot in sale_lots[g]), Decimal("0.00")),
                    stage=STAGE_CYCLE[g % len(STAGE_CYCLE)],
                    advisor=advisors[(g % n_prog) // 2],
                    created_at=created[g],
                    **_sale_fields(STAGE_CYCLE[g % len(STAGE_CYCLE)], created[g], now),
                )
                for g in range(sizes.sales)
            ],
            batch_size=BATCH,
        )
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=s.advisor,
                    action="sale.created",
                    object_type="sales.sale",
                    object_id=str(s.pk),
                    object_repr=s.reference,
                    data={"stage": Stage.OPTION},
                    created_at=s.created_at,
                )
                for s in sales
            ],
            batch_size=BATCH,
        )
    SaleLot.objects.bulk_create(
        [
            SaleLot(sale=s, lot=lot, live=s.is_live)
            for s, taken in zip(sales, sale_lots, strict=True)
            for lot in taken
        ],
        batch_size=BATCH,
    )
    parties = []
    for g, sale in enumerate(sales):
        main = g % sizes.buyers
        parties.append(SaleBuyer(sale=sale, buyer=buyers[main], is_main=True))
        co = (main + sizes.buyers // 2) % sizes.buyers
        if g % 3 == 0 and co != main:
            parties.append(SaleBuyer(sale=sale, buyer=buyers[co], is_main=False))
    SaleBuyer.objects.bulk_create(parties, batch_size=BATCH)
    SaleAssignment.objects.bulk_create(
        [
            SaleAssignment(sale=s, user=notaries[g % n_prog], role=SaleAssignment.Role.NOTARY)
            for g, s in enumerate(sales)
            if g % 5 == 0
        ],
        batch_size=BATCH,
    )
    log(f"  sales: {sizes.sales} ({sum(map(len, sale_lots))} sale lots, {len(parties)} sale buyers)")
