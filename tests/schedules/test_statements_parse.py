"""Reading bank statements: camt.053 .02 to .08, MT940, CSV; a bad file is refused whole."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from schedules.statements import StatementError
from schedules.statements.camt053 import parse_camt053
from schedules.statements.csv import CsvMapping, parse_csv
from schedules.statements.matching import names_match, rf_candidates
from schedules.statements.mt940 import parse_mt940
from tests.schedules.statement_files import camt_entry, camt_file

SAMPLES = Path(__file__).resolve().parents[2] / "schedules" / "samples"


@pytest.mark.parametrize("version", [2, 4, 8])
def test_each_camt_version_reads_the_credit_transfers_with_name_reference_and_text(version):
    content = camt_file(
        version,
        [
            camt_entry(
                version,
                "BANK-1",
                [{"amount": "1250.50", "name": "Dubois Élodie", "ref": "RF18 5390 0754 7034"}],
            ),
            camt_entry(version, "BANK-2", [{"amount": "99.00", "text": "fees"}], indicator="DBIT"),
            camt_entry(
                version,
                "BANK-3",
                [{"amount": "300.00", "name": "Anna Nowak", "text": "rata RF18539007547034"}],
            ),
        ],
    )
    statement = parse_camt053(content)

    assert statement.account_iban == "FR7630006000011234567890189"
    first, second = statement.transactions  # the debit is not money from a buyer
    assert (first.bank_reference, first.index, first.amount) == ("BANK-1", 0, Decimal("1250.50"))
    assert isinstance(first.amount, Decimal)
    assert (first.debtor_name, first.creditor_reference) == ("Dubois Élodie", "RF18 5390 0754 7034")
    assert first.booked_on == date(2026, 12, 4) and first.currency == "EUR"
    assert (second.debtor_name, second.remittance) == ("Anna Nowak", "rata RF18539007547034")


def test_an_entry_of_several_transactions_is_split_each_with_the_entry_reference_and_its_index():
    content = camt_file(
        8,
        [
            camt_entry(
                8,
                "BATCH-9",
                [
                    {"amount": "100.00", "name": "A One", "ref": "RF18539007547034"},
                    {"amount": "200.00", "name": "B Two", "text": "second"},
                    {"amount": "0.01", "name": "C Three"},
                ],
            )
        ],
    )
    transactions = parse_camt053(content).transactions

    assert [(tx.bank_reference, tx.index, tx.amount) for tx in transactions] == [
        ("BATCH-9", 0, Decimal("100.00")),
        ("BATCH-9", 1, Decimal("200.00")),
        ("BATCH-9", 2, Decimal("0.01")),
    ]
    assert [tx.debtor_name for tx in transactions] == ["A One", "B Two", "C Three"]


def test_a_camt_file_with_bad_entries_is_refused_with_each_entry_number_and_reason():
    content = camt_file(
        4,
        [
            camt_entry(4, "OK-1", [{"amount": "10.00"}]),
            camt_entry(4, "BAD-2", [{"amount": "ten"}], amount="10.00"),
            camt_entry(4, "BAD-3", [{"amount": "10.00"}, {"amount": "5.00"}], amount="20.00"),
        ],
    )
    with pytest.raises(StatementError) as refused:
        parse_camt053(content)

    assert [number for number, _reason in refused.value.problems] == [2, 3]
    assert "Entry 2: the amount “ten” is not a number" in refused.value.lines()
    assert "do not add up" in refused.value.lines()[1]


def test_another_xml_document_is_refused():
    with pytest.raises(StatementError, match="not a camt.053"):
        parse_camt053(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><X/></Document>')


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&lol3;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"""


def test_entities_are_refused_unexpanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("RF18539007547034")
    external = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Document><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&x;</AddtlNtryInf></Ntry></Stmt>"
        "</BkToCstmrStmt></Document>"
    ).encode()

    for content in (BILLION_LAUGHS, external):
        with pytest.raises(StatementError) as refused:
            parse_camt053(content)
        assert "refused unread" in str(refused.value)
        assert "RF18" not in str(refused.value) and "lol" not in str(refused.value)


def test_the_camt_sample_reads_four_credits_one_split_entry_and_skips_the_fees():
    statement = parse_camt053((SAMPLES / "statement.camt053.xml").read_bytes())

    assert statement.account_iban == "FR7630006000011234567890189"
    assert [(tx.bank_reference, tx.index) for tx in statement.transactions] == [
        ("2026120400011874", 0),
        ("2026120400011875", 0),
        ("2026120400011875", 1),
        ("2026120400011876", 0),
    ]
    assert statement.transactions[1].debtor_name == "Bernard Julien"  # the ultimate debtor
    assert rf_candidates(statement.transactions[2].remittance) == ["RF45LYON00000103"]


def test_the_mt940_sample_of_a_polish_bank_reads_the_credits_name_and_title():
    statement = parse_mt940((SAMPLES / "statement.mt940").read_bytes())

    assert statement.account_iban == "PL61109010140000071219812874"
    first, second = statement.transactions  # the bank's fee, a debit, is left out
    assert (first.bank_reference, first.index) == ("261204010009931", 0)
    assert (first.amount, first.currency, first.booked_on) == (Decimal("96000.00"), "PLN", date(2026, 12, 4))
    assert first.debtor_name == "KOWALSKA ANNA"
    assert first.remittance.startswith("RF83WAW00000201 Wplata II transza")
    assert rf_candidates(first.remittance) == ["RF83WAW00000201"]
    assert names_match(second.debtor_name, "Piotr", "Wiśniewski")


def test_an_mt940_transaction_line_that_cannot_be_read_refuses_the_file_with_its_line():
    content = (
        (SAMPLES / "statement.mt940")
        .read_bytes()
        .replace(b":61:2612041204C48000,00", b":61:2613401204C48000,00")
    )
    with pytest.raises(StatementError) as refused:
        parse_mt940(content)
    assert refused.value.problems[0][0] == 8
    assert refused.value.lines()[0].startswith("Line 8: the value date")


MAPPING = CsvMapping(
    date="Date opération",
    amount="Montant",
    name="Donneur d'ordre",
    reference="Référence",
    text="Libellé",
    bank_reference="Réf. banque",
    delimiter=";",
    decimal_comma=True,
)
CSV_HEADER = "Date opération;Libellé;Donneur d'ordre;Référence;Montant;Réf. banque\n"


def test_a_csv_with_its_mapping_and_decimal_comma_keeps_the_credits():
    content = (
        CSV_HEADER
        + "04/12/2026;VIR SEPA APPEL 2;DUBOIS ELODIE;RF18539007547034;1.250,50;B1\n"
        + "04/12/2026;FRAIS;;;-35,00;B2\n"
        + "05/12/2026;Virement;MARTIN CLAIRE;;42 000,00;B3\n"
    ).encode("utf-8")
    transactions = parse_csv(content, MAPPING).transactions

    assert [(tx.bank_reference, tx.amount) for tx in transactions] == [
        ("B1", Decimal("1250.50")),
        ("B3", Decimal("42000.00")),
    ]
    assert transactions[0].creditor_reference == "RF18539007547034"
    assert transactions[0].booked_on == date(2026, 12, 4)
    assert transactions[1].debtor_name == "MARTIN CLAIRE"


def test_a_csv_without_bank_reference_identifies_identical_rows_by_their_rank():
    mapping = CsvMapping(date="date", amount="amount", name="name", delimiter=",", decimal_comma=False)
    content = b"date,amount,name\n2026-12-04,100.00,A\n2026-12-04,100.00,A\n"
    first, second = parse_csv(content, mapping).transactions

    assert first.bank_reference == second.bank_reference
    assert (first.index, second.index) == (0, 1)
    assert parse_csv(content, mapping).transactions == [first, second]  # the same file, the same keys


def test_a_csv_with_bad_lines_is_refused_whole_with_every_line_number_and_reason():
    content = (
        CSV_HEADER
        + "04/12/2026;ok;A;;10,00;B1\n"
        + "31/02/2026;bad date;A;;10,00;B2\n"
        + "04/12/2026;bad amount;A;;dix;B3\n"
    ).encode("utf-8")
    with pytest.raises(StatementError) as refused:
        parse_csv(content, MAPPING)

    assert refused.value.lines() == [
        "Line 3: the date “31/02/2026” is not a date",
        "Line 4: the amount “dix” is not a number",
    ]


def test_a_csv_mapping_naming_a_missing_column_is_refused():
    with pytest.raises(StatementError, match="the column “Montant” is not in the header"):
        parse_csv(b"Date op\xc3\xa9ration;Amount\n", MAPPING)
