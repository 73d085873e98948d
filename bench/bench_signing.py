"""Accepted signatures per second: Clarion's form and API against two baselines, same run.

On PostgreSQL, under gunicorn (4 sync workers) on 127.0.0.1, one site serves:
- Clarion's campaign form: POST /act/<id>/ (the real view, abuse checks, Redis cache and
  broker: the request stores one row and enqueues its follow-up work);
- Clarion's API: POST /api/v3/campaigns/<id>/signatures/ (if the route exists);
- the ceiling: a bare Django view that validates the same six fields and inserts one row;
- a Wagtail AbstractEmailForm page with the same six fields, emailing each submission to a
  local SMTP server (aiosmtpd), as a Wagtail site would do it.
The baselines live in bench/signing_site only.

All four run under the same server, settings and database. Each is driven closed-loop by
16 concurrent clients (peak) in BENCH_ROUNDS interleaved rounds (every endpoint once per
round, so drifting machine load weighs on all alike), then open-loop at half its own
median peak (latency measured from each request's scheduled time). Accepted means the
expected answer (302 / 202 / 200) and is checked against the rows in the database.
About 4 minutes with the defaults, without manual steps.

Environment: BENCH_DATABASE_URL (server URL, default postgres://postgres@127.0.0.1:5432),
BENCH_REDIS_URL (default redis://127.0.0.1:6379), BENCH_SECONDS (default 10, per window),
BENCH_ROUNDS (default 3). Ports 8200-8299 only. bench/profile_signing.py measures the same
endpoints' CPU time and queries in-process, which a busy machine disturbs far less.
"""

import http.client
import json
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

PG_SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = "clarion_bench_signing"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
QUEUE = "clarion-bench-signing"
WEB_PORT, SMTP_PORT = 8210, 8225
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARMUP_SECONDS = 3.0
PROCESSES, THREADS = 2, 8  # 16 concurrent clients
#: Open-loop requests slower than this are located in time: one stall, or a steady cost?
SLOW_MS = 100

ENV = os.environ | {
    "DJANGO_SETTINGS_MODULE": "bench.signing_site.settings",
    "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
    "CONN_MAX_AGE": "60",
    "CACHE_URL": f"{REDIS}/3",
    "CELERY_BROKER_URL": f"{REDIS}/0",
    "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
    # Every request comes from 127.0.0.1: the limit is counted as usual but set out of reach.
    "CLARION_RATE_LIMIT": "1000000000/300",
    "LOG_LEVEL": "WARNING",
}

FIELDS = {"first_name": "Ana", "last_name": "Okonjo", "country": "PT", "postal_code": "1000-001"}


# Set-up -------------------------------------------------------------------------------


def run(command, **kwargs):
    return subprocess.run(command, cwd=BASE_DIR, env=ENV, check=True, **kwargs)


def fresh_database():
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"):
        run(["psql", f"{PG_SERVER}/postgres", "-qc", sql])
    run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        stdout=subprocess.DEVNULL,
    )


def create_pages():
    """The campaign (one target) and the Wagtail form page with the same six fields."""
    from wagtail.models import Page, Site

    from bench.signing_site.models import WagtailFormField, WagtailFormPage
    from campaigns.models import CampaignIndexPage, CampaignPage, CampaignTarget, Target
    from cms.models import HomePage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Home", slug="bench-home"))
    Site.objects.all().delete()
    Site.objects.create(hostname="127.0.0.1", port=WEB_PORT, root_page=home, is_default_site=True)
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

    form_page = WagtailFormPage(
        title="Wagtail form",
        slug="wagtail-form",
        to_address="office@example.org",
        from_address="bench@example.org",
        subject="New submission",
    )
    form_page.form_fields = [
        WagtailFormField(label="First name", field_type="singleline", required=True),
        WagtailFormField(label="Last name", field_type="singleline", required=True),
        WagtailFormField(label="Email", field_type="email", required=True),
        WagtailFormField(label="Country", field_type="singleline", required=False),
        WagtailFormField(label="Postal code", field_type="singleline", required=False),
        WagtailFormField(label="Consent", field_type="checkbox", required=False),
    ]
    home.add_child(instance=form_page)
    form_page.save_revision().publish()
    return campaign, form_page


def start_servers(log_dir: Path):
    smtp = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{SMTP_PORT}"]
        + ["-c", "aiosmtpd.handlers.Sink"],
        cwd=BASE_DIR,
        env=ENV,
        stdout=(log_dir / "smtp.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cms.wsgi:application", "--workers", "4"]
        + ["--worker-class", "sync", "--bind", f"127.0.0.1:{WEB_PORT}", "--backlog", "256"],
        cwd=BASE_DIR,
        env=ENV,
        stdout=(log_dir / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    for port, process in ((SMTP_PORT, smtp), (WEB_PORT, web)):
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server for port {port} exited; see {log_dir}")
            try:
                http_status("GET", "/", port=port) if port == WEB_PORT else _probe(port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    return [web, smtp]


def _probe(port):
    import socket

    socket.create_connection(("127.0.0.1", port), 1).close()


def http_status(method, path, body=None, headers=None, port=WEB_PORT):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


# Load ---------------------------------------------------------------------------------


class Variant:
    """How one client thread takes an action on one of the four endpoints."""

    def __init__(self, name, path, accepted, kind):
        self.name, self.path, self.accepted, self.kind = name, path, accepted, kind

    def prepare(self):
        """Per client thread: the Wagtail form needs its CSRF cookie and token first."""
        if self.kind != "wagtail":
            return {}
        status, headers, body = http_status("GET", self.path)
        cookie = next(value for name, value in headers if name.lower() == "set-cookie")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        return {"cookie": cookie.split(";", 1)[0], "token": token.decode()}

    def request(self, email, state):
        if self.kind == "api":
            body = json.dumps(FIELDS | {"email": email}).encode()
            return body, {"Content-Type": "application/json"}
        fields = FIELDS | {"email": email, "consent": "on"}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.kind == "form":
            fields |= {"started": state["started"], "website": ""}
            headers |= {"Sec-Fetch-Site": "same-origin", "Origin": f"http://127.0.0.1:{WEB_PORT}"}
        if self.kind == "wagtail":
            fields |= {"csrfmiddlewaretoken": state["token"]}
            headers |= {"Cookie": state["cookie"]}
        return urlencode(fields).encode(), headers


def client_thread(variant, phase, proc, thread, started_token, start, stop, rate, out):
    state = variant.prepare() | {"started": started_token}
    latencies, refused, slow, n = [], {}, [], 0
    if rate:
        interval = PROCESSES * THREADS / rate
        offset = (proc * THREADS + thread) / rate
    while True:
        if rate:
            scheduled = start + offset + n * interval
            if scheduled >= stop:
                break
            time.sleep(max(0.0, scheduled - time.monotonic()))
        else:
            scheduled = time.monotonic()
            if scheduled >= stop:
                break
        email = f"{variant.name}-{phase}-{proc}-{thread}-{n}@example.org"
        n += 1
        body, headers = variant.request(email, state)
        try:
            status, _, _ = http_status("POST", variant.path, body, headers)
        except OSError as error:
            status = type(error).__name__
        done = time.monotonic()
        if scheduled < start:
            continue  # before the measured window (closed loop starts all at once)
        if status == variant.accepted:
            latencies.append((done - scheduled) * 1000)
            if rate and latencies[-1] > SLOW_MS:
                slow.append(scheduled - start)
        else:
            refused[str(status)] = refused.get(str(status), 0) + 1
    out.append((latencies, refused, slow))


def client_process(variant, phase, proc, started_token, start, stop, rate, queue):
    results = []
    threads = [
        threading.Thread(
            target=client_thread,
            args=(variant, phase, proc, t, started_token, start, stop, rate, results),
        )
        for t in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def drive(variant, phase, started_token, seconds, rate=None):
    """Run the clients; returns (accepted per second, latencies ms, refusals, and when in
    the window the slow requests were scheduled, open-loop only)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start = time.monotonic() + 1.0  # all clients set up before the window opens
    stop = start + seconds
    processes = [
        context.Process(
            target=client_process,
            args=(variant, phase, p, started_token, start, stop, rate, queue),
        )
        for p in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    results = [item for _ in processes for item in queue.get(timeout=seconds + 120)]
    for process in processes:
        process.join()
    latencies = sorted(lat for lats, _, _ in results for lat in lats)
    refused = {}
    for _, counts, _ in results:
        for status, count in counts.items():
            refused[status] = refused.get(status, 0) + count
    slow = sorted(at for _, _, times in results for at in times)
    return len(latencies) / seconds, latencies, refused, slow


def percentile(values, p):
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# Report -------------------------------------------------------------------------------


def rows(variant_name, campaign, form_page):
    from wagtail.contrib.forms.models import FormSubmission

    from bench.signing_site.models import CeilingSignature
    from signatures.models import Signature

    if variant_name in ("form", "api"):
        return Signature.objects.filter(campaign=campaign, email__startswith=variant_name).count()
    if variant_name == "ceiling":
        return CeilingSignature.objects.count()
    return FormSubmission.objects.filter(page=form_page).count()


def main():
    import django

    os.environ.update(ENV)
    load_before = os.getloadavg()[0]
    log_dir = Path(os.environ.get("BENCH_LOG_DIR", "/tmp/clarion-bench-signing"))
    log_dir.mkdir(parents=True, exist_ok=True)
    fresh_database()
    django.setup()
    from django.core import signing
    from django.db import connections

    from signatures import abuse

    campaign, form_page = create_pages()
    connections.close_all()  # the client processes fork from here
    started_token = signing.dumps(int(time.time()) - 60, salt=abuse.STARTED_SALT)
    servers = start_servers(log_dir)
    try:
        variants = [
            Variant("form", f"/act/{campaign.pk}/", 302, "form"),
            Variant("api", f"/api/v3/campaigns/{campaign.pk}/signatures/", 202, "api"),
            Variant("ceiling", "/bench/ceiling/", 302, "ceiling"),
            Variant("wagtail", form_page.url, 200, "wagtail"),
        ]
        notes, measured = [], []
        for variant in variants:
            body, headers = variant.request(
                f"{variant.name}-probe@example.org", variant.prepare() | {"started": started_token}
            )
            status, _, content = http_status("POST", variant.path, body, headers)
            if status != variant.accepted:
                notes.append(f"`{variant.name}` skipped: a probe answered {status}.")
                print(f"skip {variant.name}: {status} {content[:300]!r}", file=sys.stderr)
                continue
            drive(variant, "warm", started_token, WARMUP_SECONDS)
            measured.append(variant)
        results = measure(measured, started_token, campaign, form_page)
        connections.close_all()
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
        _drop_queue()
    notes.append(
        f"Load average (1 min) at start {load_before:.1f}, at end {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores: anything else running on the machine shares the CPU with "
        "the servers and the clients, so compare the rows of one run, not runs."
    )
    notes.append(
        "Rows stored exceed accepted answers: the clients start a second before each "
        "measuring window opens, and what they send then (or still have in flight when it "
        "closes) is stored but not counted."
    )
    write_report(results, notes)


def measure(variants, started_token, campaign, form_page):
    """Peaks in interleaved rounds, then each variant open-loop at half its peak.

    Round r measures every variant once, starting with a different one each round, so a
    change in the machine's load during the run weighs on all of them alike.
    """
    from statistics import median

    before = {v.name: rows(v.name, campaign, form_page) for v in variants}
    peaks = {v.name: [] for v in variants}
    latencies = {v.name: {"peak": [], "half": []} for v in variants}
    refused = {v.name: {} for v in variants}

    def record(variant, phase, rate, lats, refusals):
        latencies[variant.name][phase] += lats
        for status, count in refusals.items():
            refused[variant.name][status] = refused[variant.name].get(status, 0) + count
        print(variant.name, phase, f"{rate:.1f}/s", refusals or "", flush=True)

    for number in range(ROUNDS):
        for variant in variants[number % len(variants) :] + variants[: number % len(variants)]:
            rate, lats, refusals, _ = drive(variant, f"peak{number}", started_token, SECONDS)
            peaks[variant.name].append(rate)
            record(variant, "peak", rate, lats, refusals)
    results = {}
    for variant in variants:
        peak = median(peaks[variant.name])
        half, lats, refusals, slow = drive(variant, "half", started_token, SECONDS, rate=peak / 2)
        record(variant, "half", half, lats, refusals)
        peak_lat, half_lat = (sorted(latencies[variant.name][p]) for p in ("peak", "half"))
        results[variant.name] = {
            "peak": peak,
            "peaks": peaks[variant.name],
            "peak_p50": percentile(peak_lat, 50),
            "peak_p99": percentile(peak_lat, 99),
            "half_rate": half,
            "half_target": peak / 2,
            "half_p50": percentile(half_lat, 50),
            "half_p99": percentile(half_lat, 99),
            "half_slow": slow,
            "accepted": len(peak_lat) + len(half_lat),
            "stored": rows(variant.name, campaign, form_page) - before[variant.name],
            "refused": refused[variant.name],
        }
    return results


def _drop_queue():
    """The enqueued follow-up tasks are not part of the measurement: drop them."""
    import redis

    redis.Redis.from_url(f"{REDIS}/0").delete(QUEUE)


def _median_ratio(peaks, baseline_peaks):
    from statistics import median

    return median(a / b for a, b in zip(peaks, baseline_peaks, strict=True) if b)


def write_report(results, notes):
    from bench.report import write_section

    labels = {
        "form": "Clarion campaign form (`/act/<id>/`)",
        "api": "Clarion API (`POST /api/v3/campaigns/<id>/signatures/`)",
        "ceiling": "ceiling: bare Django view, validate + insert one row",
        "wagtail": "Wagtail `AbstractEmailForm` page, emailing via local SMTP",
    }
    lines = [
        "Accepted actions per second on PostgreSQL, gunicorn 4 sync workers, 127.0.0.1, one "
        f"site serving all four; {PROCESSES * THREADS} concurrent clients for the peak: "
        f"{ROUNDS} rounds of {SECONDS:.0f} s, each round measuring every endpoint in turn "
        f"(after a {WARMUP_SECONDS:.0f} s warm-up each), the median round shown; then "
        "open-loop at half that endpoint's peak (latency from each request's scheduled time). "
        "`CONN_MAX_AGE=60`; cache and broker on the local Redis; rate limit counted but set "
        "out of reach (all clients share one IP).",
        "",
        "| endpoint | peak accepted/s (rounds) | p50 / p99 at peak (ms) | at half peak: rate/s | "
        "p50 / p99 (ms) | rows stored / accepted | refused |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in results.items():
        rounds = ", ".join(f"{peak:.0f}" for peak in r["peaks"])
        lines.append(
            f"| {labels[name]} | {r['peak']:.0f} ({rounds}) | "
            f"{r['peak_p50']:.1f} / {r['peak_p99']:.1f} | "
            f"{r['half_rate']:.0f} (target {r['half_target']:.0f}) | "
            f"{r['half_p50']:.1f} / {r['half_p99']:.1f} | {r['stored']} / {r['accepted']} | "
            f"{r['refused'] or 'none'} |"
        )
    lines.append("")
    ceiling, wagtail = results.get("ceiling"), results.get("wagtail")
    for name in ("form", "api"):
        r = results.get(name)
        if not r or not ceiling or not wagtail:
            continue
        # Each round's endpoints ran back to back: compare within rounds, take the median.
        to_ceiling = _median_ratio(r["peaks"], ceiling["peaks"])
        to_wagtail = _median_ratio(r["peaks"], wagtail["peaks"])
        verdict = [
            f"{to_ceiling:.2f}× the ceiling (target ≥ 0.8: {'met' if to_ceiling >= 0.8 else 'MISSED'})",
            f"{to_wagtail:.1f}× the Wagtail form (target ≥ 2: {'met' if to_wagtail >= 2 else 'MISSED'})",
            f"p99 {r['half_p99']:.1f} ms at half its peak (target < 100 ms: "
            f"{'met' if r['half_p99'] < 100 else 'MISSED'})",
        ]
        lines.append(f"- **{labels[name]}**: " + "; ".join(verdict) + ".")
    lines.append(
        "- Ratios are the median over rounds of the two endpoints' peaks in the same round."
    )
    for name, r in results.items():
        if slow := r["half_slow"]:
            lines.append(
                f"- {labels[name]}, at half peak: {len(slow)} requests took over {SLOW_MS} ms, "
                f"scheduled {slow[0]:.1f}–{slow[-1]:.1f} s into the {SECONDS:.0f} s window "
                "(a single stretch means one stall, of the machine or the process, not a "
                "steady cost)."
            )
    lines += [f"- {note}" for note in notes]
    write_section("signing", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
