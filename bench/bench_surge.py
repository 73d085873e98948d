"""A surge on one node: share-tagged page views, counter polls and confirm-by-email actions,
raised step by step until the p99 passes 100 ms or errors appear; then past the knee.

Everything real and on loopback (bench.servers.Stack, as bench_load.py): PostgreSQL (a fresh
database with the demo), a private Redis (broker and cache), gunicorn (4 sync workers), one
Celery worker sending confirmation emails to a local SMTP server. The demo's first campaign
asks supporters to confirm by email, so every action owes a confirmation email at once.

1. Shared links against the bare address (the baseline, same run): wrk, interleaved rounds
   of the cached page reached as `/…/` and as `/…/?utm_source=facebook&…&fbclid=…` (a new
   click id each request).
2. Steps: open loop (requests leave at their scheduled times whatever the answers) at
   rising rates, MIX of kinds, after a warm-up; the knee is the last step whose p99 (all
   requests) stays under 100 ms with no 5xx and no lost answer, at the rate scheduled.
3. At 80% of the knee, surge mode off and then on: the p99 of each kind, and the
   confirmation emails' time from the action's answer to the mail server's 250.
4. Past the knee: wrk floods shared-link views and counter polls from FLOOD_CONNECTIONS
   connections while threads post actions; every answer is counted, every action's row
   looked for (cms/load_shedding.py answers 503 with Retry-After past the knee).
5. One worker's own sending rate: confirmation emails, then letters, each from a backlog of
   actions posted faster than it sends; Redis commands per action (INFO commandstats).
6. PostgreSQL's own insert rate with the counter trigger: pgbench inserting signature rows.

The load generator runs on the same two cores as the server: it takes a share of the CPU
the server would otherwise have, so the figures are floors. Bounded: every step is a fixed
number of requests or seconds.

    make bench-surge
    BENCH_SURGE_RATES=50,100 BENCH_SURGE_STEP_SECONDS=5 .venv/bin/python bench/bench_surge.py
"""

import collections
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.servers import DEMO_PAGE, OpenLoop, Stack, percentile, request  # noqa: E402

DATABASE = "clarion_bench_surge"
RATES = [
    int(r) for r in os.environ.get("BENCH_SURGE_RATES", "100,200,300,400,500,600,800").split(",")
]
STEP_SECONDS = float(os.environ.get("BENCH_SURGE_STEP_SECONDS", "10"))
HOLD_SECONDS = float(os.environ.get("BENCH_SURGE_HOLD_SECONDS", "20"))
PAGE_ROUNDS = int(os.environ.get("BENCH_SURGE_PAGE_ROUNDS", "3"))
PAGE_SECONDS = int(os.environ.get("BENCH_SURGE_PAGE_SECONDS", "5"))
THREADS = int(os.environ.get("BENCH_SURGE_THREADS", "48"))
DRAIN_ACTIONS = int(os.environ.get("BENCH_SURGE_DRAIN_ACTIONS", "1000"))
FLOOD_CONNECTIONS = int(os.environ.get("BENCH_SURGE_FLOOD_CONNECTIONS", "1000"))
FLOOD_SECONDS = int(os.environ.get("BENCH_SURGE_FLOOD_SECONDS", "15"))
REDIS_ACTIONS = 200
#: Page views with share tags, counter polls, actions: about 15 views per action.
MIX = (("page", 0.75), ("counter", 0.2), ("action", 0.05))
P99_LIMIT_MS = 100
SHARE_TAGS = "utm_source=facebook&utm_medium=share&utm_campaign=surge"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
WRK_VIEWS = Path(__file__).resolve().parent / "wrk_views.lua"
#: Load shedding as in production (cms/settings/base.py's defaults).
SHEDDING = {"CLARION_SHED_VIEWS_AFTER_MS": "250", "CLARION_SHED_ACTIONS_AFTER_MS": "2000"}


class Site:
    def __init__(self, stack):
        self.port = stack.web.port
        self.campaign_id = int(stack.eval(f"{DEMO_PAGE}.pk"))
        self.page = stack.eval(f"{DEMO_PAGE}.url")
        self.counter = f"/api/v3/campaigns/{self.campaign_id}/counter/"
        self.act = f"/act/{self.campaign_id}/"

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def action_body(first_name, last_name, email):
    return urlencode({"first_name": first_name, "last_name": last_name, "email": email})


class Step(OpenLoop):
    """RATE requests a second for SECONDS, open loop, MIX of kinds; remembers when each
    action was accepted (for its confirmation email's delay)."""

    def __init__(self, site, rate, seconds, seed):
        super().__init__(rate, seconds, MIX, THREADS, seed)
        self.site, self.accepted_at = site, {}
        self.tag = uuid.uuid4().hex[:8]

    def send(self, i):
        kind, site = self.kinds[i], self.site
        if kind == "page":
            return request(site.port, "GET", f"{site.page}?{SHARE_TAGS}&fbclid={self.tag}{i}")[0]
        if kind == "counter":
            return request(site.port, "GET", site.counter)[0]
        body = action_body("Surge", f"Test {i}", self.email(i))
        return request(site.port, "POST", site.act, body, FORM)[0]

    def email(self, i):
        return f"surge-{self.tag}-{i}@example.org"

    def answered(self, i, status, at):
        if self.kinds[i] == "action" and status == 302:
            self.accepted_at[self.email(i)] = at

    def summary(self):
        by_kind = collections.defaultdict(list)
        for kind, _status, ms, _late in self.results:
            by_kind[kind].append(ms)
        statuses = collections.Counter(status for _k, status, _ms, _l in self.results)
        bad = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
        achieved = len(self.results) / self.elapsed
        p99 = {kind: percentile(values, 0.99) for kind, values in by_kind.items()}
        overall = percentile([ms for _k, _s, ms, _l in self.results], 0.99)
        held = achieved >= 0.95 * self.rate
        # The knee: the p99 of all requests (a kind with a few dozen requests in a step has
        # a p99 that is its maximum), no error, the rate held.
        ok = held and bad == 0 and overall <= P99_LIMIT_MS
        return {
            "rate": self.rate,
            "achieved": achieved,
            "bad": bad,
            "p99": p99,
            "overall": overall,
            "ok": ok,
            "statuses": statuses,
        }


def wrk(site, path, seconds, connections, counter_path=None) -> tuple[float, dict]:
    """(requests a second, the answers) of wrk GETting `path` (bench/wrk_views.lua)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    command += ["-s", str(WRK_VIEWS), site.url(path), "--", path]
    command += [counter_path] if counter_path else []
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, json.loads(output.strip().splitlines()[-1])


def flood(stack, site) -> dict:
    """Past the knee: wrk's views and polls from FLOOD_CONNECTIONS connections, and 8 threads
    posting actions meanwhile; every action's answer, and its row looked for."""
    tag, answers, lock = uuid.uuid4().hex[:8], {}, threading.Lock()
    stop = time.monotonic() + FLOOD_SECONDS

    def post(k):
        n = 0
        while time.monotonic() < stop:
            email = f"flood-{tag}-{k}-{n}@example.org"
            connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
            try:
                connection.request("POST", site.act, action_body("Flood", "Test", email), FORM)
                response = connection.getresponse()
                response.read()
                answer = (response.status, response.getheader("Retry-After"))
            except (OSError, http.client.HTTPException):
                answer = (0, None)
            finally:
                connection.close()
            with lock:
                answers[email] = answer
            n += 1

    threads = [threading.Thread(target=post, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    views_rate, views = wrk(
        site, f"{site.page}?{SHARE_TAGS}", FLOOD_SECONDS, FLOOD_CONNECTIONS, site.counter
    )
    for thread in threads:
        thread.join()
    stored = set(
        json.loads(
            stack.eval(
                "__import__('json').dumps(list(__import__('signatures.models').models.Signature"
                f".objects.filter(email__startswith='flood-{tag}-').values_list('email', flat=True)))"
            )
        )
    )
    accepted = {email for email, (status, _r) in answers.items() if status == 302}
    statuses = collections.Counter(status for status, _r in answers.values())
    return {
        "views_rate": views_rate,
        "views": views,
        "actions": statuses,
        "actions_retry_after": sum(
            1 for status, retry in answers.values() if status == 503 and retry
        ),
        "stored": len(stored),
        "lost": len(accepted - stored),  # answered 302, no row
        "unanswered_stored": len(stored - accepted),  # a row, but the answer was not 302
    }


def drain(site, smtp, count, per_action) -> tuple[float, float]:
    """Post `count` actions as fast as 8 threads can, then time the worker's emails: (actions
    per second sent, emails per second delivered from the first email to the last). The
    actions arrive faster than one worker sends, so the second is the worker's own rate."""
    seen = len(smtp.arrivals)
    posted = post_many(site, count, f"drain-{uuid.uuid4().hex[:8]}")
    smtp.wait_for(seen + count * per_action, timeout=240)
    arrived = [at for at, _message in smtp.arrivals[seen:]]
    if len(arrived) < 2:
        return posted, float("nan")
    return posted, (len(arrived) - 1) / (arrived[-1] - arrived[0])


def post_many(site, count, prefix) -> float:
    """`count` actions from 8 threads, closed loop; returns actions a second."""

    def post(k):
        for i in range(k, count, 8):
            body = action_body("Drain", f"T{i}", f"{prefix}-{i}@example.org")
            status = request(site.port, "POST", site.act, body, FORM)[0]
            assert status == 302, status

    start = time.monotonic()
    threads = [threading.Thread(target=post, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.monotonic() - start)


def redis_commands_per_action(stack, site, per_action) -> tuple[float, float, list]:
    """Redis commands (web, worker and broker together) per action, from INFO commandstats
    around REDIS_ACTIONS actions and their emails, less the idle rate measured just before:
    (per action, idle commands a second, the five most frequent commands per action)."""
    import redis

    client = redis.Redis(port=stack.redis.port)

    def calls():
        stats = client.info("commandstats")
        return collections.Counter({name: entry["calls"] for name, entry in stats.items()})

    client.config_resetstat()
    time.sleep(5)
    idle = sum(calls().values()) / 5
    seen = len(stack.smtp.arrivals)
    client.config_resetstat()
    start = time.monotonic()
    post_many(site, REDIS_ACTIONS, f"redis-{uuid.uuid4().hex[:8]}")
    stack.smtp.wait_for(seen + REDIS_ACTIONS * per_action, timeout=300)
    counted, elapsed = calls(), time.monotonic() - start
    busy = sum(counted.values()) - idle * elapsed
    top = [(name.removeprefix("cmdstat_"), n / REDIS_ACTIONS) for name, n in counted.most_common(5)]
    return busy / REDIS_ACTIONS, idle, top


def pgbench_inserts(stack, seconds=10, clients=4) -> tuple[float, float]:
    """(signature rows inserted a second by PostgreSQL itself, WAL bytes per row): pgbench,
    `clients` connections, one row per transaction, the counter trigger firing on each; a
    copy of a stored action with a new address each time."""
    url = stack.env["DATABASE_URL"]
    columns = stack.eval(
        "','.join(f.column for f in __import__('signatures.models').models.Signature._meta"
        ".concrete_fields if f.column not in ('id', 'email', 'email_key'))"
    )
    template = stack.eval(
        "__import__('signatures.models').models.Signature.objects.order_by('id').first().pk"
    )
    address = "'pgbench-' || txid_current() || '@example.org'"
    script = Path(tempfile.mkdtemp()) / "insert.sql"
    script.write_text(
        f"INSERT INTO signatures_signature (email, email_key, {columns}) "
        f"SELECT {address}, {address}, {columns} FROM signatures_signature WHERE id = {template};\n"
    )

    def psql(sql):
        return subprocess.run(
            ["psql", url, "-tAc", sql], capture_output=True, text=True, check=True
        ).stdout.strip()

    wal_before = psql("SELECT pg_current_wal_lsn()")
    output = subprocess.run(
        [
            "pgbench",
            "-n",
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            str(seconds),
            "-f",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wal = float(psql(f"SELECT pg_current_wal_lsn() - '{wal_before}'::pg_lsn"))
    rows = int(psql("SELECT count(*) FROM signatures_signature WHERE email LIKE 'pgbench-%'"))
    return float(re.search(r"tps = ([\d.]+)", output).group(1)), wal / max(rows, 1)


def confirmation_delays(step, smtp, seen_before) -> list[float]:
    """Seconds from each accepted action's answer to its confirmation email's arrival."""
    delays = []
    for arrived, message in smtp.arrivals[seen_before:]:
        address = str(message["To"])
        if match := re.search(r"surge-\w+-\d+@example\.org", address):
            if (accepted := step.accepted_at.get(match.group(0))) is not None:
                delays.append(arrived - accepted)
    return sorted(delays)


def set_surge(stack, on: bool) -> None:
    stack.eval(
        "(lambda s: (setattr(s, 'active', "
        f"{on}), s.save(), s.active)[-1])(__import__('cms.models').models.SurgeMode.load())"
    )


def set_confirmation(stack, site, required: bool) -> None:
    stack.eval(
        f"CampaignPage.objects.filter(pk={site.campaign_id})"
        f".update(confirmation_required={required})"
    )
    time.sleep(3)  # each process keeps a campaign's set-up for 2 s


def main():
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average before the run: {load_before}", flush=True)
    with Stack(DATABASE, "bench-surge", backlog=2048, **SHEDDING) as stack:
        site = Site(stack)
        smtp = stack.smtp
        set_confirmation(stack, site, True)
        # Every worker process's first requests load what it keeps (the campaign, the page,
        # its prepared statement): a warm-up, not part of any figure.
        Step(site, 40, 5, seed=99).run()

        bare, tagged, polls = [], [], []
        for _ in range(PAGE_ROUNDS):
            bare.append(wrk(site, site.page, PAGE_SECONDS, 16))
            tagged.append(wrk(site, f"{site.page}?{SHARE_TAGS}", PAGE_SECONDS, 16))
            polls.append(wrk(site, site.counter, PAGE_SECONDS, 16))
        pages_ok = all(
            set(answers["statuses"]) == {"200"} and not answers["errors"]
            for _rate, answers in bare + tagged + polls
        )
        bare, tagged = [rate for rate, _ in bare], [rate for rate, _ in tagged]
        polls = [rate for rate, _ in polls]
        print(
            f"pages: bare {statistics.median(bare):.0f}/s, tagged {statistics.median(tagged):.0f}/s"
        )

        steps = []
        for number, rate in enumerate(RATES):
            summary = Step(site, rate, STEP_SECONDS, seed=number).run().summary()
            steps.append(summary)
            print(
                f"step {rate}/s: {summary['achieved']:.0f}/s, p99 {summary['overall']:.0f} ms, bad {summary['bad']}"
            )
            if not summary["ok"]:
                break
        passing = [s for s in steps if s["ok"]]
        knee = passing[-1]["rate"] if passing else RATES[0]

        holds = {}
        for label, on in (("surge mode off", False), ("surge mode on", True)):
            set_surge(stack, on)
            time.sleep(3)  # every process reads the switch again within 2 s
            seen = len(smtp.arrivals)
            step = Step(site, max(1, int(0.8 * knee)), HOLD_SECONDS, seed=100 + on).run()
            accepted = len(step.accepted_at)
            smtp.wait_for(seen + accepted, timeout=180)
            holds[label] = (step.summary(), confirmation_delays(step, smtp, seen), accepted)
            print(f"{label}: p99 {holds[label][0]['p99']}")
        set_surge(stack, False)
        time.sleep(3)

        seen = len(smtp.arrivals)
        above = flood(stack, site)
        print(f"past the knee: {above}", flush=True)
        smtp.wait_for(seen + above["actions"][302], timeout=300)  # the flood's confirmations

        # One worker's own rate: confirmation emails, then letters (each action, 2 targets).
        confirmations = drain(site, smtp, DRAIN_ACTIONS, 1)
        set_confirmation(stack, site, False)
        targets = int(stack.eval(f"len({DEMO_PAGE}.targets)"))
        letters = drain(site, smtp, DRAIN_ACTIONS, targets)
        redis_per_action, redis_idle, redis_top = redis_commands_per_action(stack, site, targets)
        inserts, wal_per_row = pgbench_inserts(stack)
        row_bytes = float(
            stack.eval(
                "(lambda c: (c.execute(\"SELECT pg_total_relation_size('signatures_signature')"
                ' / count(*)::float FROM signatures_signature"), c.fetchone()[0])[-1])'
                "(__import__('django.db').db.connection.cursor())"
            )
        )
        print(
            f"drain {confirmations} {letters}; redis {redis_per_action:.1f}/action; inserts {inserts:.0f}/s"
        )

    write_section(
        "surge",
        report(
            load_before,
            (bare, tagged, polls),
            pages_ok,
            steps,
            knee,
            holds,
            above,
            confirmations,
            letters,
            targets,
            (redis_per_action, redis_idle, redis_top),
            (inserts, row_bytes, wal_per_row),
        ),
    )
    return 0


def p99s(summary) -> str:
    return " | ".join(f"{summary['p99'].get(kind, float('nan')):.1f}" for kind, _ in MIX)


def report(
    load_before,
    pages,
    pages_ok,
    steps,
    knee,
    holds,
    above,
    confirmations,
    letters,
    targets,
    redis,
    database,
) -> str:
    bare, tagged, polls = pages
    ratio = statistics.median(tagged) / statistics.median(bare)
    step_rows = "\n".join(
        f"| {s['rate']} | {s['achieved']:.0f} | {p99s(s)} | {s['overall']:.1f} | {s['bad']} | "
        f"{'yes' if s['ok'] else 'no'} |"
        for s in steps
    )
    hold_rows = "\n".join(
        f"| {label} | {s['rate']} | {s['achieved']:.0f} | {p99s(s)} | {s['bad']} | "
        f"{len(delays)} of {accepted} | {percentile(delays, 0.5):.2f} | "
        f"{percentile(delays, 0.99):.2f} |"
        for label, (s, delays, accepted) in holds.items()
    )
    views, actions = above["views"], above["actions"]
    view_answers = ", ".join(f"{code}: {n:,}" for code, n in sorted(views["statuses"].items()))
    action_answers = ", ".join(f"{code}: {n:,}" for code, n in sorted(actions.items()))
    redis_per_action, redis_idle, redis_top = redis
    inserts, row_bytes, wal_per_row = database
    top = ", ".join(f"{name} {n:.1f}" for name, n in redis_top)
    return f"""
## A surge on one node (`bench/bench_surge.py`, `make bench-surge`)

gunicorn (4 sync workers), PostgreSQL, a private Redis (broker and cache), one Celery worker
sending confirmation emails to a local SMTP server, and the load generators (wrk, Python
threads), all on this machine's two cores; run under `flock /tmp/clarion-heavy.lock`, load
average before the run {load_before} (other work on the machine). Views are of the demo
campaign reached through a shared link (`?{SHARE_TAGS}&fbclid=…`, a new click id each),
polls are the counter API, actions are the HTML form on that campaign, which asks
supporters to confirm by email.

**Shared links against the bare address** (wrk, 2 threads, 16 connections, {PAGE_ROUNDS}
interleaved rounds of {PAGE_SECONDS} s; {"every answer 200" if pages_ok else "NOT every answer 200"}):
bare {statistics.median(bare):.0f} views/s (rounds {", ".join(f"{r:.0f}" for r in bare)}),
shared link {statistics.median(tagged):.0f} views/s (rounds
{", ".join(f"{r:.0f}" for r in tagged)}): **{ratio:.2f}x** (target ≥ 0.8x). The counter API in
the same rounds: {statistics.median(polls):.0f} reads/s (rounds {", ".join(f"{r:.0f}" for r in polls)}).

**Steps** (open loop, {THREADS} threads, {STEP_SECONDS:.0f} s each; mix
{", ".join(f"{k} {w:.0%}" for k, w in MIX)}); p99 in ms:

| scheduled/s | achieved/s | page p99 | counter p99 | action p99 | all p99 | 5xx or no answer | under {P99_LIMIT_MS} ms |
| --- | --- | --- | --- | --- | --- | --- | --- |
{step_rows}

The knee: **{knee} requests/s** ({knee * MIX[2][1]:.0f} actions/s, {knee * MIX[0][1]:.0f} shared-link views/s,
{knee * MIX[1][1]:.0f} counter polls/s).

**At 80% of the knee for {HOLD_SECONDS:.0f} s**, surge mode off and on; confirmation emails
from the action's answer to the mail server's 250, in seconds (target p99 < 60 s):

| | scheduled/s | achieved/s | page p99 | counter p99 | action p99 | 5xx | emails | p50 s | p99 s |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{hold_rows}

**Past the knee** ({FLOOD_SECONDS} s): wrk from {FLOOD_CONNECTIONS:,} connections (shared-link
views, one request in five a counter poll), {views["statuses"] and sum(views["statuses"].values()) or 0:,}
answers at {above["views_rate"]:.0f}/s: {view_answers}; 503s with Retry-After:
{views["retry_after"]:,}; connection errors or timeouts: {views["errors"]}. Meanwhile 8 threads
posted {sum(actions.values()):,} actions: {action_answers} (503s with Retry-After:
{above["actions_retry_after"]:,}). Rows stored: {above["stored"]:,}; **actions answered 302 without a
row: {above["lost"]}**; rows whose action was not answered 302: {above["unanswered_stored"]}.
Load shedding (`cms/load_shedding.py`, defaults: views after 250 ms in the queue, actions
after 2,000 ms) answers the views it cannot serve in time at once.

**One worker's own rate** (Celery, solo pool: one process, one core at most), {DRAIN_ACTIONS:,}
actions posted faster than it sends (8 threads, closed loop), timed from the first email's
arrival to the last:

| email | actions posted/s | emails delivered per worker-second |
| --- | --- | --- |
| confirmation link (one per action) | {confirmations[0]:.0f} | **{confirmations[1]:.0f}** |
| letter ({targets} targets per action) | {letters[0]:.0f} | **{letters[1]:.0f}** |

**Redis commands per action** (INFO commandstats of the private Redis, web, worker and broker
together, around {REDIS_ACTIONS} actions with {targets} letters each, less the idle rate of
{redis_idle:.1f} commands/s measured just before): **{redis_per_action:.1f}**; most frequent
per action: {top}.

**PostgreSQL inserts with the counter trigger** (pgbench, 4 connections, 10 s, one
signature row per transaction): **{inserts:,.0f} rows/s**, writing **{wal_per_row:,.0f} bytes of
WAL per row** (`pg_current_wal_lsn()` before and after). Space per stored action (the
signatures table with its indexes and TOAST, over its rows at the end of the run):
**{row_bytes:,.0f} bytes**.
"""


if __name__ == "__main__":
    sys.exit(main())
