"""Export and moderation at scale: 1,000,000 signatures on PostgreSQL.

Measures, in one run on its own database (clarion_bench_d, dropped afterwards):
- the CSV export of every row through the admin's streamed export view: wall time and the
  exporting process's peak memory (max RSS, each measurement in a fresh subprocess), against
  PostgreSQL's own `COPY (same query) TO STDOUT WITH CSV` of the same rows;
- the moderation list's first page, unfiltered and with the usual filters.

Targets (issue 5): peak memory < 200 MB, export time <= 3x COPY, first page < 500 ms.

    .venv/bin/python bench/bench_export.py          # BENCH_EXPORT_ROWS=... to try fewer
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", 1_000_000))
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "clarion_bench_d"
LIST_URL = "/admin/signatures/signature/"
EXPORT_URL = "/admin/signatures/export/"

FIRST_NAMES = ["Ana", "Bo", "Zoë", "Wanjiru", "Łukasz", "山田", '=HYPERLINK("x")', "José", "Mia"]
COUNTRIES = ["GB", "KE", "DE", "FR", "BR", "US", "IN", "HK", "NG", ""]
STATUSES = ["counted"] * 17 + ["pending", "rejected", "spam"]


def child_env() -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DEBUG": "false",  # DEBUG keeps every query in memory
        "ALLOWED_HOSTS": "testserver,localhost",
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "locmemcache://bench",
        "EXPORT_SYNC_LIMIT": str(10 * ROWS),  # stream it all in the request
        "LOG_LEVEL": "WARNING",
    }


def run_child(step: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, step],
        env=child_env(),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"step {step} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Steps run in a child process, with Django set up on the benchmark database ------------


def setup_django():
    import django

    django.setup()


def step_load() -> dict:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from campaigns.models import CampaignPage
    from signatures.models import Signature

    call_command("load_demo", verbosity=0)
    get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")
    campaign = CampaignPage.objects.first()
    fields = [field for field in Signature._meta.concrete_fields if not field.primary_key]
    start_day = datetime.now(UTC) - timedelta(days=90)
    rng = random.Random(5)

    def value(field, i):
        name = field.name
        if name == "campaign":
            return campaign.pk
        if name in {"email", "email_key"}:
            return f"supporter{i}@example{i % 97}.org"
        if name == "first_name":
            return FIRST_NAMES[i % len(FIRST_NAMES)]
        if name == "last_name":
            return f"Okonjo-{i}"
        if name == "country":
            return COUNTRIES[i % len(COUNTRIES)]
        if name == "postal_code":
            return f"{10000 + i % 89999}"
        if name == "status":
            return STATUSES[i % len(STATUSES)]
        if name == "created_at":
            return start_day + timedelta(seconds=i * 90 * 86400 // ROWS)
        if name == "consent":
            return i % 3 == 0
        if name == "consent_text":
            return "Keep me informed." if i % 3 == 0 else ""
        if name == "consent_at":
            return start_day if i % 3 == 0 else None
        if name == "ip_address":
            return f"10.{i % 251}.{i // 251 % 251}.{rng.randrange(1, 250)}"
        if name == "dispatched_at":
            return start_day
        if field.unique:
            return f"bench-{i}"
        default = field.get_default()
        return None if default is None and field.null else (default if default is not None else "")

    columns = ", ".join(field.column for field in fields)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = f"COPY {Signature._meta.db_table} ({columns}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for i in range(ROWS):
                copy.write_row([value(field, i) for field in fields])
    loaded = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Signature._meta.db_table}")
    return {"rows": Signature.objects.count(), "load_seconds": loaded}


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    return client


def step_export() -> dict:
    setup_django()
    client = _client()
    before = max_rss_mb()
    began = time.perf_counter()
    response = client.get(EXPORT_URL)
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    assert response.status_code == 200 and response.streaming
    return {
        "seconds": seconds,
        "bytes": size,
        "lines": lines,
        "rss_before": before,
        "max_rss": max_rss_mb(),
    }


def step_copy() -> dict:
    """PostgreSQL's own CSV output of the same query (same rows, columns and order)."""
    setup_django()
    from django.db import connection

    from signatures.selectors import signature_listing
    from signatures.services.export import export_queryset

    query = export_queryset(signature_listing("")).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    sql = connection.ops.compose_sql(sql, params)
    began = time.perf_counter()
    size = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV HEADER") as copy:
            for data in copy:
                size += len(data)
    return {"seconds": time.perf_counter() - began, "bytes": size, "max_rss": max_rss_mb()}


def step_list() -> dict:
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from signatures.selectors import signature_listing

    client = _client()
    today = datetime.now(UTC).date()
    cases = {
        "no filter": {},
        "status = spam": {"status__exact": "spam"},
        "country = KE, confirmed": {"country": "KE", "confirmed": "yes"},
        "last 7 days": {"signed_from": str(today - timedelta(days=7))},
        "page 200": {"p": "200"},
    }
    client.get("/admin/")  # a running server has compiled its templates and URLs already
    results = {}
    for label, params in cases.items():
        times = []
        for _attempt in range(6):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(LIST_URL, params)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        results[label] = {
            "first_ms": times[0],
            "median_ms": statistics.median(times[1:]),
            "queries": len(queries),
            # All the rows the list pages through (the page number is the list's own).
            "rows": signature_listing(
                urlencode({name: value for name, value in params.items() if name != "p"})
            ).count(),
        }
    return results


# The benchmark -----------------------------------------------------------------------


def _server_connection():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def main():
    from bench.report import write_section

    with _server_connection() as server:
        server.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {DATABASE}")
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            env=child_env(),
            cwd=BASE_DIR,
            check=True,
        )
        load = run_child("load")
        print(f"loaded {load['rows']:,} rows in {load['load_seconds']:.1f}s", flush=True)
        load_before = os.getloadavg()[0]
        copies, exports = [], []
        for _ in range(2):  # alternate, so neither side alone enjoys a warm cache
            copies.append(run_child("copy"))
            exports.append(run_child("export"))
            print(
                f"copy {copies[-1]['seconds']:.2f}s, export {exports[-1]['seconds']:.2f}s",
                flush=True,
            )
        listing = run_child("list")
    finally:
        if not os.environ.get("BENCH_KEEP_DATABASE"):
            with _server_connection() as server:
                server.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    copy_s = min(c["seconds"] for c in copies)
    export_s = min(e["seconds"] for e in exports)
    peak = max(e["max_rss"] for e in exports)
    ratio = export_s / copy_s
    first_page = listing["no filter"]["first_ms"]
    slowest = max(max(case["first_ms"], case["median_ms"]) for case in listing.values())
    ok = lambda passed: "**pass**" if passed else "**FAIL**"  # noqa: E731
    rows = exports[0]["lines"] - 1
    lines = [
        f"{rows:,} signatures loaded with COPY in {load['load_seconds']:.1f} s "
        f"(`BENCH_EXPORT_ROWS={ROWS}`). Each measurement runs in a fresh process; "
        "the best of two alternating runs is kept. Machine load average (1 min) when the "
        f"measurements started: {load_before:.1f}, at the end: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores (the benchmark itself keeps about one busy).",
        "",
        "| measurement | result | target | |",
        "| --- | --- | --- | --- |",
        f"| CSV export through the admin's streamed view, all rows | {export_s:.2f} s "
        f"({exports[0]['bytes'] / 2**20:.0f} MiB) | ≤ 3 × COPY | {ok(ratio <= 3)} |",
        f"| baseline: PostgreSQL `COPY (same query) TO STDOUT WITH CSV` | {copy_s:.2f} s "
        f"({copies[0]['bytes'] / 2**20:.0f} MiB) | | |",
        f"| export time / COPY time | {ratio:.2f} × | ≤ 3 × | {ok(ratio <= 3)} |",
        f"| exporting process's peak memory (max RSS) | {peak:.0f} MB "
        f"(Django loaded: {exports[0]['rss_before']:.0f} MB) | < 200 MB | {ok(peak < 200)} |",
        f"| moderation list, first page, {listing['no filter']['rows']:,} rows, first load | "
        f"{first_page:.0f} ms | < 500 ms | {ok(first_page < 500)} |",
        "",
        "Moderation list (whole response through Django, as the moderator's browser gets it):",
        "",
        "| list | matching rows | first load | median of 5 more | queries |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, case in listing.items():
        lines.append(
            f"| {label} | {case['rows']:,} | {case['first_ms']:.0f} ms | "
            f"{case['median_ms']:.0f} ms | {case['queries']} |"
        )
    lines.append("")
    lines.append(f"Slowest list response measured: {slowest:.0f} ms.")
    write_section(
        "export", "## Export and moderation at 1,000,000 signatures\n\n" + "\n".join(lines)
    )
    print("\n".join(lines))
    if not (ratio <= 3 and peak < 200 and first_page < 500):
        # Reported, not fatal: `make bench` goes on to the other benchmarks.
        print("WARNING: a target was missed (see docs/benchmarks.md)", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(globals()[f"step_{sys.argv[1]}"](), default=str))
    else:
        main()
