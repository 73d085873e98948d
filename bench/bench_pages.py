"""Page delivery: the published demo campaign page served from the cache vs rendered.

One run, same machine, same gunicorn set-up (2 sync workers) on a fresh PostgreSQL
database with the demo campaigns and a private Redis as the cache, for the demo's English
campaign page with a French translation (language switcher and hreflang links):
- rendered (CLARION_PAGE_CACHE_SECONDS=0): sequential requests for the render latency,
  then concurrent clients for the rate; as the baseline in the same run, the same with
  CLARION_PUBLISHED_PAGES=false (every request routed through Wagtail's page tree and
  every fact read afresh, as before signatures.caching.published_pages);
- cached (the page cache on, as in production): the same two measurements;
- in-process (bench/profile_page.py on the same database): queries and time per step,
  with and without the kept pages.

Targets: cached rate >= 10x the rendered rate (issue 7); rendered median < 20 ms (issue 17).

    .venv/bin/python bench/bench_pages.py      # BENCH_PAGES_SECONDS=15 per rate measurement
                                               # BENCH_PAGES_DATABASE names its database
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.servers import (  # noqa: E402
    BASE_DIR,
    Gunicorn,
    PrivateRedis,
    app_env,
    percentile,
    request,
)
from bench.setup_db import django_eval, drop_database, fresh_database  # noqa: E402

DATABASE = os.environ.get("BENCH_PAGES_DATABASE", "clarion_bench_e_pages")
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "15"))
SEQUENTIAL = int(os.environ.get("BENCH_PAGES_SEQUENTIAL", "200"))
CLIENTS = int(os.environ.get("BENCH_PAGES_CLIENTS", "4"))
TARGET_MS = 20
#: The demo's English campaign that has a French translation.
TRANSLATED_PAGE = (
    "CampaignPage.objects.live().filter(locale__language_code='en', translation_key__in="
    "CampaignPage.objects.live().filter(locale__language_code='fr').values('translation_key'))"
    ".get().url"
)


def sequential_latencies(port, path, n):
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        status, _body, _ = request(port, "GET", path)
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return latencies


def rate(port, path, seconds, clients):
    """Requests per second from `clients` closed-loop clients over `seconds`."""
    done, errors = [0] * clients, [0] * clients
    deadline = time.monotonic() + seconds

    def client(i):
        while time.monotonic() < deadline:
            status, _body, _ = request(port, "GET", path)
            done[i] += 1
            errors[i] += status != 200

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(errors)


def measure(env, log, path, label):
    server = Gunicorn(env, log)
    server.start()
    try:
        for _ in range(20):  # warm up: imports, connections, the cache entry
            request(server.port, "GET", path)
        latencies = sequential_latencies(server.port, path, SEQUENTIAL)
        per_second, errors = rate(server.port, path, SECONDS, CLIENTS)
    finally:
        server.stop()
    print(f"{label}: median {statistics.median(latencies):.1f} ms, {per_second:.0f}/s")
    return {
        "median": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "rate": per_second,
        "errors": errors,
    }


def in_process(url, redis_url) -> dict:
    """bench/profile_page.py on this run's database: per-step time and queries, with and
    without the kept pages."""
    env = os.environ | {
        "PROFILE_DATABASE_URL": url,
        "PROFILE_REDIS_URL": redis_url,
        "PROFILE_KEEP": "1",
        "PROFILE_JSON": "1",
        "PROFILE_REQUESTS": os.environ.get("BENCH_PAGES_PROFILE_REQUESTS", "100"),
    }
    result = subprocess.run(
        [sys.executable, "bench/profile_page.py"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["results"]


def split_table(profiles) -> str:
    """Markdown: each step's own wall milliseconds per request, before and after."""
    labels = list(profiles)
    names = sorted(
        {name for result in profiles.values() for name in result["steps"]},
        key=lambda name: -profiles[labels[0]]["steps"].get(name, 0),
    )
    lines = [
        "| step (own time, ms per request) | " + " | ".join(labels) + " |",
        "| --- | " + " | ".join("---:" for _ in labels) + " |",
    ]
    for name in names:
        cells = [f"{profiles[label]['steps'].get(name, 0):.2f}" for label in labels]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for title, value in (
        ("**wall per request (CPU)**", lambda r: f"**{r['wall']:.1f}** ({r['cpu']:.1f})"),
        ("SQL statements", lambda r: str(len(r["queries"]))),
        ("Python function calls", lambda r: f"{r['calls']:,.0f}"),
    ):
        lines.append(
            f"| {title} | " + " | ".join(value(profiles[label]) for label in labels) + " |"
        )
    return "\n".join(lines)


def main():
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    redis = PrivateRedis(work / "redis.log")
    redis.start()
    loads = [os.getloadavg()]
    try:
        url = fresh_database(DATABASE)
        env = app_env(url, cache_url=redis.url(1), LOG_LEVEL="WARNING")
        path = django_eval(env, TRANSLATED_PAGE)
        rendered = env | {"CLARION_PAGE_CACHE_SECONDS": "0"}
        before = measure(
            rendered | {"CLARION_PUBLISHED_PAGES": "false"},
            work / "before.log",
            path,
            "rendered, routed by Wagtail (before)",
        )
        uncached = measure(rendered, work / "uncached.log", path, "rendered, kept page")
        cached = measure(
            env | {"CLARION_PAGE_CACHE_SECONDS": "60"}, work / "cached.log", path, "cached"
        )
        loads.append(os.getloadavg())
        profiles = in_process(url, redis.url(2))
        loads.append(os.getloadavg())
    finally:
        redis.stop()
        drop_database(DATABASE)

    ratio = cached["rate"] / uncached["rate"]
    ok_ratio, ok_render = ratio >= 10, uncached["median"] < TARGET_MS
    rows = "\n".join(
        f"| {label} | {m['median']:.1f} ms | {m['p95']:.1f} ms | {m['rate']:,.0f}/s | {m['errors']} |"
        for label, m in (
            ("rendered, routed by Wagtail on each request (before, same run)", before),
            ("rendered (cache off), kept page", uncached),
            ("from the page cache", cached),
        )
    )
    load = ", ".join(f"{one:.2f}" for one, _five, _fifteen in loads)
    write_section(
        "pages",
        f"""
## Page delivery (`bench/bench_pages.py`)

The demo campaign page (`{path}`) from gunicorn (2 sync workers) on PostgreSQL with Redis as
the cache. Latency: {SEQUENTIAL} sequential requests; rate: {CLIENTS} concurrent clients for
{SECONDS:.0f} s. Client and server share the machine's cores.

| page | median latency | p95 latency | rate | non-200 |
| --- | --- | --- | --- | --- |
{rows}

- Cached rate / rendered rate: **{ratio:.1f}x** (target >= 10x: {"met" if ok_ratio else "NOT met"});
  against the rendered rate routed by Wagtail on each request, {cached["rate"] / before["rate"]:.1f}x.
- Rendered page median: **{uncached["median"]:.1f} ms** (target < {TARGET_MS} ms: {"met" if ok_render else "NOT met"}),
  against {before["median"]:.1f} ms routed by Wagtail on each request in the same run.
- Load average (1 min) at the start, after the gunicorn runs and after the in-process run: {load}.

In-process, the same page through Clarion's WSGI application with the production settings
(`bench/profile_page.py`, best of three runs of 100 GETs, wall time of each step without the
steps it calls; the page cache off):

{split_table(profiles)}
""",
    )
    errors = before["errors"] or uncached["errors"] or cached["errors"]
    return 0 if ok_ratio and ok_render and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
