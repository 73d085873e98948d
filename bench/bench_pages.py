"""Page delivery: the published demo campaign page served from the cache vs rendered.

One run, same machine, same gunicorn set-up (2 sync workers) on a fresh PostgreSQL
database with the demo campaign and a private Redis as the cache:
- uncached (CLARION_PAGE_CACHE_SECONDS=0): sequential requests for the render latency,
  then concurrent clients for the rate;
- cached (the page cache on, as in production): the same two measurements.

Targets (issue 7): cached rate >= 10x the uncached rate; uncached median render < 50 ms.

    .venv/bin/python bench/bench_pages.py      # BENCH_PAGES_SECONDS=15 per rate measurement
"""

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.servers import Gunicorn, PrivateRedis, app_env, percentile, request  # noqa: E402
from bench.setup_db import django_eval, drop_database, fresh_database  # noqa: E402

DATABASE = "clarion_bench_e_pages"
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "15"))
SEQUENTIAL = int(os.environ.get("BENCH_PAGES_SEQUENTIAL", "200"))
CLIENTS = int(os.environ.get("BENCH_PAGES_CLIENTS", "4"))


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


def main():
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    redis = PrivateRedis(work / "redis.log")
    redis.start()
    try:
        url = fresh_database(DATABASE)
        env = app_env(url, cache_url=redis.url(1), LOG_LEVEL="WARNING")
        path = django_eval(env, "CampaignPage.objects.live().get().url")
        uncached = measure(
            env | {"CLARION_PAGE_CACHE_SECONDS": "0"}, work / "uncached.log", path, "uncached"
        )
        cached = measure(
            env | {"CLARION_PAGE_CACHE_SECONDS": "60"}, work / "cached.log", path, "cached"
        )
    finally:
        redis.stop()
        drop_database(DATABASE)

    ratio = cached["rate"] / uncached["rate"]
    ok_ratio, ok_render = ratio >= 10, uncached["median"] < 50
    rows = "\n".join(
        f"| {label} | {m['median']:.1f} ms | {m['p95']:.1f} ms | {m['rate']:,.0f}/s | {m['errors']} |"
        for label, m in (("rendered (cache off)", uncached), ("from the page cache", cached))
    )
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

- Cached rate / rendered rate: **{ratio:.1f}x** (target >= 10x: {"met" if ok_ratio else "NOT met"}).
- Rendered page median: **{uncached["median"]:.1f} ms** (target < 50 ms: {"met" if ok_render else "NOT met"}).
""",
    )
    return 0 if ok_ratio and ok_render and not (uncached["errors"] or cached["errors"]) else 1


if __name__ == "__main__":
    sys.exit(main())
