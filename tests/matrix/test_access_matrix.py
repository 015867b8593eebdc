"""Every URL of the project, requested by every role with real objects, against one policy table."""

import pytest
from django.test import Client

from tests.matrix.outcomes import outcome_of
from tests.matrix.policy import policy_table
from tests.matrix.urls import url_patterns
from tests.matrix.world import ROLES, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build()


def test_every_url_pattern_declares_its_policy(world):
    table = policy_table(world)
    undeclared = [key for key, _route in url_patterns() if key not in table]
    assert not undeclared, f"URLs without an entry in tests/matrix/policy.py: {undeclared}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_policy_says_on_every_url(world, role):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(world.users[role])
    mismatches = []
    for key, (path, expected) in policy_table(world).items():
        got = outcome_of(client.get(path))
        wanted = expected[role]
        if got not in (wanted if isinstance(wanted, frozenset) else {wanted}):
            mismatches.append(f"{key} {path}: expected {wanted}, got {got}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)
