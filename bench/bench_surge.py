"""A surge on one node: share-tagged page views, counter polls and confirm-by-email actions,
raised step by step until the p99 passes 100 ms or errors appear.

Everything real and on loopback, as in bench_load.py: PostgreSQL (a fresh database with the
demo), a private Redis (broker and cache), gunicorn (4 sync workers), one Celery worker
sending confirmation emails to a local SMTP server. The demo's first campaign asks
supporters to confirm by email, so every action owes a confirmation email at once.

1. Shared links against the bare address (the baseline, same run): closed loop, the same
   threads, interleaved rounds of the cached page reached as `/…/` and as
   `/…/?utm_source=facebook&utm_medium=share&fbclid=…` (a new click id each time).
2. Steps: open loop (requests leave at their scheduled times whatever the answers) at
   rising rates, MIX of kinds, after a warm-up; the knee is the last step whose p99 (all
   requests) stays under 100 ms with no 5xx and no lost answer, at the rate scheduled.
3. At 80% of the knee, surge mode off and then on: the p99 of each kind, and the
   confirmation emails' time from the action's answer to the mail server's 250.
4. One worker's own sending rate: confirmation emails, then letters, each from a backlog of
   actions posted faster than it sends.

The load generator is Python threads on the same two cores as the server: it takes a share
of the CPU the server would otherwise have, so the knee is a floor, and the rates say
what this generator could send. Bounded: every step is a fixed number of requests.

    make bench-surge
    BENCH_SURGE_RATES=50,100 BENCH_SURGE_STEP_SECONDS=5 .venv/bin/python bench/bench_surge.py
"""

import collections
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_load import DEMO_PAGE  # noqa: E402
from bench.report import write_section  # noqa: E402
from bench.servers import (  # noqa: E402
    CeleryWorker,
    Gunicorn,
    PrivateRedis,
    app_env,
    free_port,
    percentile,
    request,
)
from bench.setup_db import django_eval, drop_database, fresh_database  # noqa: E402

DATABASE = "clarion_bench_surge"
RATES = [
    int(r) for r in os.environ.get("BENCH_SURGE_RATES", "100,200,300,400,500,600,800").split(",")
]
STEP_SECONDS = float(os.environ.get("BENCH_SURGE_STEP_SECONDS", "10"))
HOLD_SECONDS = float(os.environ.get("BENCH_SURGE_HOLD_SECONDS", "20"))
PAGE_ROUNDS = int(os.environ.get("BENCH_SURGE_PAGE_ROUNDS", "3"))
PAGE_SECONDS = float(os.environ.get("BENCH_SURGE_PAGE_SECONDS", "5"))
THREADS = int(os.environ.get("BENCH_SURGE_THREADS", "48"))
DRAIN_ACTIONS = int(os.environ.get("BENCH_SURGE_DRAIN_ACTIONS", "1000"))
#: Page views with share tags, counter polls, actions: about 15 views per action.
MIX = (("page", 0.75), ("counter", 0.2), ("action", 0.05))
P99_LIMIT_MS = 100
SHARE_TAGS = "utm_source=facebook&utm_medium=share&utm_campaign=surge"


class Step:
    """RATE requests a second for SECONDS, open loop; records (kind, status, ms, late ms)."""

    def __init__(self, site, rate, seconds, seed):
        self.site, self.rate = site, rate
        self.total = int(rate * seconds)
        self.kinds = random.Random(seed).choices(
            [kind for kind, _ in MIX], [weight for _, weight in MIX], k=self.total
        )
        self.results, self.accepted_at = [], {}
        self.lock = threading.Lock()
        self.tag = uuid.uuid4().hex[:8]

    def send(self, i):
        kind, site = self.kinds[i], self.site
        if kind == "page":
            return request(site.port, "GET", f"{site.page}?{SHARE_TAGS}&fbclid={self.tag}{i}")[0]
        if kind == "counter":
            return request(site.port, "GET", f"/api/v3/campaigns/{site.campaign_id}/counter/")[0]
        body = urlencode({"first_name": "Surge", "last_name": f"Test {i}", "email": self.email(i)})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return request(site.port, "POST", f"/act/{site.campaign_id}/", body, headers)[0]

    def email(self, i):
        return f"surge-{self.tag}-{i}@example.org"

    def worker(self, offset):
        for i in range(offset, self.total, THREADS):
            due = self.start + i / self.rate
            time.sleep(max(0.0, due - time.monotonic()))
            sent = time.monotonic()
            try:
                status = self.send(i)
            except OSError:
                status = 0
            done = time.monotonic()
            with self.lock:
                self.results.append(
                    (self.kinds[i], status, (done - sent) * 1e3, (sent - due) * 1e3)
                )
                if self.kinds[i] == "action" and status == 302:
                    self.accepted_at[self.email(i)] = done

    def run(self):
        self.start = time.monotonic()
        threads = [threading.Thread(target=self.worker, args=(k,)) for k in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - self.start
        return self

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
            "held": held,
            "statuses": statuses,
        }


def closed_loop(site, path_of, seconds) -> float:
    """Requests a second from THREADS threads each sending the next as soon as one ends."""
    done, stop = [0], time.monotonic() + seconds
    lock = threading.Lock()

    def loop(k):
        n = 0
        while time.monotonic() < stop:
            status = request(site.port, "GET", path_of(k, n))[0]
            assert status == 200, status
            n += 1
        with lock:
            done[0] += n

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(8)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - start)


def drain(site, smtp, count, per_action) -> tuple[float, float]:
    """Post `count` actions as fast as 8 threads can, then time the worker's emails: (actions
    per second sent, emails per second delivered from the first email to the last). The
    actions arrive faster than one worker sends, so the second is the worker's own rate."""
    seen, tag = len(smtp.arrivals), uuid.uuid4().hex[:8]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def post(k):
        for i in range(k, count, 8):
            body = urlencode(
                {
                    "first_name": "Drain",
                    "last_name": f"T{i}",
                    "email": f"drain-{tag}-{i}@example.org",
                }
            )
            status = request(site.port, "POST", f"/act/{site.campaign_id}/", body, headers)[0]
            assert status == 302, status

    start = time.monotonic()
    threads = [threading.Thread(target=post, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted = count / (time.monotonic() - start)
    smtp.wait_for(seen + count * per_action, timeout=600)
    arrived = [at for at, _message in smtp.arrivals[seen:]]
    if len(arrived) < 2:
        return posted, float("nan")
    return posted, (len(arrived) - 1) / (arrived[-1] - arrived[0])


def confirmation_delays(step, smtp, seen_before) -> list[float]:
    """Seconds from each accepted action's answer to its confirmation email's arrival."""
    delays = []
    for arrived, message in smtp.arrivals[seen_before:]:
        address = str(message["To"])
        if match := re.search(r"surge-\w+-\d+@example\.org", address):
            if (accepted := step.accepted_at.get(match.group(0))) is not None:
                delays.append(arrived - accepted)
    return sorted(delays)


def set_surge(env, on: bool) -> None:
    django_eval(
        env,
        "(lambda s: (setattr(s, 'active', "
        f"{on}), s.save(), s.active)[-1])(__import__('cms.base.models').models.SurgeMode.load())",
    )


class Site:
    pass


def main():
    from tests.smtp import RecordingSMTPServer

    work = Path(tempfile.mkdtemp(prefix="bench-surge-"))
    redis = PrivateRedis(work / "redis.log")
    redis.start()
    smtp = RecordingSMTPServer(port=free_port())
    smtp.__enter__()
    queue = f"bench-surge-{uuid.uuid4().hex[:8]}"
    web = worker = None
    site = Site()
    try:
        url = fresh_database(DATABASE)
        env = app_env(
            url, redis.url(0), queue=queue, smtp=smtp, cache_url=redis.url(1), LOG_LEVEL="WARNING"
        )
        site.campaign_id = int(django_eval(env, f"{DEMO_PAGE}.pk"))
        site.page = django_eval(env, f"{DEMO_PAGE}.url")
        django_eval(
            env,
            f"CampaignPage.objects.filter(pk={site.campaign_id}).update(confirmation_required=True)",
        )
        web = Gunicorn(env, work / "gunicorn.log", workers=4)
        worker = CeleryWorker(env, work / "worker.log", queue)
        web.start()
        worker.start()
        site.port = web.port
        # Every worker process's first requests load what it keeps (the campaign, the page,
        # its prepared statement): a warm-up, not part of any figure.
        Step(site, 40, 5, seed=99).run()

        bare, tagged = [], []
        for _ in range(PAGE_ROUNDS):
            bare.append(closed_loop(site, lambda k, n: site.page, PAGE_SECONDS))
            tagged.append(
                closed_loop(
                    site, lambda k, n: f"{site.page}?{SHARE_TAGS}&fbclid=x{k}n{n}", PAGE_SECONDS
                )
            )
        print(
            f"pages: bare {statistics.median(bare):.0f}/s, tagged {statistics.median(tagged):.0f}/s"
        )

        steps = []
        for number, rate in enumerate(RATES):
            summary = Step(site, rate, STEP_SECONDS, seed=number).run().summary()
            steps.append(summary)
            print(
                f"step {rate}/s: {summary['achieved']:.0f}/s, p99 {summary['p99']}, bad {summary['bad']}"
            )
            if not summary["ok"]:
                break
        passing = [s for s in steps if s["ok"]]
        knee = passing[-1]["rate"] if passing else RATES[0]

        holds = {}
        for label, on in (("surge mode off", False), ("surge mode on", True)):
            set_surge(env, on)
            time.sleep(3)  # every process reads the switch again within 2 s
            seen = len(smtp.arrivals)
            step = Step(site, max(1, int(0.8 * knee)), HOLD_SECONDS, seed=100 + on).run()
            accepted = len(step.accepted_at)
            smtp.wait_for(seen + accepted, timeout=180)
            holds[label] = (step.summary(), confirmation_delays(step, smtp, seen), accepted)
        set_surge(env, False)
        time.sleep(3)

        # One worker's own rate: confirmation emails, then letters (each action, 2 targets).
        confirmations = drain(site, smtp, DRAIN_ACTIONS, 1)
        django_eval(
            env,
            f"CampaignPage.objects.filter(pk={site.campaign_id}).update(confirmation_required=False)",
        )
        time.sleep(3)  # each process keeps a campaign's set-up for 2 s
        targets = int(django_eval(env, f"len({DEMO_PAGE}.targets)"))
        letters = drain(site, smtp, DRAIN_ACTIONS, targets)
    finally:
        for process in (worker, web):
            if process:
                process.stop()
        smtp.__exit__()
        redis.stop()
        drop_database(DATABASE)

    ratio = statistics.median(tagged) / statistics.median(bare)
    step_rows = "\n".join(
        f"| {s['rate']} | {s['achieved']:.0f} | "
        + " | ".join(f"{s['p99'].get(kind, float('nan')):.1f}" for kind, _ in MIX)
        + f" | {s['overall']:.1f} | {s['bad']} | {'yes' if s['ok'] else 'no'} |"
        for s in steps
    )
    hold_rows = "\n".join(
        f"| {label} | {s['rate']} | {s['achieved']:.0f} | "
        + " | ".join(f"{s['p99'].get(kind, float('nan')):.1f}" for kind, _ in MIX)
        + f" | {s['bad']} | {len(delays)} of {accepted} | "
        f"{percentile(delays, 0.5):.2f} | {percentile(delays, 0.99):.2f} |"
        for label, (s, delays, accepted) in holds.items()
    )
    write_section(
        "surge",
        f"""
## A surge on one node (`bench/bench_surge.py`, `make bench-surge`)

gunicorn (4 sync workers), PostgreSQL, a private Redis (broker and cache), one Celery worker
sending confirmation emails to a local SMTP server, and the load generator (Python threads,
open loop), all on this machine's two cores. Views are of the demo campaign reached through
a shared link (`?{SHARE_TAGS}&fbclid=…`, a new click id each), polls are the counter API,
actions are the HTML form on that campaign, which asks supporters to confirm by email.

**Shared links against the bare address** (closed loop, 8 threads, {PAGE_ROUNDS} interleaved
rounds of {PAGE_SECONDS:.0f} s): bare {statistics.median(bare):.0f} views/s (rounds
{", ".join(f"{r:.0f}" for r in bare)}), shared link {statistics.median(tagged):.0f} views/s
(rounds {", ".join(f"{r:.0f}" for r in tagged)}): **{ratio:.2f}x** (target ≥ 0.8x).

**Steps** ({STEP_SECONDS:.0f} s each; mix {", ".join(f"{k} {w:.0%}" for k, w in MIX)}); p99 in ms:

| scheduled/s | achieved/s | page p99 | counter p99 | action p99 | all p99 | 5xx or no answer | under {P99_LIMIT_MS} ms |
| --- | --- | --- | --- | --- | --- | --- | --- |
{step_rows}

The knee: **{knee} requests/s** ({knee * MIX[2][1]:.0f} actions/s, {knee * MIX[0][1]:.0f} shared-link views/s).

**At 80% of the knee for {HOLD_SECONDS:.0f} s**, surge mode off and on; confirmation emails
from the action's answer to the mail server's 250, in seconds:

| | scheduled/s | achieved/s | page p99 | counter p99 | action p99 | 5xx | emails | p50 s | p99 s |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{hold_rows}

**One worker's own rate** (Celery, solo pool: one process, one core at most), {DRAIN_ACTIONS:,}
actions posted faster than it sends (8 threads, closed loop), timed from the first email's
arrival to the last:

| email | actions posted/s | emails delivered per worker-second |
| --- | --- | --- |
| confirmation link (one per action) | {confirmations[0]:.0f} | **{confirmations[1]:.0f}** |
| letter ({targets} targets per action) | {letters[0]:.0f} | **{letters[1]:.0f}** |

Above the knee requests wait in gunicorn's backlog (latency grows; nothing is refused and no
accepted action is lost, see the counts above); no 503 is sent for load.
""",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
