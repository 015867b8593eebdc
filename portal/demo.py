"""Demo data for the quick start: the company, and one login per staff role."""

from allauth.account.models import EmailAddress

from portal.users.models import User
from portal.users.roles import Role
from portal.users.services import user_role_grant

DEMO_PASSWORD = "demo"

STAFF_LOGINS = [
    ("admin@demo.test", Role.ADMINISTRATOR, "Alice", "Admin"),
    ("sales@demo.test", Role.SALES, "Samuel", "Vendeur"),
    ("accountant@demo.test", Role.ACCOUNTANT, "Claire", "Comptable"),
    ("service@demo.test", Role.CUSTOMER_SERVICE, "Hugo", "Service"),
]


def demo_user(
    email: str, *, role: Role, first_name: str, last_name: str, language: str = "fr", **fields
) -> User:
    """Create or refresh one demo login (verified email, password "demo", its role)."""
    user, _created = User.objects.update_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "language": language, **fields},
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    user_role_grant(user=user, role=role)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_portal() -> list[tuple[str, str]]:
    from portal.branding.models import CompanySettings

    CompanySettings.objects.get_or_create(
        pk=1,
        defaults={
            "name": "Horizon Habitat",
            "legal_details": "Horizon Habitat SAS · RCS Lyon 812 345 678 · 12 quai Perrache, 69002 Lyon",
        },
    )
    logins = []
    for email, role, first_name, last_name in STAFF_LOGINS:
        demo_user(
            email,
            role=role,
            first_name=first_name,
            last_name=last_name,
            is_staff=True,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        logins.append((email, role.label))
    return logins
