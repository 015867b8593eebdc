"""`make bench`: build the data set, serve the portal with gunicorn, load its main pages, report.

Each page's requests per second are compared with the reference page's (a bare Django page,
bench/views.py) served by the same server in the same run. Then the receipt PDF's rendering time
is compared with a bare WeasyPrint letter's (bench/pdf.py), webhook events are sent to the
portal as fast as it takes them (bench/webhooks.py), and calls for funds, a bank statement's
import and the accounting export are measured in-process (bench/schedules.py). Results go to
bench/results.json.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from allauth.usersessions.models import UserSession  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from bench import build_data, load  # noqa: E402
from bench import pdf as pdf_bench  # noqa: E402
from bench import schedules as schedules_bench  # noqa: E402
from bench import webhooks as webhooks_bench  # noqa: E402
from portal.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY  # noqa: E402
from portal.users.models import User  # noqa: E402
from sales.models import Sale  # noqa: E402

# name: (URL name, needs the benchmark sale's id, who asks). The last two only check the harness.
PAGES = {
    "reference": ("bench_reference", False, None),
    "buyer_dashboard": ("space:dashboard", False, build_data.BUYER_EMAIL),
    "purchase_page": ("space:sale", True, build_data.BUYER_EMAIL),
    "admin_sales_list": ("admin:sales_sale_changelist", False, build_data.ADMIN_EMAIL),
    "account": ("account", False, build_data.BUYER_EMAIL),
    "admin_index": ("admin:index", False, build_data.ADMIN_EMAIL),
}
DEFAULT_PAGES = "buyer_dashboard,purchase_page,admin_sales_list"
TARGETS = {"buyer_dashboard": 0.8, "purchase_page": 0.8, "admin_sales_list": 0.5}  # ratio to the reference


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buyers", type=int, default=10_000)
    parser.add_argument("--sales", type=int, default=12_000)
    parser.add_argument("--lots", type=int, default=40_000)
    parser.add_argument("--programmes", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20_000, help="at most this many requests per page")
    parser.add_argument("--duration", type=float, default=10, help="seconds of measured load per page")
    parser.add_argument(
        "--warmup", type=float, default=2, help="seconds of unmeasured load on each page first"
    )
    parser.add_argument("--rounds", type=int, default=5, help="turns over the pages the load is split into")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections of the load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pages", default=DEFAULT_PAGES, help=f"comma-separated, among {', '.join(PAGES)}")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set even if it is there")
    parser.add_argument(
        "--pdf-renders", type=int, default=pdf_bench.RENDERS, help="receipt and letter renders (0: skip)"
    )
    parser.add_argument(
        "--webhooks", type=int, default=webhooks_bench.EVENTS, help="webhook events to send (0: skip)"
    )
    parser.add_argument(
        "--calls", type=int, default=schedules_bench.CALLS, help="calls for funds in the batch (0: skip)"
    )
    parser.add_argument(
        "--statement-lines",
        type=int,
        default=schedules_bench.STATEMENT_LINES,
        help="lines of the camt.053 statement imported (0: skip)",
    )
    parser.add_argument(
        "--export-rows",
        type=int,
        default=schedules_bench.EXPORT_ROWS,
        help="rows of the accounting export in Excel (0: skip)",
    )
    parser.add_argument("--output", type=Path, default=BASE_DIR / "bench" / "results.json")
    args = parser.parse_args()
    args.pages = [name for name in args.pages.split(",") if name and name != "reference"]
    if unknown := set(args.pages) - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    return args


def session_cookies(email: str) -> dict:
    """A logged-in session made directly in the bench database, as the login form would leave it."""
    user = User.objects.get(email=email)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.is_staff:
        store[SESSION_STARTED_KEY] = store[SESSION_SEEN_KEY] = time.time()
    store.create()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


def page_path(name: str) -> str:
    url_name, needs_sale, email = PAGES[name]
    if not needs_sale:
        return reverse(url_name)
    sales = Sale.objects.filter(sale_buyers__buyer__user__email=email, sale_buyers__is_main=True)
    return reverse(url_name, args=[sales.order_by("pk").values_list("pk", flat=True).first()])


def count_queries(path: str, cookies: dict) -> tuple[int, int]:
    """(status, queries) of the page rendered in-process, after one request that warms the caches."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies.load(cookies)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries.captured_queries)


@contextmanager
def gunicorn(workers: int, settings_module: str = "bench.settings"):
    """Serve the portal on a free port of 127.0.0.1; yields the port."""
    listener = socket.socket()
    listener.bind((load.HOST, 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"fd://{listener.fileno()}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module},
        pass_fds=[listener.fileno()],
    )
    listener.close()
    try:
        deadline = time.monotonic() + 60
        while not load.hammer(port, "/healthz", {}, connections=1, seconds=1, max_requests=1).statuses.get(
            200
        ):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def check_pages(names: list[str]) -> dict[str, tuple[str, dict, int]]:
    """The reference and the pages that render, as {name: (path, cookies, queries per request)}.

    Log-in sessions are made fresh for each run; a page that does not exist yet or does not
    answer 200 is left out with the reason printed.
    """
    Session.objects.all().delete()
    UserSession.objects.all().delete()
    cookies = {email: session_cookies(email) for email in (build_data.BUYER_EMAIL, build_data.ADMIN_EMAIL)}
    pages = {}
    for name in ["reference", *names]:
        page_cookies = cookies.get(PAGES[name][2], {})
        try:
            path = page_path(name)
            status, queries = count_queries(path, page_cookies)
        except NoReverseMatch:
            print(f"  {name}: skipped, URL {PAGES[name][0]!r} does not exist (yet)")
            continue
        except Exception as exc:  # noqa: BLE001 - a page under construction must not stop the others
            print(f"  {name}: skipped, rendering failed: {exc!r}")
            continue
        if status != 200:
            print(f"  {name}: skipped, {path} answers {status}")
            continue
        pages[name] = (path, page_cookies, queries)
    if "reference" not in pages:
        raise SystemExit("The reference page does not render; nothing to compare with.")
    return pages


def report(results: dict[str, load.Result], queries: dict[str, int]) -> list[dict]:
    """Print the figures next to their targets; return them as the rows of results.json."""
    reference_rps = results["reference"].rps
    rows = []
    print(f"\n{'page':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'ratio':>6}  target")
    for name, result in results.items():
        ratio = result.rps / reference_rps if reference_rps else 0.0
        target = TARGETS.get(name)
        verdict = f">= {target:.2f} {'PASS' if ratio >= target else 'BELOW'}" if target else ""
        if bad := {status: n for status, n in result.statuses.items() if status != 200}:
            verdict += f"  (non-200 answers: {bad})"
        if result.errors:
            verdict += f"  ({result.errors} connection errors)"
        p50, p99 = result.percentile_ms(0.50), result.percentile_ms(0.99)
        print(
            f"{name:<18} {result.rps:8.1f} {p50:8.1f} {p99:8.1f} {queries[name]:8d} {ratio:6.2f}  {verdict}"
        )
        rows.append(
            {
                "name": name,
                "rps": round(result.rps, 1),
                "p50_ms": round(p50, 2),
                "p99_ms": round(p99, 2),
                "queries": queries[name],
                "ratio_to_reference": round(ratio, 3),
            }
        )
    return rows


def write_results(path: Path, rows: list[dict], run: dict, extra: dict | None = None) -> None:
    """Replace the "pages" and "run" sections (and those in `extra`), keeping any other section."""
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(pages=rows, run=run, **(extra or {}))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def measure_webhooks(args) -> float:
    """Events per second the portal's webhook endpoint takes, every one answered 200 and paid."""
    started = time.monotonic()
    payment_ids = webhooks_bench.sessions_open(args.webhooks)
    print(
        f"\nWebhooks: {len(payment_ids)} payments with an open checkout in {time.monotonic() - started:.0f} s."
    )
    connection.close()
    with gunicorn(args.workers, settings_module="bench.settings_webhooks") as port:
        events = webhooks_bench.events_signed(payment_ids)
        connection.close()
        result = webhooks_bench.post_all(port, events, connections=args.connections)
    webhooks_bench.report(result, webhooks_bench.paid_count(payment_ids))
    return round(result.per_second, 1)


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    sizes = build_data.Sizes(args.buyers, args.sales, args.lots, args.programmes)
    print(f"Bench database: {connection.vendor} {settings.DATABASES['default']['NAME']}  ({sizes})")
    schedules_bench.schema_refresh(log=lambda line: print(line, flush=True))
    built = build_data.prepare(sizes, rebuild=args.rebuild, log=lambda line: print(line, flush=True))
    print(f"Data {'built' if built else 'reused'} in {time.monotonic() - started:.0f} s.")

    pages = check_pages(args.pages)
    connection.close()

    with gunicorn(args.workers) as port:
        print(
            f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; load: {args.connections} connections, "
            f"{args.duration:g} s per page in {args.rounds} rounds, after {args.warmup:g} s of warm-up "
            f"(about {len(pages) * (args.duration + args.warmup):.0f} s)",
            flush=True,
        )
        results = load.measure_pages(
            port,
            {name: (path, page_cookies) for name, (path, page_cookies, _queries) in pages.items()},
            connections=args.connections,
            seconds=args.duration,
            max_requests=max(1, args.requests // args.rounds),
            warmup=args.warmup,
            rounds=args.rounds,
        )

    rows = report(results, {name: queries for name, (_path, _cookies, queries) in pages.items()})
    extra = {}
    if args.pdf_renders > 0:
        extra["pdf"] = pdf_bench.measure(args.pdf_renders)
        pdf_bench.report(extra["pdf"])
    if args.webhooks > 0:
        extra["webhooks_per_s"] = measure_webhooks(args)
    schedules_figures = schedules_bench.measure(
        calls=args.calls, statement_lines=args.statement_lines, export_rows=args.export_rows
    )
    schedules_bench.report(schedules_figures)
    extra.update(schedules_figures)
    run = {
        "database": connection.vendor,
        "sizes": asdict(sizes),
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "pdf_renders": args.pdf_renders,
        "webhook_events": args.webhooks,
        "calls": args.calls,
        "statement_lines": args.statement_lines,
        "export_rows": args.export_rows,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_results(args.output, rows, run, extra)
    print(f"\nWritten to {args.output} ({time.monotonic() - started:.0f} s in all).")


if __name__ == "__main__":
    main()
