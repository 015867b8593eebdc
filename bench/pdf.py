"""Receipt PDFs (PAY-8) against a bare one-page WeasyPrint letter rendered in the same run.

The receipt goes through the portal's own path (`receipt_pdf`: context, template, the buyer's
language, WeasyPrint); the letter is a small HTML string handed to WeasyPrint with no project
code at all. Renders alternate between the two, so whatever else the machine does weighs on both.
"""

import statistics
import time
from datetime import date
from decimal import Decimal

from weasyprint import HTML

from bench import build_data
from payments.models import Payment, Receipt
from payments.services.money import payment_record_transfer
from payments.services.receipts import receipt_pdf
from payments.services.requests import payment_request_create
from portal.users.models import User
from sales.models import LIVE_STAGES, Sale

TARGET = 1.5  # the receipt may take at most this many times the letter's time
RENDERS = 20
WARMUP = 3
REFERENCE = "BENCH-RECEIPT"

LETTER = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Letter</title>
<style>
  @page { size: A4; margin: 25mm 20mm; }
  body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; }
  .to { margin: 12mm 0 12mm 95mm; }
</style>
</head>
<body>
<p>Horizon Habitat<br>12 quai Perrache<br>69002 Lyon</p>
<p class="to">Mrs Marie Dupont<br>3 rue des Lilas<br>69001 Lyon</p>
<p>Lyon, 1 June 2026</p>
<p><strong>Subject: the next steps of your purchase</strong></p>
<p>Dear Mrs Dupont,</p>
<p>Thank you for your letter of 24 May. We confirm that your file is complete and that your
purchase will follow the calendar your advisor gave you when you signed your reservation.</p>
<p>The works have reached the second floor of building A, and the weather-tight stage is
expected at the end of the summer. You will find the photographs of the site and the dates of
the next steps in your client space, where the documents of your purchase are also kept.</p>
<p>Should you have any question, your advisor remains at your disposal by phone or through the
messages of your client space.</p>
<p>Yours sincerely,</p>
<p>Claire Martin<br>Customer service</p>
</body>
</html>
"""


def bench_receipt() -> Receipt:
    """The bench database's receipt: made once, through the services, on a sale that is not the
    benchmark buyer's (his pages are measured and must not change)."""
    receipt = (
        Receipt.objects.select_related("payment__buyer", "programme")
        .filter(payment__reference=REFERENCE)
        .first()
    )
    if receipt is not None:
        return receipt
    admin = User.objects.get(email=build_data.ADMIN_EMAIL)
    sale = (
        Sale.objects.filter(stage__in=LIVE_STAGES, sale_buyers__is_main=True)
        .exclude(sale_buyers__buyer__user__email=build_data.BUYER_EMAIL)
        .order_by("pk")
        .first()
    )
    payment = payment_request_create(
        actor=admin, sale=sale, amount=Decimal("2500.00"), reference=REFERENCE, channel=Payment.Channel.EMAIL
    )
    payment_record_transfer(actor=admin, payment=payment, amount=payment.amount, received_on=date.today())
    return Receipt.objects.select_related("payment__buyer", "programme").get(payment=payment)


def letter_pdf() -> bytes:
    return HTML(string=LETTER).write_pdf()


def measure(renders: int = RENDERS) -> dict:
    """{"receipt_ms", "reference_ms", "ratio"}: medians of `renders` renders after a warm-up."""
    receipt = bench_receipt()
    for _ in range(WARMUP):
        receipt_pdf(receipt)
        letter_pdf()
    receipt_times, letter_times = [], []
    for _ in range(renders):
        started = time.perf_counter()
        receipt_pdf(receipt)
        receipt_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        letter_pdf()
        letter_times.append(time.perf_counter() - started)
    receipt_ms = 1000 * statistics.median(receipt_times)
    reference_ms = 1000 * statistics.median(letter_times)
    return {
        "receipt_ms": round(receipt_ms, 1),
        "reference_ms": round(reference_ms, 1),
        "ratio": round(receipt_ms / reference_ms, 3),
    }


def report(figures: dict) -> None:
    verdict = "PASS" if figures["ratio"] <= TARGET else "BELOW"
    print(
        f"\n{'pdf':<18} {'receipt ms':>10} {'letter ms':>10} {'ratio':>6}  target\n"
        f"{'receipt':<18} {figures['receipt_ms']:10.1f} {figures['reference_ms']:10.1f} "
        f"{figures['ratio']:6.2f}  <= {TARGET:.2f} {verdict}"
    )
