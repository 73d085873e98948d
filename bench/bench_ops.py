"""What operations cost: metrics per request and per query, a readiness check, a scrape.

    flock /tmp/clarion-heavy.lock .venv/bin/python -m bench.bench_ops

In-process, on a fresh PostgreSQL database (bench/setup_db.py) and a private Redis as
broker and cache (bench/servers.py). Metrics per request: the same request through
Django's middleware chain with and without the metrics and request-id middlewares, and,
as the baseline, with django-prometheus's own two middlewares instead (as Clarion had
them), in interleaved rounds (the median round of each), so the machine's load drifts
alike over all. Per query: `SELECT 1` through Clarion's measured database backend, through
django-prometheus's and through Django's own, on the same server.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from bench.servers import PrivateRedis
from bench.setup_db import drop_database, fresh_database

ROUNDS = 7
REQUESTS = 3000
QUERIES = 3000
CHECKS = 200
SCRAPES = 50
OPS_MIDDLEWARE = {
    "cms.base.request_metrics.RequestMetricsMiddleware",
    "cms.request_logs.RequestIdMiddleware",
}
#: The baseline: django-prometheus's middlewares around the chain, as Clarion had them.
OLD_BEFORE = "bench.old_prometheus.PrometheusBeforeMiddleware"
OLD_AFTER = "bench.old_prometheus.PrometheusAfterMiddleware"


def per_call(function, count, clock=time.perf_counter) -> float:
    """Seconds per call of `function`, over `count` calls, by `clock`."""
    started = clock()
    for _ in range(count):
        function()
    return (clock() - started) / count


def cpu_per_call(function, count) -> float:
    """CPU seconds of this process per call: what a request costs the server, which other
    processes on a shared machine disturb far less than the wall clock."""
    return per_call(function, count, time.process_time)


def handler_with(middleware):
    from django.core.handlers.base import BaseHandler
    from django.test import override_settings

    with override_settings(MIDDLEWARE=middleware):
        handler = BaseHandler()
        handler.load_middleware()
    return handler


def metrics_per_request() -> tuple[float, float, float]:
    """(µs per request without, µs added by the metrics and request-id middleware, µs added
    by django-prometheus's middlewares and the request id instead)."""
    from django.conf import settings
    from django.test import RequestFactory

    request = RequestFactory().get("/health/live/", HTTP_HOST="127.0.0.1")
    bare_chain = [m for m in settings.MIDDLEWARE if m not in OPS_MIDDLEWARE]
    full = handler_with(settings.MIDDLEWARE)
    bare = handler_with(bare_chain)
    old = handler_with([OLD_BEFORE, "cms.request_logs.RequestIdMiddleware", *bare_chain, OLD_AFTER])
    for handler in (full, bare, old):
        assert handler.get_response(request).status_code == 200
    with_ops, without, with_old = [], [], []
    for _ in range(ROUNDS):
        with_ops.append(cpu_per_call(lambda: full.get_response(request), REQUESTS))
        without.append(cpu_per_call(lambda: bare.get_response(request), REQUESTS))
        with_old.append(cpu_per_call(lambda: old.get_response(request), REQUESTS))
    base = statistics.median(without)
    return (
        base * 1e6,
        (statistics.median(with_ops) - base) * 1e6,
        (statistics.median(with_old) - base) * 1e6,
    )


def metrics_per_query() -> tuple[float, float]:
    """µs added to one `SELECT 1` by Clarion's measured backend, and by django-prometheus's."""
    from django.db import connection
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django_prometheus.db.backends.postgresql.base import DatabaseWrapper as OldWrapper

    assert connection.settings_dict["ENGINE"] == "cms.base.database.postgresql"
    plain = DatabaseWrapper(
        connection.settings_dict | {"ENGINE": "django.db.backends.postgresql"}, alias="plain"
    )
    old = OldWrapper(
        connection.settings_dict | {"ENGINE": "django_prometheus.db.backends.postgresql"},
        alias="old",
    )
    timings = {"wrapped": [], "plain": [], "old": []}
    with connection.cursor() as wrapped, plain.cursor() as plain_cursor, old.cursor() as before:
        for _ in range(ROUNDS):
            for name, cursor in (("wrapped", wrapped), ("plain", plain_cursor), ("old", before)):
                timings[name].append(cpu_per_call(lambda c=cursor: c.execute("SELECT 1"), QUERIES))
    plain.close()
    old.close()
    base = statistics.median(timings["plain"])
    return (
        (statistics.median(timings["wrapped"]) - base) * 1e6,
        (statistics.median(timings["old"]) - base) * 1e6,
    )


def endpoint_ms(path, count, **headers) -> tuple[float, int]:
    from django.conf import settings
    from django.test import RequestFactory

    handler = handler_with(settings.MIDDLEWARE)
    request = RequestFactory().get(path, HTTP_HOST="127.0.0.1", **headers)
    status = handler.get_response(request).status_code
    return per_call(lambda: handler.get_response(request), count) * 1e3, status


DATABASE = "clarion_ops_bench"


def main():
    url = fresh_database(DATABASE)
    with tempfile.TemporaryDirectory() as folder:
        redis = PrivateRedis(Path(folder) / "redis.log")
        redis.start()
        try:
            os.environ.update(
                DJANGO_SETTINGS_MODULE="cms.settings.dev",
                DEBUG="false",
                DATABASE_URL=url,
                CELERY_BROKER_URL=redis.url(0),
                CACHE_URL=redis.url(1),
                CLARION_METRICS_TOKEN="bench",
                LOG_LEVEL="ERROR",
            )
            import django

            django.setup()
            from cms import heartbeat

            heartbeat.record()  # as if beat ran: the check then passes and reads it
            markdown = measure()
        finally:
            redis.stop()
            drop_database(DATABASE)
    write_section("ops", markdown)
    print(markdown)


def measure() -> str:
    load = os.getloadavg()
    base, added, added_before = metrics_per_request()
    query, query_before = metrics_per_query()
    readiness, status = endpoint_ms("/health/", CHECKS)
    scrape, scraped = endpoint_ms("/metrics", SCRAPES, HTTP_AUTHORIZATION="Bearer bench")
    verdict = "within" if added < 100 else "over"
    return f"""## Operations: metrics, readiness (`bench/bench_ops.py`)

In-process, PostgreSQL and a private Redis (broker and cache); medians of {ROUNDS}
interleaved rounds. A request is `GET /health/live/` through Clarion's whole middleware
chain, with and without the metrics middleware (cms/base/request_metrics.py) and the request-id
middleware, and, as the baseline in the same rounds, with django-prometheus's own two
middlewares and the request id instead ({REQUESTS} requests a round); a query is `SELECT 1`
through Clarion's measured backend (cms/base/database), django-prometheus's and Django's own
({QUERIES} a round). Load average (1 min) {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f}
at the end, on {os.cpu_count()} cores.

| what | cost | before (django-prometheus), same run |
| --- | --- | --- |
| a request, without the metrics and request-id middleware | {base:.1f} µs | |
| metrics and request id, per request | {added:+.1f} µs ({added / 1000:.3f} ms: {verdict} the 0.1 ms target) | {added_before:+.1f} µs |
| metrics, per database query | {query:+.1f} µs | {query_before:+.1f} µs |
| a readiness check, `GET /health/` (database, cache, broker, outbox, beat; answered {status}) | {readiness:.2f} ms (mean of {CHECKS}) | |
| a scrape, `GET /metrics` (answered {scraped}) | {scrape:.2f} ms (mean of {SCRAPES}) | |

Metrics are CPU time of the process (time.process_time), the cost to the server; the
readiness check and the scrape are wall-clock: a readiness check mostly waits on its five services (a new broker
connection each time). The scrape reads the outbox, deliveries, webhooks and exports from PostgreSQL
each time (indexed counts), so its cost grows with those tables, not with traffic.
"""


if __name__ == "__main__":
    main()
