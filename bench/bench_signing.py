"""Accepted actions per second: Clarion's form and API against an independent ceiling.

Four servers, each gunicorn with 4 sync workers on 127.0.0.1 and PostgreSQL
(`CONN_MAX_AGE=60`), each with its own database:
- the ceiling: an independent minimal Django project (bench/ceiling_site: Wagtail's
  project-template middleware, the same six fields, the country checked against a set, one
  INSERT);
- Clarion with its production settings, a Redis broker and cache (a private redis-server)
  and the rate limit counting every action (set out of reach: one client address sends
  them all): its campaign form, POST /act/<id>/, and its API,
  POST /api/v3/campaigns/<id>/signatures/; and the form of the demo's campaign writing to
  the supporter's representative (a postal code of the demo directory: the lookup, and the
  thank-you page naming them in answer to the POST, signatures/thank_you.py);
- a Wagtail project from Wagtail's template with an AbstractEmailForm page of the same six
  fields, emailing each submission to a local SMTP server (bench/wagtail_site);
- a second reference only: a bare view inside Clarion's own project (bench/signing_site),
  which shows what Clarion's settings and middleware cost around a bare view.

The load comes from wrk (16 connections, 2 threads), every request a new supporter. The
peak is measured in BENCH_ROUNDS interleaved rounds in one run (each round drives every
endpoint once, starting with a different one), so a change in the machine's load weighs on
all alike; each endpoint's ratio to the ceiling is taken per round, then the median. For
each window: accepted per second, wrk's p50/p99, and the CPU milliseconds per accepted
request of the server's process tree (gunicorn's master and workers), of the PostgreSQL
backends serving it (with those that closed in the window), and of its Redis. Right after
each peak window, the same endpoint open-loop at half that window's peak, from a Python
client that measures from each request's scheduled time (and records its own lateness in
sending).

Environment: BENCH_DATABASE_URL (server, default postgres://postgres@127.0.0.1:5432),
BENCH_DB_PREFIX (default clarion_bench: databases PREFIX_signing, _ceiling, _wagtail,
dropped and created), BENCH_SECONDS (10, per window), BENCH_ROUNDS (5), BENCH_ONLY (see below), BENCH_BEFORE_TREE
(a checkout of an earlier Clarion, e.g. `git worktree add`: its form and API are measured
in the same rounds, to show what a change did). Ports 8500-8599.
About 8 minutes with BENCH_ROUNDS=3 BENCH_SECONDS=8 (`make bench-signing`). Run it alone
on the machine (`flock` with the other heavy jobs): bench/profile_signing.py measures CPU
per step in-process.
"""

import http.client
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.servers import (  # noqa: E402
    Gunicorn,
    PrivateRedis,
    children,
    cpu_seconds,
    free_port,
    reaped_cpu_seconds,
)

PG_SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "clarion_bench")
DATABASES = {name: f"{PREFIX}_{name}" for name in ("signing", "ceiling", "wagtail")}
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WARMUP_SECONDS = 3.0
CONNECTIONS, WRK_THREADS = 16, 2
PROCESSES, THREADS = 2, 8  # the open-loop client: 16 threads too
QUEUE = "clarion-bench-signing"
#: Open-loop requests slower than this are located in time: one stall, or a steady cost?
SLOW_MS = 100
BEFORE_TREE = os.environ.get("BENCH_BEFORE_TREE", "")
#: A quick look at some endpoints (names, comma-separated: ceiling, form, representative, api, wagtail,
#: in-project, form-before, api-before): printed, docs/benchmarks.md left as it is.
ONLY = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
SECRET_KEY = "bench-signing-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"

FIELDS = {"first_name": "Ana", "last_name": "Okonjo", "country": "PT", "postal_code": "1000-001"}


def base_env(database: str) -> dict:
    return os.environ | {
        "DATABASE_URL": f"{PG_SERVER}/{database}",
        "CONN_MAX_AGE": "60",
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
    }


def clarion_env(redis: PrivateRedis, smtp_port: int, settings="cms.settings.production") -> dict:
    return base_env(DATABASES["signing"]) | {
        "DJANGO_SETTINGS_MODULE": settings,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "CACHE_URL": redis.url(1),
        "CELERY_BROKER_URL": redis.url(0),
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        # Every action comes from 127.0.0.1: counted as usual, but the limit is out of reach.
        "CLARION_RATE_LIMIT": "1000000000/300",
    }


# Set-up -------------------------------------------------------------------------------


def psql(sql: str, database="postgres") -> str:
    return subprocess.run(
        ["psql", f"{PG_SERVER}/{database}", "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@lru_cache(maxsize=1)
def postmaster() -> int:
    """The pid of PostgreSQL's postmaster (the server runs on this machine: /proc is read)."""
    data_directory = psql("SHOW data_directory")
    return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])


def fresh_database(name: str, env: dict):
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def create_campaign(port: int):
    """Clarion's campaign with one target (in this process, on the signing database)."""
    from wagtail.models import Page, Site

    from campaigns.models import CampaignIndexPage, CampaignPage, CampaignTarget, Target
    from cms.base.models import HomePage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Home", slug="bench-home"))
    Site.objects.all().delete()
    Site.objects.create(hostname="127.0.0.1", port=port, root_page=home, is_default_site=True)
    index = home.add_child(instance=CampaignIndexPage(title="Campaigns", slug="campaigns"))
    target = Target.objects.create(name="Minister of Water", email="minister@example.org")
    campaign = CampaignPage(
        title="Free the Lakeside Four",
        slug="lakeside",
        lead="Four water defenders are held without charge.",
        ask="Urge the minister to release them",
        message_subject="Release them now",
        message_body="Dear Minister,\n\nPlease release them.",
    )
    campaign.campaign_targets = [CampaignTarget(target=target)]
    index.add_child(instance=campaign)
    campaign.save_revision().publish()
    return campaign


#: A code of the demo directory (its prefix K1A: one representative), as supporters write it.
REPRESENTATIVE_POSTAL_CODE = "K1A 0B1"


def create_representative_campaign():
    """The demo's "Clean water for every community" (load_demo's own), writing to each
    supporter's representative found from their postal code in the demo directory. Made
    after `create_campaign`, under the same index."""
    from campaigns.models import CampaignIndexPage
    from cms.management.commands.load_demo import representative_campaign

    return representative_campaign(CampaignIndexPage.objects.get(slug="campaigns"))


def create_wagtail_form_page():
    """In a process on the Wagtail project's settings: its form page; prints its path."""
    import django

    django.setup()
    from wagtail.models import Page, Site

    from bench.wagtail_site.models import FormField, FormPage

    home = Site.objects.get(is_default_site=True).root_page
    page = FormPage(
        title="Wagtail form",
        slug="wagtail-form",
        to_address="office@example.org",
        from_address="bench@example.org",
        subject="New submission",
    )
    page.form_fields = [
        FormField(label="First name", field_type="singleline", required=True),
        FormField(label="Last name", field_type="singleline", required=True),
        FormField(label="Email", field_type="email", required=True),
        FormField(label="Country", field_type="singleline", required=False),
        FormField(label="Postal code", field_type="singleline", required=False),
        FormField(label="Consent", field_type="checkbox", required=False),
    ]
    Page.objects.get(pk=home.pk).add_child(instance=page)
    page.save_revision().publish()
    print(page.url)


def http_status(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def until_answering(port, timeout=180):
    """Gunicorn listens before its workers have loaded the site: wait for a first answer."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            http_status(port, "GET", "/")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


# Endpoints ------------------------------------------------------------------------------


class Endpoint:
    """One way of taking an action on one server; `table` holds the rows it stores."""

    def __init__(self, name, label, server, database, table, path, accepted, kind, fields=None):
        self.name, self.label, self.server = name, label, server
        self.database, self.table, self.path = database, table, path
        self.accepted, self.kind = accepted, kind
        self.fields = FIELDS | (fields or {})  # what every request posts but the email
        self.state = {}

    @property
    def port(self):
        return self.server.port

    def prepare(self, started_token):
        """The Wagtail form needs a CSRF cookie and token: one pair serves every request."""
        self.state = {"started": started_token}
        if self.kind == "wagtail":
            _status, headers, body = http_status(self.port, "GET", self.path)
            cookie = next(value for name, value in headers if name.lower() == "set-cookie")
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
            self.state |= {"cookie": cookie.split(";", 1)[0], "token": token.decode()}

    def fixed(self) -> tuple[str, dict]:
        """The body without the email, and the headers, of every request."""
        if self.kind == "api":
            return json.dumps(self.fields)[:-1], {"Content-Type": "application/json"}
        fields = self.fields | {"consent": "on"}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.kind == "form":
            fields |= {"started": self.state["started"], "website": ""}
            headers |= {"Sec-Fetch-Site": "same-origin", "Origin": f"http://127.0.0.1:{self.port}"}
        if self.kind == "wagtail":
            fields |= {"csrfmiddlewaretoken": self.state["token"]}
            headers |= {"Cookie": self.state["cookie"]}
        return urlencode(fields), headers

    def request(self, email):
        body, headers = self.fixed()
        if self.kind == "api":
            return f'{body},"email":"{email}"}}'.encode(), headers
        return f"{body}&{urlencode({'email': email})}".encode(), headers

    def rows(self) -> int:
        where = f" WHERE email LIKE '{self.name}-%'" if self.table == "signatures_signature" else ""
        if self.kind == "wagtail":
            return int(psql("SELECT count(*) FROM wagtailforms_formsubmission", self.database))
        return int(psql(f"SELECT count(*) FROM {self.table}{where}", self.database))

    def cpu(self) -> dict:
        """CPU seconds used so far by the server's process tree, its database backends and
        (Clarion's) Redis."""
        web = [self.server.pid, *children(self.server.pid)]
        backends = psql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()",
            self.database,
        ).split()
        # A backend that closes in a window (CONN_MAX_AGE) leaves the list; its CPU, all of
        # it, joins the postmaster's children's time. Only this endpoint's server is driven.
        postgres = cpu_seconds(int(pid) for pid in backends) + reaped_cpu_seconds(postmaster())
        used = {"web": cpu_seconds(web), "postgres": postgres}
        if redis := getattr(self.server, "redis", None):
            used["redis"] = cpu_seconds([redis.pid])
        return used


def wrk(endpoint, tag, seconds) -> dict:
    """Closed loop, CONNECTIONS at once, for `seconds`; wrk's summary and the CPU used."""
    body, headers = endpoint.fixed()
    header_lines = "\n".join(f"{name}: {value}" for name, value in headers.items())
    kind = "json" if endpoint.kind == "api" else "form"
    rows_before, cpu_before = endpoint.rows(), endpoint.cpu()
    output = subprocess.run(
        ["wrk", "-t", str(WRK_THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds:.0f}s"]
        + ["--timeout", "10s", "-s", str(BASE_DIR / "bench" / "wrk_actions.lua")]
        + [f"http://127.0.0.1:{endpoint.port}{endpoint.path}", "--"]
        + [kind, f"{endpoint.name}-{tag}", body, header_lines],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cpu_after = endpoint.cpu()
    summary = json.loads(output.strip().splitlines()[-1])
    accepted = summary["requests"] - summary["status_errors"] - summary["socket_errors"]
    # The statement of each accepted request may still be committing as wrk stops.
    time.sleep(0.5)
    stored = endpoint.rows() - rows_before
    return {
        "rate": accepted / (summary["duration_us"] / 1e6),
        "accepted": accepted,
        "stored": stored,
        "refused": summary["status_errors"] + summary["socket_errors"],
        "p50": summary["p50_us"] / 1000,
        "p99": summary["p99_us"] / 1000,
        "cpu": {
            part: (cpu_after[part] - used) * 1000 / max(stored, 1)
            for part, used in cpu_before.items()
        },
    }


# Open loop at half the peak (Python client: it measures from the scheduled times) ---------


def client_thread(endpoint, tag, proc, thread, start, stop, rate, out):
    """Sends its share of the requests at their scheduled times; each latency is counted
    from the scheduled time (no coordinated omission), and how late the client itself sent
    it (`lags`) is kept apart, to tell a slow server from a starved load generator."""
    latencies, lags, refused, slow, n = [], [], 0, [], 0
    interval = PROCESSES * THREADS / rate
    offset = (proc * THREADS + thread) / rate
    while (scheduled := start + offset + n * interval) < stop:
        time.sleep(max(0.0, scheduled - time.monotonic()))
        body, headers = endpoint.request(f"{endpoint.name}-{tag}-{proc}-{thread}-{n}@example.org")
        n += 1
        sent = time.monotonic()
        try:
            status = http_status(endpoint.port, "POST", endpoint.path, body, headers)[0]
        except OSError:
            status = None
        if status == endpoint.accepted:
            latencies.append((time.monotonic() - scheduled) * 1000)
            lags.append((sent - scheduled) * 1000)
            if latencies[-1] > SLOW_MS:
                slow.append(scheduled - start)
        else:
            refused += 1
    out.append((latencies, lags, refused, slow))


def client_process(endpoint, tag, proc, start, stop, rate, queue):
    results = []
    threads = [
        threading.Thread(
            target=client_thread, args=(endpoint, tag, proc, t, start, stop, rate, results)
        )
        for t in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def open_loop(endpoint, rate, seconds, tag="half") -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start = time.monotonic() + 1.0  # every client set up before the window opens
    stop = start + seconds
    processes = [
        context.Process(target=client_process, args=(endpoint, tag, p, start, stop, rate, queue))
        for p in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    results = [item for _ in processes for item in queue.get(timeout=seconds + 120)]
    for process in processes:
        process.join()
    latencies = sorted(lat for lats, _, _, _ in results for lat in lats)
    lags = sorted(lag for _, lags, _, _ in results for lag in lags)
    return {
        "rate": len(latencies) / seconds,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "lag_p99": percentile(lags, 99),
        "refused": sum(refused for _, _, refused, _ in results),
        "slow": sorted(at for _, _, _, times in results for at in times),
    }


def percentile(values, p):
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# Run --------------------------------------------------------------------------------------


def main():
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    redis = PrivateRedis(work / "redis.log")
    redis.start()  # at once: its port is only reserved by listening on it
    smtp_port = free_port()
    smtp = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}"]
        + ["-c", "aiosmtpd.handlers.Sink"],
        cwd=BASE_DIR,
        stdout=(work / "smtp.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    signing_env = clarion_env(redis, smtp_port, settings="bench.signing_site.settings")
    ceiling_env = base_env(DATABASES["ceiling"]) | {
        "DJANGO_SETTINGS_MODULE": "bench.ceiling_site.settings"
    }
    wagtail_env = base_env(DATABASES["wagtail"]) | {
        "DJANGO_SETTINGS_MODULE": "bench.wagtail_site.settings",
        "BENCH_SMTP_PORT": str(smtp_port),
    }
    fresh_database(DATABASES["signing"], signing_env)
    fresh_database(DATABASES["ceiling"], ceiling_env)
    fresh_database(DATABASES["wagtail"], wagtail_env)
    wagtail_path = subprocess.run(
        [sys.executable, "-c", "from bench.bench_signing import *; create_wagtail_form_page()"],
        cwd=BASE_DIR,
        env=wagtail_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    os.environ.update(signing_env)
    import django

    django.setup()
    from django.core import signing
    from django.db import connections

    from signatures import abuse

    wsgi = "django.core.wsgi:get_wsgi_application()"
    clarion = Gunicorn(clarion_env(redis, smtp_port), work / "clarion.log", workers=4)
    clarion.redis = redis
    ceiling = Gunicorn(ceiling_env, work / "ceiling.log", workers=4, application=wsgi)
    wagtail = Gunicorn(wagtail_env, work / "wagtail.log", workers=4, application=wsgi)
    in_project = Gunicorn(signing_env, work / "in-project.log", workers=4)
    servers = [clarion, ceiling, wagtail, in_project]
    if BEFORE_TREE:
        before = Gunicorn(
            clarion_env(redis, smtp_port), work / "before.log", workers=4, cwd=BEFORE_TREE
        )
        before.redis = redis
        servers.append(before)
    try:
        campaign = create_campaign(clarion.port)
        to_representative = create_representative_campaign()
        connections.close_all()  # the open-loop clients fork from here
        started = signing.dumps(int(time.time()) - 60, salt=abuse.STARTED_SALT)
        for server in servers:
            server.start()
        for server in servers:
            until_answering(server.port)
        signatures = ("signing", "signatures_signature")
        endpoints = [
            Endpoint(
                "ceiling",
                "**ceiling**: independent minimal Django project, validate + one INSERT",
                ceiling,
                DATABASES["ceiling"],
                "ceiling_action",
                "/act/",
                302,
                "ceiling",
            ),
            Endpoint(
                "form",
                "Clarion campaign form (`/en/act/<id>/`, the page's own form address)",
                clarion,
                DATABASES[signatures[0]],
                signatures[1],
                f"/en/act/{campaign.pk}/",
                302,
                "form",
            ),
            Endpoint(
                "representative",
                "Clarion representative campaign form (the demo's \"Clean water for every "
                'community", a postal code of the demo directory: the lookup, and the '
                "thank-you page naming the representative, 200)",
                clarion,
                DATABASES[signatures[0]],
                signatures[1],
                f"/en/act/{to_representative.pk}/",
                200,
                "form",
                fields={"postal_code": REPRESENTATIVE_POSTAL_CODE},
            ),
            Endpoint(
                "api",
                "Clarion API (`POST /api/v3/campaigns/<id>/signatures/`)",
                clarion,
                DATABASES[signatures[0]],
                signatures[1],
                f"/api/v3/campaigns/{campaign.pk}/signatures/",
                202,
                "api",
            ),
            Endpoint(
                "wagtail",
                "Wagtail `AbstractEmailForm` page (Wagtail's project template), emailing via local SMTP",
                wagtail,
                DATABASES["wagtail"],
                "wagtailforms_formsubmission",
                wagtail_path,
                200,
                "wagtail",
            ),
            Endpoint(
                "in-project",
                "second reference: a bare view inside Clarion's project (its settings and middleware)",
                in_project,
                DATABASES["signing"],
                "signing_bench_inprojectsignature",
                "/bench/in-project/",
                302,
                "ceiling",
            ),
        ]
        if BEFORE_TREE:
            commit = subprocess.run(
                ["git", "-C", BEFORE_TREE, "log", "-1", "--format=%h"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            for name, path, accepted in (
                ("form", f"/en/act/{campaign.pk}/", 302),
                ("api", f"/api/v3/campaigns/{campaign.pk}/signatures/", 202),
            ):
                same = next(e for e in endpoints if e.name == name)
                endpoints.append(
                    Endpoint(
                        f"{name}-before",
                        f"{same.label}, before this change (at {commit})",
                        before,
                        DATABASES["signing"],
                        "signatures_signature",
                        path,
                        accepted,
                        name,
                    )
                )
        if ONLY:
            endpoints = [endpoint for endpoint in endpoints if endpoint.name in ONLY]
        for endpoint in endpoints:
            endpoint.prepare(started)
            before = endpoint.rows()
            body, headers = endpoint.request(f"{endpoint.name}-probe@example.org")
            status, _, content = http_status(endpoint.port, "POST", endpoint.path, body, headers)
            if status != endpoint.accepted or endpoint.rows() != before + 1:
                raise RuntimeError(
                    f"{endpoint.name}: the probe answered {status} {content[:500]!r}"
                )
            wrk(endpoint, "warm", WARMUP_SECONDS)
        results = measure(endpoints)
    finally:
        for server in servers:
            server.stop()
        smtp.terminate()
        smtp.wait(30)
        redis.stop()
    if ONLY:
        print(json.dumps(results, indent=1))
    else:
        write_report(endpoints, results, load_before, os.getloadavg())


def measure(endpoints):
    """Interleaved rounds: each endpoint's peak, then at once open-loop at half that peak.

    Half of the peak just measured, not of the median of all rounds: on a shared machine
    the capacity drifts with the other work, and a rate set from an earlier, quieter window
    can exceed what the server has now, when queueing, not the server, makes the p99 (the
    first version of this benchmark measured 2.4 s that way, the ceiling 1 s).
    """
    results = {e.name: {"rounds": [], "halves": []} for e in endpoints}
    for number in range(ROUNDS):
        shift = number % len(endpoints)
        for endpoint in endpoints[shift:] + endpoints[:shift]:
            window = wrk(endpoint, f"r{number}", SECONDS)
            window["load"] = os.getloadavg()[0]
            results[endpoint.name]["rounds"].append(window)
            print(endpoint.name, number, json.dumps(window), flush=True)
            half = open_loop(endpoint, window["rate"] / 2, SECONDS, f"h{number}")
            half["target"] = window["rate"] / 2
            half["load"] = os.getloadavg()[0]
            results[endpoint.name]["halves"].append(half)
            print(endpoint.name, number, "half", json.dumps(half), flush=True)
    return results


def _loads(averages) -> str:
    return " / ".join(f"{x:.1f}" for x in averages)


def write_report(endpoints, results, load_before, load_after):
    from bench.report import write_section

    def med(name, key, part=None):
        values = [r[key][part] if part else r[key] for r in results[name]["rounds"]]
        return median(values)

    def ratio(name, baseline="ceiling"):
        pairs = zip(results[name]["rounds"], results[baseline]["rounds"], strict=True)
        return median(a["rate"] / b["rate"] for a, b in pairs)

    def half_med(name, key):
        return median(h[key] for h in results[name]["halves"])

    lines = [
        f"Each server: gunicorn, 4 sync workers, on 127.0.0.1, PostgreSQL (`CONN_MAX_AGE=60`), "
        f"its own database. Load: wrk, {CONNECTIONS} connections ({WRK_THREADS} threads), "
        f"every request a new supporter; {ROUNDS} interleaved rounds (each round drives every "
        "endpoint once, starting with a different one), after a "
        f"{WARMUP_SECONDS:.0f} s warm-up each. In each round, each endpoint's peak over "
        f"{SECONDS:.0f} s (wrk, closed loop), then at once {SECONDS:.0f} s open-loop at half "
        f"that peak ({PROCESSES * THREADS} Python client threads, a new connection per request "
        "as gunicorn's sync workers close them, latency from each request's scheduled time). "
        "Clarion runs with `cms.settings.production`, "
        "Redis (a private redis-server) as broker and cache, and the rate limit counting every "
        "action (set out of reach: one address sends them all). CPU: milliseconds per stored "
        "row of the server's process tree (gunicorn master and workers), of the PostgreSQL "
        "backends serving it (those that closed in the window included, from the postmaster's "
        "time of its exited children) and of Clarion's Redis, from /proc, median of the rounds.",
        "",
        "| endpoint | peak accepted/s: median (rounds) | × ceiling: median (rounds) | "
        "p50 / p99 at peak (ms) | CPU ms/action: web + PostgreSQL (+ Redis) | "
        "at half peak: p50 / p99 (ms), median of rounds | p99 per round (ms) | "
        "load (1 min) per round | stored / accepted | refused |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for endpoint in endpoints:
        r = results[endpoint.name]
        rounds, halves = r["rounds"], r["halves"]
        cpu = (
            f"{med(endpoint.name, 'cpu', 'web'):.2f} + {med(endpoint.name, 'cpu', 'postgres'):.2f}"
        )
        if "redis" in rounds[0]["cpu"]:
            cpu += f" (+ {med(endpoint.name, 'cpu', 'redis'):.2f})"
        per_round = zip(rounds, results["ceiling"]["rounds"], strict=True)
        lines.append(
            f"| {endpoint.label} | {med(endpoint.name, 'rate'):.0f} "
            f"({', '.join(format(w['rate'], '.0f') for w in rounds)}) | "
            f"{ratio(endpoint.name):.2f} "
            f"({', '.join(format(a['rate'] / b['rate'], '.2f') for a, b in per_round)}) | "
            f"{med(endpoint.name, 'p50'):.1f} / {med(endpoint.name, 'p99'):.1f} | {cpu} | "
            f"{half_med(endpoint.name, 'p50'):.1f} / {half_med(endpoint.name, 'p99'):.1f} | "
            f"{', '.join(format(h['p99'], '.0f') for h in halves)} | "
            f"{', '.join(format(w['load'], '.1f') for w in rounds)} | "
            f"{sum(w['stored'] for w in rounds)} / {sum(w['accepted'] for w in rounds)} | "
            f"{sum(w['refused'] for w in rounds) + sum(h['refused'] for h in halves) or 'none'} |"
        )
    lines.append("")
    # A representative action looks its code up and answers a page: issue 32 asks 0.6.
    for name, target in (("form", 0.8), ("api", 0.8), ("representative", 0.6)):
        to_ceiling, half_p99 = ratio(name), half_med(name, "p99")
        label = next(e.label for e in endpoints if e.name == name)
        lines.append(
            f"- **{label}**: {to_ceiling:.2f}× the ceiling (target ≥ {target}: "
            f"{'met' if to_ceiling >= target else 'MISSED'}), {ratio(name, 'wagtail'):.1f}× the "
            f"Wagtail form; p99 {half_p99:.1f} ms at half its peak, median of the rounds "
            f"(target < 50 ms: {'met' if half_p99 < 50 else 'MISSED'})."
        )
        if f"{name}-before" in results:
            lines.append(
                f"  - before this change: {ratio(f'{name}-before'):.2f}× the ceiling; now "
                f"{ratio(name, f'{name}-before'):.2f}× as many actions per second as before "
                f"(median of the rounds), CPU per action {med(name, 'cpu', 'web'):.2f} ms "
                f"(before {med(f'{name}-before', 'cpu', 'web'):.2f} ms) in the web processes."
            )
    for endpoint in endpoints:
        halves = results[endpoint.name]["halves"]
        slow = [f"{len(h['slow'])}" for h in halves]
        lines.append(
            f"- {endpoint.label}, at half peak: requests over {SLOW_MS} ms per round "
            f"{', '.join(slow)}; the client's own lateness in sending (p99 per round) "
            f"{', '.join(format(h['lag_p99'], '.1f') for h in halves)} ms."
        )
    during = [w["load"] for r in results.values() for w in r["rounds"]]
    lines += [
        f"- Load average (1, 5, 15 min) at the start {_loads(load_before)}, at the end "
        f"{_loads(load_after)}, the 1-minute one {min(during):.1f}–{max(during):.1f} during "
        f"the windows, on {os.cpu_count()} cores. The machine is shared: compare the rows of "
        "one run (and the per-round ratios), not runs.",
        "- Stored rows exceed accepted answers by the requests in flight when wrk stops "
        "(stored, not counted). The rate is of accepted answers; CPU is per stored row.",
    ]
    write_section("signing", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
