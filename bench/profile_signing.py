"""Server cost of one accepted action, in-process: CPU time per step, queries and a profile.

The wall-clock benchmark (bench_signing.py) needs the machine to itself; this one does not.
It builds Clarion's site as the benchmark does (production settings, PostgreSQL,
CONN_MAX_AGE, Redis cache and broker, the rate limit counting), then calls the WSGI
application directly, as a gunicorn worker would, and reports per request:
- CPU microseconds of this process (time.process_time), split into the steps of an action
  (the latency budget: each step's own time, without the steps it calls), and of the
  PostgreSQL server process serving it (from /proc, so PostgreSQL must run on this
  machine), over PROFILE_REQUESTS posts, best of three;
- Redis round trips, the SQL statements (CaptureQueriesContext), and the Python function
  calls (cProfile), counts that the machine's load does not change;
- with PROFILE_TOP=N, the N costliest functions; with PROFILE_BUDGET=1, the budget table
  written to docs/benchmarks.md.

Environment: PROFILE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/clarion_profile,
dropped and created), PROFILE_REDIS_URL (default redis://127.0.0.1:6379/4: cache and broker
share it), PROFILE_REQUESTS (300), PROFILE_TOP (0), PROFILE_SORT (cumulative), PROFILE_ONLY
(comma-separated names: form, api, representative, in-project), PROFILE_CALLERS and PROFILE_CALLEES (a
function's name: who calls it, what it calls).
"""

import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DATABASE_URL = os.environ.get(
    "PROFILE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clarion_profile"
)
REDIS = os.environ.get("PROFILE_REDIS_URL", "redis://127.0.0.1:6379/4")
QUEUE = "clarion-profile-signing"
REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "300"))
TOP = int(os.environ.get("PROFILE_TOP", "0"))
CALLERS = os.environ.get("PROFILE_CALLERS", "")
CALLEES = os.environ.get("PROFILE_CALLEES", "")
SORT = os.environ.get("PROFILE_SORT", "cumulative")
ONLY = [name for name in os.environ.get("PROFILE_ONLY", "").split(",") if name]

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "bench.signing_site.settings",
        "DATABASE_URL": DATABASE_URL,
        "CONN_MAX_AGE": "60",
        "CACHE_URL": REDIS,
        "CELERY_BROKER_URL": REDIS,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "EMAIL_URL": "dummymail://",
        "CLARION_RATE_LIMIT": "1000000000/300",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "profile-signing-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
    }
)
BUDGET = os.environ.get("PROFILE_BUDGET", "") == "1"
#: A representative action's answer: the thank-you page naming them, answering the POST.
REPRESENTATIVE_ACCEPTED = 200


def fresh_database():
    url = urlsplit(DATABASE_URL)
    server, name = f"{url.scheme}://{url.netloc}", url.path.lstrip("/")
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def backend_cpu_seconds(connection) -> tuple[int, float]:
    """(pid, CPU time) of the PostgreSQL server process serving this connection, from /proc."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_redis_round_trips() -> dict:
    """Count commands sent to Redis (a pipeline is one) and connections opened."""
    from redis.connection import AbstractConnection

    calls = {}
    send, connect = AbstractConnection.send_packed_command, AbstractConnection.connect

    def counting_send(self, *args, **kwargs):
        calls["round trips"] = calls.get("round trips", 0) + 1
        return send(self, *args, **kwargs)

    def counting_connect(self, *args, **kwargs):
        if self._sock is None:
            calls["connections"] = calls.get("connections", 0) + 1
        return connect(self, *args, **kwargs)

    AbstractConnection.send_packed_command = counting_send
    AbstractConnection.connect = counting_connect
    return calls


def middleware_steps():
    """Each middleware's own time (its __call__ without the layers inside it), by class:
    what every request pays before and after the view."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    steps = []
    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        if "__call__" not in vars(cls):  # MiddlewareMixin's: wrap it on this class alone
            cls.__call__ = lambda self, request, _call=cls.__call__: _call(self, request)
        steps.append((cls, "__call__", f"middleware: {path.rsplit('.', 1)[-1]}"))
    return steps


#: The steps of an action timed on their own: (module or class, attribute, step name).
def budget_steps():
    from django.core.handlers.base import BaseHandler
    from django.http import HttpRequest

    from campaigns.models import CampaignPage
    from signatures import abuse, api, counter, forms, views
    from signatures.services import outbox, signing

    return [
        *middleware_steps(),
        (BaseHandler, "_get_response", "the view's own code"),
        (BaseHandler, "resolve_request", "URL routing"),
        (HttpRequest, "_load_post_and_files", "reading the POST body"),
        (views, "live_campaign", "the live campaign (kept in the process)"),
        (api, "live_campaign", "the live campaign (kept in the process)"),
        (CampaignPage, "activate_language", "the campaign's language"),
        (abuse, "check_form", "the HTML form's guard (origin, honeypot)"),
        (forms.SignatureForm, "__init__", "form: set up"),
        (forms.SignatureForm, "full_clean", "form: validate"),
        (abuse, "check_fill_time", "the HTML form's guard (fill time)"),
        (signing, "check_rate", "rate limit (Redis round trip)"),
        (signing, "check_address", "disposable address check"),
        (signing, "consent_record", "consent record"),
        (signing, "_insert_or_update_pending", "INSERT (PostgreSQL round trip)"),
        (outbox, "enqueue", "hand-over to the workers (broker publish)"),
        (counter, "signed", "counter bump"),
    ]


def main():
    fresh_database()
    import django

    django.setup()
    from types import SimpleNamespace

    from django.core import signing
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.bench_signing import (
        REPRESENTATIVE_POSTAL_CODE,
        Endpoint,
        create_campaign,
        create_representative_campaign,
    )
    from bench.steps import Steps
    from signatures import abuse

    server = SimpleNamespace(port=8000)
    campaign = create_campaign(server.port)
    to_representative = create_representative_campaign()
    started = signing.dumps(int(time.time()) - 60, salt=abuse.STARTED_SALT)
    endpoints = [
        Endpoint("form", "campaign form", server, "", "", f"/en/act/{campaign.pk}/", 302, "form"),
        Endpoint(
            "api",
            "API",
            server,
            "",
            "",
            f"/api/v3/campaigns/{campaign.pk}/signatures/",
            202,
            "api",
        ),
        Endpoint(
            "representative",
            "representative campaign form",
            server,
            "",
            "",
            f"/en/act/{to_representative.pk}/",
            REPRESENTATIVE_ACCEPTED,
            "form",
            fields={"postal_code": REPRESENTATIVE_POSTAL_CODE},
        ),
        Endpoint("in-project", "in-project", server, "", "", "/bench/in-project/", 302, "x"),
    ]
    steps = Steps()
    for owner, attribute, name in budget_steps():
        steps.wrap(owner, attribute, name)
    application = steps.timed("request", WSGIHandler())

    def post(endpoint, number):
        endpoint.state = {"started": started}
        body, headers = endpoint.request(f"{endpoint.name}-{number}@example.org")
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": endpoint.path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(server.port),
            "HTTP_HOST": f"127.0.0.1:{server.port}",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        status = []
        answer = application(environ, lambda s, h, *a: status.append(s))
        b"".join(answer)
        answer.close()  # as a WSGI server does: Django's request_finished work runs here
        code = int(status[0].split()[0])
        if code != endpoint.accepted:
            raise RuntimeError(f"{endpoint.name}: {status[0]}")

    redis_calls = count_redis_round_trips()
    print(f"{REQUESTS} posts each; per request: CPU ms (process time, best of 3), wall ms, ")
    print("Redis round trips and new Redis connections, SQL statements")
    budgets = {}
    for endpoint in endpoints:
        if ONLY and endpoint.name not in ONLY:
            continue
        for number in range(30):  # warm up: imports, connections, caches
            post(endpoint, f"warm{number}")
        best, wall, database = float("inf"), float("inf"), float("inf")
        for run in range(3):  # best of three: the machine is shared
            steps.clear()
            began, began_wall = time.process_time(), time.perf_counter()
            began_database = backend_cpu_seconds(connection)
            for number in range(REQUESTS):
                post(endpoint, f"{run}-{number}")
            cpu = (time.process_time() - began) * 1000 / REQUESTS
            if cpu < best:
                budgets[endpoint.name] = (dict(steps.cpu), dict(steps.wall))
            best = min(best, cpu)
            wall = min(wall, (time.perf_counter() - began_wall) * 1000 / REQUESTS)
            ended_database = backend_cpu_seconds(connection)
            if ended_database[0] == began_database[0]:  # else CONN_MAX_AGE renewed it
                used = ended_database[1] - began_database[1]
                database = min(database, used * 1000 / REQUESTS)
        budgets[endpoint.name] += (database,)
        redis_calls.clear()
        for number in range(REQUESTS):
            post(endpoint, f"redis-{number}")
        round_trips = redis_calls.get("round trips", 0) / REQUESTS
        connects = redis_calls.get("connections", 0) / REQUESTS
        budgets[endpoint.name] += (round_trips,)
        with CaptureQueriesContext(connection) as queries:
            post(endpoint, "queries")
        statements = [q["sql"].split(" (")[0][:70] for q in queries]
        budgets[endpoint.name] += (len(statements),)
        print(
            f"{endpoint.name:10} CPU {best:5.2f} ms + PostgreSQL {database:4.2f} ms  "
            f"wall {wall:5.2f} ms  Redis {round_trips:.2f} "
            f"round trips, {connects:.2f} connections  SQL {len(statements)}: {statements}"
        )
        # Python function calls: unlike time, the same on a busy machine as on a quiet one.
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for number in range(REQUESTS):
            post(endpoint, f"profile-{number}")
        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stdout)
        print(f"{'':10} {stats.total_calls / REQUESTS:.0f} Python function calls per request")
        budgets[endpoint.name] += (stats.total_calls / REQUESTS,)
        if TOP:
            stats.sort_stats(SORT).print_stats(TOP)
        if CALLERS:
            stats.print_callers(CALLERS)
        if CALLEES:
            stats.print_callees(CALLEES)
    import redis

    redis.Redis.from_url(REDIS).delete(QUEUE)
    table = budget_table(budgets)
    print(table)
    if BUDGET:
        from bench.report import write_section

        write_section("budget", table)


def budget_table(budgets) -> str:
    """Markdown: CPU (and wall) microseconds per step of one action, per endpoint."""
    names = [name for name in ("form", "api") if name in budgets]
    if not names:
        return ""
    order = ["request"] + [name for _o, _a, name in budget_steps()]
    order = list(dict.fromkeys(order))
    label = {"request": "Django's handler and WSGI (the rest)"}
    lines = [
        "## Latency budget of one action (`bench/profile_signing.py`)",
        "",
        f"In-process, {REQUESTS} actions per endpoint through Clarion's WSGI application "
        "(production settings, PostgreSQL, Redis cache and broker, rate limit counting), "
        "best of three runs. Each step's own time, without the steps it calls, in "
        "microseconds per action: CPU of the web process (wall time in brackets, which adds "
        "the waits for PostgreSQL and Redis).",
        "",
        "| step | " + " | ".join(f"{name}: CPU µs (wall)" for name in names) + " |",
        "| --- | " + " | ".join("---:" for _ in names) + " |",
    ]
    for step in order:
        cells = []
        for name in names:
            cpu, wall = budgets[name][0], budgets[name][1]
            if step in cpu:
                cells.append(
                    f"{cpu[step] * 1e6 / REQUESTS:.0f} ({wall[step] * 1e6 / REQUESTS:.0f})"
                )
            else:
                cells.append("–")
        if any(cell != "–" for cell in cells):
            lines.append(f"| {label.get(step, step)} | " + " | ".join(cells) + " |")
    totals = []
    for name in names:
        cpu, wall = budgets[name][0], budgets[name][1]
        totals.append(
            f"**{sum(cpu.values()) * 1e6 / REQUESTS:.0f}** ({sum(wall.values()) * 1e6 / REQUESTS:.0f})"
        )
    lines.append("| **total, web process** | " + " | ".join(totals) + " |")
    lines.append(
        "| PostgreSQL server process (CPU µs) | "
        + " | ".join(f"{budgets[name][2] * 1000:.0f}" for name in names)
        + " |"
    )
    lines.append(
        "| Redis round trips / SQL statements / Python calls | "
        + " | ".join(
            f"{budgets[name][3]:.2f} / {budgets[name][4]} / {budgets[name][5]:.0f}"
            for name in names
        )
        + " |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
