"""What operations cost: metrics per request and per query, a readiness check, a scrape.

    flock /tmp/clarion-heavy.lock .venv/bin/python -m bench.bench_ops

In-process, on a fresh PostgreSQL database (bench/setup_db.py) and a private Redis as
broker and cache (bench/servers.py). Metrics per request: the same request through
Django's middleware chain with and without django-prometheus's two middlewares and the
request-id middleware, in interleaved rounds (the median round of each), so the machine's
load drifts alike over both. Per query: `SELECT 1` through django-prometheus's database
wrapper and through Django's own, on the same server.
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
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    "cms.request_logs.RequestIdMiddleware",
}


def per_call(function, count) -> float:
    """Seconds per call of `function`, over `count` calls."""
    started = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - started) / count


def handler_with(middleware):
    from django.core.handlers.base import BaseHandler
    from django.test import override_settings

    with override_settings(MIDDLEWARE=middleware):
        handler = BaseHandler()
        handler.load_middleware()
    return handler


def metrics_per_request() -> tuple[float, float]:
    """(µs per request without, µs added by the metrics and request-id middleware)."""
    from django.conf import settings
    from django.test import RequestFactory

    request = RequestFactory().get("/health/live/", HTTP_HOST="127.0.0.1")
    full = handler_with(settings.MIDDLEWARE)
    bare = handler_with([m for m in settings.MIDDLEWARE if m not in OPS_MIDDLEWARE])
    for handler in (full, bare):
        assert handler.get_response(request).status_code == 200
    with_ops, without = [], []
    for _ in range(ROUNDS):
        with_ops.append(per_call(lambda: full.get_response(request), REQUESTS))
        without.append(per_call(lambda: bare.get_response(request), REQUESTS))
    base = statistics.median(without)
    return base * 1e6, (statistics.median(with_ops) - base) * 1e6


def metrics_per_query() -> float:
    """µs added to one `SELECT 1` by django-prometheus's database wrapper."""
    from django.db import connection
    from django.db.backends.postgresql.base import DatabaseWrapper

    plain = DatabaseWrapper(
        connection.settings_dict | {"ENGINE": "django.db.backends.postgresql"}, alias="plain"
    )
    timings = {"wrapped": [], "plain": []}
    with connection.cursor() as wrapped_cursor, plain.cursor() as plain_cursor:
        for _ in range(ROUNDS):
            for name, cursor in (("wrapped", wrapped_cursor), ("plain", plain_cursor)):
                timings[name].append(per_call(lambda c=cursor: c.execute("SELECT 1"), QUERIES))
    plain.close()
    return (statistics.median(timings["wrapped"]) - statistics.median(timings["plain"])) * 1e6


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
    base, added = metrics_per_request()
    query = metrics_per_query()
    readiness, status = endpoint_ms("/health/", CHECKS)
    scrape, scraped = endpoint_ms("/metrics", SCRAPES, HTTP_AUTHORIZATION="Bearer bench")
    verdict = "within" if added < 100 else "over"
    return f"""## Operations: metrics, readiness (`bench/bench_ops.py`)

In-process, PostgreSQL and a private Redis (broker and cache); medians of {ROUNDS}
interleaved rounds. A request is `GET /health/live/` through Clarion's whole middleware
chain, with and without django-prometheus's two middlewares and the request-id middleware
({REQUESTS} requests a round); a query is `SELECT 1` through django-prometheus's database
wrapper and through Django's own ({QUERIES} a round).

| what | cost |
| --- | --- |
| a request, without the metrics and request-id middleware | {base:.1f} µs |
| metrics and request id, per request | {added:+.1f} µs ({added / 1000:.3f} ms: {verdict} the 0.1 ms target) |
| metrics, per database query | {query:+.1f} µs |
| a readiness check, `GET /health/` (database, cache, broker, outbox, beat; answered {status}) | {readiness:.2f} ms (mean of {CHECKS}) |
| a scrape, `GET /metrics` (answered {scraped}) | {scrape:.2f} ms (mean of {SCRAPES}) |

Times are wall-clock: a readiness check mostly waits on its five services (a new broker
connection each time). The scrape reads the outbox, deliveries, webhooks and exports from PostgreSQL
each time (indexed counts), so its cost grows with those tables, not with traffic.
"""


if __name__ == "__main__":
    main()
