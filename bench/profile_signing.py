"""Server cost of one accepted action, in-process: CPU time, queries and a profile.

The wall-clock benchmark (bench_signing.py) needs a quiet machine; this one does not. It
builds the same site as the benchmark (same settings: PostgreSQL, CONN_MAX_AGE, Redis
cache and broker, DEBUG off), then calls the WSGI application directly, as a gunicorn
worker would, for each endpoint the benchmark drives, and reports per request:
- CPU milliseconds of this process (time.process_time) and of the PostgreSQL server
  process serving it (from /proc, so PostgreSQL must run on this machine), over
  PROFILE_REQUESTS posts, best of three;
- the SQL statements (CaptureQueriesContext);
- the Python function calls (cProfile), a count that the machine's load does not change;
- with PROFILE_TOP=N, the N costliest functions.

Environment: PROFILE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/clarion_profile,
dropped and created), PROFILE_REDIS_URL (default redis://127.0.0.1:6379/4: cache and broker
share it), PROFILE_REQUESTS (300), PROFILE_TOP (0), PROFILE_SORT (cumulative), PROFILE_ONLY (comma-separated names).
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
        "EMAIL_URL": "dummymail://",  # the Wagtail form's email is not what is measured here
        "CLARION_RATE_LIMIT": "1000000000/300",
        "LOG_LEVEL": "WARNING",
    }
)


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


def main():
    fresh_database()
    import django

    django.setup()
    from django.core import signing
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.bench_signing import WEB_PORT, Variant, create_pages
    from signatures import abuse

    campaign, form_page = create_pages()
    started = signing.dumps(int(time.time()) - 60, salt=abuse.STARTED_SALT)
    application = WSGIHandler()
    variants = [
        Variant("ceiling", "/bench/ceiling/", 302, "ceiling"),
        Variant("form", f"/act/{campaign.pk}/", 302, "form"),
        Variant("api", f"/api/v3/campaigns/{campaign.pk}/signatures/", 202, "api"),
        Variant("wagtail", form_page.url, 200, "wagtail"),
    ]
    state = {"started": started, "cookie": "csrftoken=" + "x" * 32, "token": "x" * 32}

    def post(variant, number):
        body, headers = variant.request(f"{variant.name}-{number}@example.org", state)
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": variant.path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(WEB_PORT),
            "HTTP_HOST": f"127.0.0.1:{WEB_PORT}",
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
        b"".join(application(environ, lambda s, h, *a: status.append(s)))
        code = int(status[0].split()[0])
        if code != variant.accepted:
            raise RuntimeError(f"{variant.name}: {status[0]}")

    redis_calls = count_redis_round_trips()
    print(f"{REQUESTS} posts each; per request: CPU ms (process time, best of 3), wall ms, ")
    print("Redis round trips and new Redis connections, SQL statements")
    for variant in variants:
        if ONLY and variant.name not in ONLY:
            continue
        for number in range(30):  # warm up: imports, connections, caches
            post(variant, f"warm{number}")
        best, wall, database = float("inf"), float("inf"), float("inf")
        for run in range(3):  # best of three: the machine is shared
            began, began_wall = time.process_time(), time.perf_counter()
            began_database = backend_cpu_seconds(connection)
            for number in range(REQUESTS):
                post(variant, f"{run}-{number}")
            best = min(best, (time.process_time() - began) * 1000 / REQUESTS)
            wall = min(wall, (time.perf_counter() - began_wall) * 1000 / REQUESTS)
            ended_database = backend_cpu_seconds(connection)
            if ended_database[0] == began_database[0]:  # else CONN_MAX_AGE renewed it
                used = ended_database[1] - began_database[1]
                database = min(database, used * 1000 / REQUESTS)
        redis_calls.clear()
        for number in range(REQUESTS):
            post(variant, f"redis-{number}")
        round_trips = redis_calls.get("round trips", 0) / REQUESTS
        connects = redis_calls.get("connections", 0) / REQUESTS
        with CaptureQueriesContext(connection) as queries:
            post(variant, "queries")
        statements = [q["sql"].split(" (")[0][:70] for q in queries]
        print(
            f"{variant.name:8} CPU {best:5.2f} ms + PostgreSQL {database:4.2f} ms  "
            f"wall {wall:5.2f} ms  Redis {round_trips:.2f} "
            f"round trips, {connects:.2f} connections  SQL {len(statements)}: {statements}"
        )
        # Python function calls: unlike time, the same on a busy machine as on a quiet one.
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for number in range(REQUESTS):
            post(variant, f"profile-{number}")
        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stdout)
        print(f"{'':8} {stats.total_calls / REQUESTS:.0f} Python function calls per request")
        if TOP:
            stats.sort_stats(SORT).print_stats(TOP)
        if CALLERS:
            stats.print_callers(CALLERS)
    import redis

    redis.Redis.from_url(REDIS).delete(QUEUE)


if __name__ == "__main__":
    main()
