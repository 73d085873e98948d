"""Server cost of one rendered campaign page, in-process: time per step, queries, a profile,
with the published page kept by the process (signatures.caching.published_pages) and, in the same run
as the baseline, routed by Wagtail on every request as before (CLARION_PUBLISHED_PAGES off).

The wall-clock benchmark (bench_pages.py) needs the machine to itself; this one does not.
It builds Clarion's site with the production settings on PostgreSQL (CONN_MAX_AGE) with the
demo loaded and Redis as the cache, the page cache off (CLARION_PAGE_CACHE_SECONDS=0), then
calls the WSGI application directly, as a gunicorn worker would, and reports per GET of the
English demo campaign page:
- CPU and wall milliseconds of this process, best of three runs of PROFILE_REQUESTS;
- each step's own time (routing, view restrictions, context, template, middleware ...);
- the SQL statements of one GET and the Python function calls (cProfile),
  counts that the machine's load does not change;
- with PROFILE_TOP=N, the N costliest functions (PROFILE_SORT: cumulative or tottime);
  PROFILE_SQL=1 lists the statements, PROFILE_JSON=1 prints the figures as JSON last.

    .venv/bin/python bench/profile_page.py

Environment: PROFILE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
clarion_profile_page, dropped and created), PROFILE_REDIS_URL (redis://127.0.0.1:6379/4),
PROFILE_REQUESTS (200), PROFILE_TOP (0), PROFILE_SORT (cumulative), PROFILE_KEEP=1 keeps the
database for the next run.
"""

import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.setup_db import fresh_database  # noqa: E402

DATABASE_URL = os.environ.get(
    "PROFILE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clarion_profile_page"
)
REDIS = os.environ.get("PROFILE_REDIS_URL", "redis://127.0.0.1:6379/4")
REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "200"))
TOP = int(os.environ.get("PROFILE_TOP", "0"))
SORT = os.environ.get("PROFILE_SORT", "cumulative")
KEEP = os.environ.get("PROFILE_KEEP", "") == "1"
VERBOSE = os.environ.get("PROFILE_SQL", "") == "1"
JSON = os.environ.get("PROFILE_JSON", "") == "1"

ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "DATABASE_URL": DATABASE_URL,
    "CONN_MAX_AGE": "60",
    "CACHE_URL": REDIS,
    "CELERY_BROKER_URL": "",
    "EMAIL_URL": "dummymail://",
    "LOG_LEVEL": "WARNING",
    "SECRET_KEY": "profile-page-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "CLARION_PAGE_CACHE_SECONDS": "0",
}


def prepare_database():
    """A database with the demo loaded, made afresh unless PROFILE_KEEP=1 finds one."""
    url = urlsplit(DATABASE_URL)
    server, name = f"{url.scheme}://{url.netloc}", url.path.lstrip("/")
    exists = subprocess.run(
        ["psql", f"{server}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not (KEEP and exists):
        fresh_database(name, server, environment=ENVIRONMENT)


def page_steps():
    """(owner, attribute, step name): the parts of rendering a campaign page timed alone."""
    from django.core.handlers.base import BaseHandler
    from django.template.backends.django import Template
    from wagtail.models import Page, Site

    from campaigns.models import CampaignPage
    from insights.landing import LandingMiddleware

    return [
        (BaseHandler, "_get_response", "URL routing, middleware hooks, the view's own code"),
        (Site, "find_for_request", "site lookup"),
        (Page, "route", "routing through the page tree"),
        (CampaignPage, "get_view_restrictions", "view restrictions"),
        (CampaignPage, "get_context", "context: the rest (form, share URL)"),
        (CampaignPage, "tally", "context: counter"),
        (CampaignPage, "translation_links", "context: translations"),
        (CampaignPage, "share_image", "context: share image"),
        (Template, "render", "template rendering"),
        (LandingMiddleware, "__call__", "landing middleware (view counted, sources)"),
    ]


def demo_page_path() -> str:
    """The demo's English campaign page that has a French translation (the language switcher
    and hreflang links make it the costliest of the demo's pages)."""
    from campaigns.models import CampaignPage

    translated = CampaignPage.objects.live().filter(locale__language_code="fr")
    keys = translated.values("translation_key")
    return (
        CampaignPage.objects.live()
        .filter(locale__language_code="en", translation_key__in=keys)
        .get()
        .url
    )


def main():
    prepare_database()
    os.environ.update(ENVIRONMENT)
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.steps import Steps

    path = demo_page_path()
    steps = Steps()
    for owner, attribute, name in page_steps():
        steps.wrap(owner, attribute, name)
    application = steps.timed("request", WSGIHandler())

    def get():
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": "Mozilla/5.0 (profile_page)",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = b"".join(application(environ, lambda s, h, *a: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"{path}: {status[0]}")
        return body

    from django.conf import settings

    results = {}
    for label, kept in (("before (Wagtail's routing)", False), ("after (kept copy)", True)):
        settings.CLARION_PUBLISHED_PAGES = kept  # read on each request
        results[label] = measure(get, steps, connection)
    print(f"GET {path}: {REQUESTS} requests, best of 3, load {os.getloadavg()[0]:.2f}")
    for label, result in results.items():
        print(
            f"{label}: wall {result['wall']:.2f} ms (median {result['median']:.2f} ms), "
            f"CPU {result['cpu']:.2f} ms, {len(result['queries'])} SQL statements, "
            f"{result['calls']:.0f} Python calls"
        )
        for name, milliseconds in sorted(result["steps"].items(), key=lambda item: -item[1]):
            print(f"  {milliseconds:6.2f} ms  {name}")
        if VERBOSE:
            for number, query in enumerate(result["queries"], 1):
                print(f"  SQL {number}: {query[:160]}")
        if TOP:
            result["stats"].sort_stats(SORT).print_stats(TOP)
    if JSON:
        for result in results.values():
            del result["stats"]
        print(json.dumps({"path": path, "results": results}))


def measure(get, steps, connection) -> dict:
    """Per GET: wall, median and CPU milliseconds (best of three runs), each step's wall
    milliseconds, the SQL statements of one GET and the Python calls (cProfile)."""
    for _ in range(30):  # warm up: imports, connections, template loader, kept copies
        get()
    best = None
    for _run in range(3):  # best of three: the machine is shared
        steps.clear()
        began, began_wall = time.process_time(), time.perf_counter()
        latencies = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            get()
            latencies.append((time.perf_counter() - started) * 1000)
        cpu = (time.process_time() - began) * 1000 / REQUESTS
        wall = (time.perf_counter() - began_wall) * 1000 / REQUESTS
        if best is None or wall < best["wall"]:
            best = {
                "cpu": cpu,
                "wall": wall,
                "median": statistics.median(latencies),
                "steps": {name: s * 1000 / REQUESTS for name, s in steps.wall.items()},
            }
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)
    ):
        get()
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(REQUESTS):
        get()
    profile.disable()
    stats = pstats.Stats(profile, stream=sys.stdout)
    return best | {"queries": queries, "calls": stats.total_calls / REQUESTS, "stats": stats}


if __name__ == "__main__":
    main()
