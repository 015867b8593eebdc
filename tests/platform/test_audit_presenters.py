"""The audit trail reads as sentences in the reader's language, not as codes and JSON."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.audit.models import AuditEntry
from portal.audit.presenters import audit_details, audit_sentence
from portal.users.roles import Role
from tests.conftest import make_user
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def entry(action: str, object_type: str, data: dict) -> AuditEntry:
    return AuditEntry(action=action, object_type=object_type, object_id="1", data=data)


def test_a_stage_change_reads_from_stage_to_stage_with_the_reason_given():
    with translation.override("en"):
        sentence = audit_sentence(
            entry(
                "sale.stage_changed",
                "sales.sale",
                {"from": "option", "to": "cancelled", "reason": "staff", "note": "Changed his mind"},
            )
        )
    assert sentence.startswith("Stage changed: from Option to Cancelled")
    assert "reason given: “Changed his mind”" in sentence
    assert "option" not in sentence and "{" not in sentence


def test_a_stage_change_reads_in_french_for_a_french_reader():
    with translation.override("fr"):
        sentence = audit_sentence(
            entry("sale.stage_changed", "sales.sale", {"from": "option", "to": "cancelled"})
        )

    assert sentence.startswith("Changement d’étape")
    assert "Annulé" in sentence


def test_a_price_change_names_the_field_by_its_verbose_name_and_formats_the_amounts():
    with translation.override("en"):
        details = audit_details(entry("sale.updated", "sales.sale", {"price": ["200000.00", "210000.00"]}))

    assert details == ["Price incl. tax: 200,000.00 → 210,000.00"]


def test_staff_added_and_removed_read_by_email():
    with translation.override("en"):
        sentence = audit_sentence(
            entry(
                "programme.changed",
                "programmes.programme",
                {"staff": {"added": ["anne@example.test"], "removed": ["bob@example.test"]}},
            )
        )

    assert sentence == (
        "Programme changed: Assigned staff added: anne@example.test; Assigned staff removed: bob@example.test"
    )


def test_a_payment_entry_names_the_request_the_amount_and_the_statuses():
    with translation.override("en"):
        sentence = audit_sentence(
            entry(
                "payment.status_changed",
                "sales.sale",
                {
                    "payment": 3,
                    "reference": "INV-A1",
                    "status": "cancelled",
                    "amount": "1000.00",
                    "currency": "EUR",
                    "from": "to_pay",
                    "to": "cancelled",
                    "reason": "Sent twice",
                },
            )
        )

    assert "INV-A1 of €1,000.00" in sentence
    assert "status from To pay to Cancelled" in sentence
    assert "reason given: “Sent twice”" in sentence


def test_an_unknown_action_falls_back_to_readable_words():
    with translation.override("en"):
        sentence = audit_sentence(
            entry("widget.polished_twice", "nowhere.widget", {"shine_level": 3, "done": True})
        )

    assert sentence == "Widget polished twice: Shine level: 3; Done: yes"


def test_a_created_row_lists_its_values_not_changes():
    with translation.override("en"):
        details = audit_details(entry("programme.created", "programmes.programme", {"name": "Les Tilleuls"}))

    assert details == ["Name: Les Tilleuls"]


def test_the_audit_list_shows_sentences_not_codes_or_json(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    chief = make_user("chief@example.test", role=Role.ADMINISTRATOR)
    programme = ProgrammeFactory()
    AuditEntry.objects.create(
        actor=chief,
        action="programme.changed",
        object_type="programmes.programme",
        object_id=str(programme.pk),
        object_repr=str(programme),
        data={"staff": {"added": ["anne@example.test"], "removed": []}},
    )
    client.force_login(chief)

    page = client.get(
        reverse("admin:audit_auditentry_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Programme changed" in page
    assert "Assigned staff added: anne@example.test" in page
    assert "programme.changed</td>" not in page and "{&quot;" not in page
