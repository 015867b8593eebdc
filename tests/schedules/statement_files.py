"""Statement files for the tests, written the way each camt.053 version spells them."""

from decimal import Decimal


def _tx(version: int, amount: str, *, name: str = "", ref: str = "", text: str = "") -> str:
    if version <= 2:
        amount_xml = f'<AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>'
    else:
        amount_xml = f'<Amt Ccy="EUR">{amount}</Amt>'
    if not name:
        parties = ""
    elif version >= 8:
        parties = f"<RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr></RltdPties>"
    else:
        parties = f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties>"
    remittance = ""
    if ref or text:
        strd = f"<Strd><CdtrRefInf><Ref>{ref}</Ref></CdtrRefInf></Strd>" if ref else ""
        ustrd = f"<Ustrd>{text}</Ustrd>" if text else ""
        remittance = f"<RmtInf>{ustrd}{strd}</RmtInf>"
    return f"<TxDtls>{amount_xml}<CdtDbtInd>CRDT</CdtDbtInd>{parties}{remittance}</TxDtls>"


def camt_entry(
    version: int,
    bank_reference: str,
    transactions: list[dict],
    *,
    booked: str = "2026-12-04",
    indicator: str = "CRDT",
    amount: str | None = None,
) -> str:
    """One <Ntry>; `transactions` are dicts of amount, name, ref, text."""
    total = amount or str(sum(Decimal(tx["amount"]) for tx in transactions))
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version >= 6 else "<Sts>BOOK</Sts>"
    details = "".join(_tx(version, **tx) for tx in transactions)
    return (
        f'<Ntry><Amt Ccy="EUR">{total}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{status}'
        f"<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{booked}</Dt></ValDt>"
        f"<AcctSvcrRef>{bank_reference}</AcctSvcrRef><NtryDtls>{details}</NtryDtls></Ntry>"
    )


def camt_file(version: int, entries: list[str], *, iban: str = "FR7630006000011234567890189") -> bytes:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02d}"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{namespace}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-05T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>S1</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{''.join(entries)}</Stmt>"
        "</BkToCstmrStmt></Document>"
    ).encode()


def statement_import_done(**kwargs):
    """`statement_import`, then its matching as the worker runs it after commit (eager Celery,
    as in the quick start); the result's statement is read again, matched."""
    from django.test import TestCase

    from schedules.services.statements import statement_import

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = statement_import(**kwargs)
    if result.statement is not None:
        result.statement.refresh_from_db()
    return result
