import os
import shutil

import pytest
from django.core.cache import cache

from portal.users.models import User
from portal.users.roles import Role


@pytest.fixture
def client():
    """A browser that asks for English pages; tests of other languages say so themselves."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english():
    """Messages raised outside a request read in English; pages follow their own language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits and the branding cache live in the cache; each test starts clean.
    cache.clear()
    yield
    cache.clear()


def make_user(email: str, *, role: Role | None = None, password: str = "secret-pass-42", **fields) -> User:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from portal.users.services import user_role_grant

    staff = role in {Role.ADMINISTRATOR, Role.SALES, Role.ACCOUNTANT, Role.CUSTOMER_SERVICE}
    fields.setdefault("language", "en")  # pages in English unless a test says otherwise
    user = User.objects.create_user(email=email, password=password, is_staff=staff, **fields)
    if role is not None:
        if not Group.objects.filter(name=role.value).exists():
            # A transactional test before this one flushed the groups the migrations made.
            from django.apps import apps

            from portal.users.roles import roles_sync

            roles_sync(apps)
        user_role_grant(user=user, role=role)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def buyer(db):
    return make_user("buyer@example.test", role=Role.BUYER, first_name="Anna", last_name="Buyer")


@pytest.fixture
def sales(db):
    return make_user("sales@example.test", role=Role.SALES, first_name="Sam", last_name="Sales")


@pytest.fixture
def administrator(db):
    return make_user("admin@example.test", role=Role.ADMINISTRATOR, is_superuser=True)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """The system Chromium, driven by Playwright; browser tests skip when it is absent."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Chromium: /usr/bin/chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()
