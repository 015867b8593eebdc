"""Structured creditor references (ISO 11649, RF…): right check digits, one per payment, and the
manual provider finds the payment back from the reference a buyer wrote on his transfer."""

import pytest

from payments.providers.manual import ManualProvider, reference_payment_id
from payments.references import (
    creditor_reference,
    creditor_reference_for_payment,
    creditor_reference_grouped,
    creditor_reference_valid,
)
from tests.factories import ProgrammeFactory, request_make
from tests.payments.factories import sale_with_buyer_make


def test_the_check_digits_are_those_of_the_iso_11649_example():
    assert creditor_reference("539007547034") == "RF18539007547034"


def test_the_iso_example_is_valid_printed_or_grouped_by_four():
    assert creditor_reference_valid("RF18539007547034")
    assert creditor_reference_valid("RF18 5390 0754 7034")
    assert creditor_reference_valid("rf18 5390 0754 7034")


def test_a_reference_is_printed_in_groups_of_four_with_a_shorter_last_group():
    assert creditor_reference_grouped("RF18539007547034") == "RF18 5390 0754 7034"
    assert creditor_reference_grouped("RF185390075470Y") == "RF18 5390 0754 70Y"


@pytest.mark.parametrize("body", ["1", "Y", "LUM200000042", "Z" * 21, "000000000000000000001"])
def test_every_body_gets_check_digits_that_make_it_valid(body):
    reference = creditor_reference(body)

    assert reference.endswith(body)
    assert creditor_reference_valid(reference)
    assert not creditor_reference_valid(f"RF{(int(reference[2:4]) + 1) % 100:02d}{body}")


@pytest.mark.parametrize("body", ["", "1" * 22, "---"])
def test_a_body_that_is_empty_or_too_long_is_refused(body):
    with pytest.raises(ValueError, match="1 to 21 letters or digits"):
        creditor_reference(body)


@pytest.mark.parametrize(
    "reference",
    [
        "RFAB539007547034",
        "RF18-5390-0754-7034",
        "RF19539007547034",
        "RF18539007547035",
        "RF18",
        "XX18539007547034",
        "RF18" + "1" * 22,
    ],
)
def test_a_reference_with_a_typo_or_the_wrong_shape_is_invalid(reference):
    assert not creditor_reference_valid(reference)


def test_letters_count_in_the_check_digits():
    reference = creditor_reference_for_payment(programme_code="lum-2", payment_id=42)

    assert reference == creditor_reference("LUM200000042")
    assert reference.endswith("LUM200000042")
    assert creditor_reference_valid(reference)


@pytest.mark.django_db
def test_each_payment_gets_its_own_valid_reference_ending_in_its_id(advisor):
    sale = sale_with_buyer_make(advisor=advisor, programme=ProgrammeFactory(code="lum"))

    payments = [request_make(actor=advisor, sale=sale) for _ in range(3)]

    references = [payment.creditor_reference for payment in payments]
    assert len(set(references)) == 3
    for payment in payments:
        assert creditor_reference_valid(payment.creditor_reference)
        assert payment.creditor_reference.endswith(f"LUM{payment.pk:08d}")


@pytest.mark.django_db
def test_the_manual_provider_matches_a_transfer_to_its_payment(advisor):
    payment = request_make(actor=advisor, sale=sale_with_buyer_make(advisor=advisor))
    grouped = " ".join(
        payment.creditor_reference[i : i + 4] for i in range(0, len(payment.creditor_reference), 4)
    )

    assert ManualProvider().matching_reference({"reference": payment.creditor_reference}) == payment.pk
    assert ManualProvider().matching_reference({"reference": grouped}) == payment.pk


@pytest.mark.parametrize("reference", ["", "RF00LUM00000042", "INV-2026-7", None])
def test_a_reference_that_does_not_check_out_matches_nothing(reference):
    assert reference_payment_id(reference) is None
    assert ManualProvider().matching_reference({"reference": reference}) is None
