import re

import pytest

from portal.outbox.models import OutboxMessage
from portal.users.roles import Role
from sales.models import Buyer
from tests.conftest import make_user
from tests.space import factories


@pytest.fixture
def staff(db):
    return make_user("sam@example.test", role=Role.SALES, first_name="Sam", last_name="Advisor")


@pytest.fixture
def programme(db):
    return factories.ProgrammeFactory(name="Osiedle Zielone", code="OZ", time_zone="Europe/Warsaw")


@pytest.fixture
def ewa(programme):
    """A buyer without a login yet, writing in Polish."""
    buyer = Buyer.objects.create(first_name="Ewa", last_name="Nowak", email="Ewa@Example.test", language="pl")
    factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])
    return buyer


@pytest.fixture
def english_buyer(programme):
    buyer = Buyer.objects.create(
        first_name="Emma", last_name="Stone", email="emma@example.test", language="en"
    )
    factories.sale_make(programme, factories.lots_make(programme, 1), [buyer])
    return buyer


def invitation_path(message) -> str:
    """The path of the link an invitation email carries: an outbox row not sent yet, or the email
    as it went out (once sent, the row no longer holds the link)."""
    text = message.text if isinstance(message, OutboxMessage) else message.body
    return re.search(r"https?://[^/\s]+(/space/invitation/[^/\s]+/)", text).group(1)
