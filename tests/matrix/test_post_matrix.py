"""Every state-changing URL, posted by every role with a valid body, against the POST policy.

Each POST runs in a savepoint rolled back afterwards, so every case meets the same world; the
whole database is read before and inside it, so a refused request provably changed nothing and
an allowed one provably did something.
"""

import copy

import pytest
from django.contrib import messages
from django.db import transaction
from django.test import Client

from tests.matrix.forms import form_body
from tests.matrix.outcomes import OK, REDIRECT, outcome_of
from tests.matrix.policy import policy_table
from tests.matrix.post_policy import (
    CHANGED,
    READ_ONLY_ON_POST,
    REFUSALS,
    FormOf,
    post_key,
    post_table,
    post_world_build,
)
from tests.matrix.snapshots import database_snapshot, snapshot_changes
from tests.matrix.urls import url_patterns
from tests.matrix.world import ROLES, STAFF, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_world():
    return post_world_build(world_build())


def _client(post_world, role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        client.force_login(post_world.world.users[role])
    return client


# Rendering the admin's forms is the slow part: read each once per world layout. The world's
# primary keys are part of the key, so a database that numbers rows differently reads them again.
_FORM_BODIES: dict[tuple, dict] = {}


def _bodies(post_world, table, role: str) -> dict:
    """Each case's body; the form-built ones read as the superuser sees the page.

    Those who are not staff are sent to log in before the admin reads a body: they post none.
    """
    superuser = None
    layout = tuple(user.pk for user in post_world.world.users.values()) + (post_world.world.sale_a.pk,)
    bodies = {}
    for key, case in table.items():
        if not isinstance(case.body, FormOf):
            bodies[key] = case.body
            continue
        if role not in STAFF:
            bodies[key] = {}
            continue
        cache_key = (case.body.page, layout)
        if cache_key not in _FORM_BODIES:
            superuser = superuser or _client(post_world, "administrator")
            page = superuser.get(case.body.page)
            _FORM_BODIES[cache_key] = form_body(page.content.decode()) if page.status_code == 200 else {}
        bodies[key] = {**_FORM_BODIES[cache_key], **case.body.changes}
    return bodies


def _form_errors(response) -> str:
    """The errors of a form shown again, to say why an expected change did not happen."""
    context = getattr(response, "context", None)
    if not context:
        return ""
    found = []
    for name in ("adminform", "form", "errors"):
        value = context.get(name)
        form = getattr(value, "form", value)
        errors = getattr(form, "errors", None) or (value if name == "errors" else None)
        if errors:
            found.append(str(errors.as_data() if hasattr(errors, "as_data") else list(errors)))
    for formset in context.get("inline_admin_formsets") or []:
        if formset.formset.errors or formset.formset.non_form_errors():
            found.append(
                f"{formset.formset.prefix}: {formset.formset.errors} {formset.formset.non_form_errors()}"
            )
    request = getattr(response, "wsgi_request", None)
    if request is not None:
        found.extend(str(message) for message in messages.get_messages(request))
    return " ".join(found)[:600]


def _post(client: Client, path: str, body: dict, before: dict) -> tuple[str, list[str], str]:
    """POST in a savepoint rolled back afterwards; the outcome and what changed in the database."""
    cookies = copy.deepcopy(client.cookies)  # a logout or a new session must not outlive the savepoint
    with transaction.atomic():
        response = client.post(path, body)
        changes = snapshot_changes(before, database_snapshot())
        transaction.set_rollback(True)
    client.cookies = cookies
    outcome = outcome_of(response)
    if outcome in (OK, REDIRECT) and changes:
        outcome = CHANGED
    return outcome, changes, _form_errors(response) if outcome in (OK, REDIRECT) else ""


@pytest.mark.parametrize("role", ROLES)
def test_each_role_posts_to_every_state_changing_url_with_the_outcome_the_policy_says(post_world, role):
    table = post_table(post_world)
    bodies = _bodies(post_world, table, role)
    client = _client(post_world, role)
    before = database_snapshot()
    mismatches = []
    for key, case in table.items():
        got, changes, errors = _post(client, case.path, bodies[key], before)
        wanted = case.expected[role]
        if got in REFUSALS and changes:
            mismatches.append(f"{key} {case.path}: refused ({got}) but changed {changes}")
        elif got not in (wanted if isinstance(wanted, frozenset) else {wanted}):
            mismatches.append(f"{key} {case.path}: expected {wanted}, got {got} {changes[:3]} {errors}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)


def test_every_url_that_takes_a_post_declares_its_post_policy(post_world):
    """A URL not in the POST table must refuse POST (405) or change nothing, whoever posts."""
    declared = {post_key(key) for key in post_table(post_world)}
    paths = {key: path for key, (path, _outcome) in policy_table(post_world.world).items()}
    clients = [_client(post_world, role) for role in ("anonymous", "buyer", "administrator")]
    before = database_snapshot()
    undeclared, changing = [], []
    for key, _route in url_patterns():
        if key in declared or key not in paths:
            continue  # a URL without a GET entry fails the GET matrix already
        for client in clients:
            got, changes, _errors = _post(client, paths[key], {}, before)
            if changes:
                changing.append(f"{key}: {changes}")
            elif got not in REFUSALS and key not in READ_ONLY_ON_POST:
                undeclared.append(f"{key} ({got})")
    assert not (changing or undeclared), (
        f"POSTs that changed the database without a POST policy: {changing}\n"
        f"URLs that take a POST without an entry in tests/matrix/post_policy.py: {sorted(set(undeclared))}"
    )


def test_every_url_said_to_read_only_on_post_still_exists():
    keys = {key for key, _route in url_patterns()}
    assert keys >= READ_ONLY_ON_POST, READ_ONLY_ON_POST - keys
