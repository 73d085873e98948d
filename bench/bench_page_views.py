"""Counting a campaign page view: its cost, and that it writes nothing to the database.

One run on a fresh PostgreSQL database with the demo campaign, in one process:
- `page_views.count` as a cached page's view calls it, with the cache on a private Redis
  (production: one pipelined round trip) and in the process (`make run`, locmem);
- the whole LandingMiddleware (find the marker, the visit's sources, count, put the
  sources into the page) on the demo page's cached HTML, against the same response
  returned without it;
- the database's queries while counting (target: none) and the flush of the lot.

Target (issue 22): a view costs under 0.1 ms and no database write.

    flock /tmp/clarion-heavy.lock .venv/bin/python bench/bench_page_views.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.servers import PrivateRedis, percentile  # noqa: E402
from bench.setup_db import drop_database, fresh_database  # noqa: E402

DATABASE = "clarion_bench_page_views"
VIEWS = int(os.environ.get("BENCH_VIEWS", "20000"))


def timed(call, n) -> list[float]:
    """Microseconds per call, each timed on its own."""
    times = []
    for _ in range(n):
        started = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - started) / 1000)
    return times


def summary(times) -> str:
    return (
        f"{statistics.mean(times):.1f} µs mean, {statistics.median(times):.1f} median, "
        f"{percentile(times, 0.99):.1f} p99"
    )


def main():
    url = fresh_database(DATABASE)
    with tempfile.TemporaryDirectory() as scratch:
        redis = PrivateRedis(Path(scratch) / "redis.log")
        redis.start()
        try:
            os.environ.update(
                DJANGO_SETTINGS_MODULE="cms.settings.dev",
                DATABASE_URL=url,
                CACHE_URL=redis.url(1),
                CELERY_BROKER_URL="",
                LOG_LEVEL="WARNING",
                ALLOWED_HOSTS="testserver,127.0.0.1",
            )
            rows = measure()
        finally:
            redis.stop()
            drop_database(DATABASE)
    write_section("page-views", rows)
    print(rows)


def measure() -> str:
    import django

    django.setup()
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client, RequestFactory, override_settings
    from django.test.utils import CaptureQueriesContext

    from campaigns.models import CampaignPage
    from insights import landing, page_views, sources

    campaign = CampaignPage.objects.live().first()
    page_views._next_flush = float("inf")  # flushed below, once, not while timing
    dimensions = {"source": "newsletter / email", "utm_campaign": "", "partner_site": ""}
    dimensions["language"] = "en"

    # The demo page as the page cache keeps it: with the marker the middleware fills in.
    from django.conf import settings

    others = [name for name in settings.MIDDLEWARE if name != "insights.landing.LandingMiddleware"]
    with override_settings(CLARION_PAGE_CACHE_SECONDS=0, MIDDLEWARE=others):
        html = Client().get(campaign.url).content
    assert landing.MARKER in html, "the campaign page carries no landing marker"
    request = RequestFactory().get(
        campaign.url,
        HTTP_REFERER="https://news.example.com/article",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9",
    )

    def cached_page(_request):
        return HttpResponse(html, content_type="text/html; charset=utf-8")

    with_landing = landing.LandingMiddleware(cached_page)
    lines = []
    for mode, caches in (  # (the pushing thread may hand some on while timing: that is real)
        ("Redis (production)", None),
        (
            "process memory (`make run`, locmem)",
            {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        ),
    ):
        with override_settings(**({"CACHES": caches} if caches else {})):
            timed(lambda: page_views.count(campaign.pk, dimensions), 500)  # warm up
            with CaptureQueriesContext(connection) as queries:
                count = timed(lambda: page_views.count(campaign.pk, dimensions), VIEWS)
                without = timed(lambda: cached_page(request), VIEWS)
                whole = timed(lambda: with_landing(request), VIEWS)
            started = time.perf_counter()
            page_views.push()  # with Redis: what each process's thread does every second
            pushed_ms = (time.perf_counter() - started) * 1000
            waiting = sum(n for key, n in page_views.pending().items() if key[2] == "source")
            started = time.perf_counter()
            written = page_views.flush()
            flushed_ms = (time.perf_counter() - started) * 1000
        overhead = [a - b for a, b in zip(sorted(whole), sorted(without), strict=True)]
        lines.append(
            f"| {mode} | {summary(count)} | {summary(overhead)} | {len(queries)} | "
            f"{pushed_ms:.1f} ms |"
            f" {waiting:,} views, {written:,} counts in {flushed_ms:.0f} ms |"
        )
        assert waiting == 2 * VIEWS + 500, waiting
    assert sources.landing(request)["referrer"] == "news.example.com"
    return "\n".join(
        [
            "## Counting page views (`bench/bench_page_views.py`)",
            "",
            f"{VIEWS:,} views of the demo campaign per measurement, each timed on its own, in",
            "one process; the middleware's cost is the time with LandingMiddleware around the",
            "cached page's response minus the time of that response alone (the page cache's",
            "own lookups are the same either way). Queries are those the database saw during",
            "all the counting; the flush then writes the lot.",
            "",
            "| Counters in | `page_views.count` | whole middleware (sources, count, fill the form) | database queries while counting | handing what is left to Redis (a thread does it every second) | flush |",
            "|---|---|---|---|---|---|",
            *lines,
            "",
            "Target (issue 22): under 0.1 ms (100 µs) per view and no database write.",
        ]
    )


if __name__ == "__main__":
    main()
