"""Load and soak: a steady mix of page views, counter reads and actions against gunicorn.

Everything real and on loopback: PostgreSQL (a fresh database with the demo campaign),
a private Redis (broker and cache), gunicorn (4 sync workers), a Celery worker delivering
every action's email to a local SMTP server. The load is open-loop: requests are sent at
their scheduled times whatever the answers, so a slow server shows as latency and
lateness, not as a quietly lower rate. Bounded: RATE x SECONDS requests at most.

Checked at the end: zero 5xx, the counter exact (its value at the start plus every
accepted action), every process's memory flat, every accepted action's email delivered.

    make soak                                  # 10 minutes at 40 requests/s
    BENCH_LOAD_SECONDS=60 .venv/bin/python bench/bench_load.py    # a short run
"""

import collections
import json
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.servers import DEMO_PAGE, MemorySampler, OpenLoop, Stack, percentile, request  # noqa: E402

DATABASE = "clarion_bench_e_load"
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "600"))
RATE = float(os.environ.get("BENCH_LOAD_RATE", "40"))
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "24"))
MIX = (("page", 0.7), ("counter", 0.2), ("action", 0.1))
WARM_UP = 60  # seconds before memory counts as settled
MEMORY_TOLERANCE = 0.10  # growth past this fraction of the settled size is not flat


class Load(OpenLoop):
    """The steady mix; remembers when each action was accepted."""

    def __init__(self, port, campaign_id, page_path):
        super().__init__(RATE, SECONDS, MIX, THREADS, seed=42)
        self.port, self.campaign_id, self.page_path = port, campaign_id, page_path
        self.accepted = 0
        self.accepted_at = {}  # action number -> time.monotonic() of its 302
        self.run_id = uuid.uuid4().hex[:8]

    def send(self, i):
        kind = self.kinds[i]
        if kind == "page":
            return request(self.port, "GET", self.page_path)[0]
        if kind == "counter":
            return request(self.port, "GET", f"/api/v3/campaigns/{self.campaign_id}/counter/")[0]
        body = urlencode(
            {
                "first_name": "Load",
                "last_name": f"Test {i}",
                "email": f"load-{self.run_id}-{i}@example.org",
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return request(self.port, "POST", f"/act/{self.campaign_id}/", body, headers)[0]

    def answered(self, i, status, at):
        if self.kinds[i] == "action" and status == 302:
            self.accepted += 1
            self.accepted_at[i] = at


def promptness(load, arrivals) -> list[float]:
    """Seconds from each accepted action's answer to its letters' arrival at the mail
    server (the letters' Reply-To is the supporter, whose address numbers the action)."""
    delays = []
    for arrived, message in arrivals:
        if match := re.search(r"load-\w+-(\d+)@", str(message["Reply-To"])):
            if (accepted := load.accepted_at.get(int(match.group(1)))) is not None:
                delays.append(arrived - accepted)
    return sorted(delays)


def counter(port, campaign_id):
    status, body, _ = request(port, "GET", f"/api/v3/campaigns/{campaign_id}/counter/")
    assert status == 200, status
    return json.loads(body)["count"]


def memory_table(samples):
    """(rows, all_flat): per process, settled size after warm-up vs size at the end."""
    rows, flat = [], True
    for name, points in sorted(samples.items()):
        settled = [kib for t, kib in points if WARM_UP <= t < WARM_UP + 60] or [points[0][1]]
        end = [kib for _t, kib in points[-6:]]
        base, last, peak = statistics.mean(settled), statistics.mean(end), max(k for _, k in points)
        growth = (last - base) / base if base else 0
        ok = growth <= MEMORY_TOLERANCE
        flat &= ok
        rows.append(
            f"| {name} | {base / 1024:.1f} MiB | {last / 1024:.1f} MiB | {peak / 1024:.1f} MiB "
            f"| {growth:+.1%} | {'flat' if ok else 'GROWING'} |"
        )
    return rows, flat


def main():
    with Stack(DATABASE, "bench-load") as stack:
        web, smtp = stack.web, stack.smtp
        campaign_id = int(stack.eval(f"{DEMO_PAGE}.pk"))
        page_path = stack.eval(f"{DEMO_PAGE}.url")
        targets = int(stack.eval(f"len({DEMO_PAGE}.targets)"))
        before = counter(web.port, campaign_id)
        sampler = MemorySampler(
            {"gunicorn": web.pids, "celery worker": stack.worker.pids, "redis": [stack.redis.pid]}
        )
        sampler.start()
        load = Load(web.port, campaign_id, page_path)
        print(f"load: {load.total} requests at {RATE}/s for {SECONDS:.0f} s", flush=True)
        load.run()
        time.sleep(10)  # the counter is at most ~5 s stale; the worker drains its queue
        after = counter(web.port, campaign_id)
        page = request(web.port, "GET", page_path)[1].decode()
        shown = int(re.search(r"<strong>([\d,]+)</strong>", page).group(1).replace(",", ""))
        stored = int(
            stack.eval(f"CampaignPage.objects.get(pk={campaign_id}).signatures.counted().count()")
        )
        emails = len(smtp.wait_for(load.accepted * targets, timeout=120))
        delays = promptness(load, smtp.arrivals)
        sampler.stop()

    by_kind = collections.defaultdict(list)
    statuses = collections.Counter()
    for kind, status, latency, _late in load.results:
        by_kind[kind].append(latency)
        statuses[status] += 1
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    lateness = [late for *_rest, late in load.results]
    sustained = len(load.results) / load.elapsed
    counter_exact = after == before + load.accepted == shown
    memory_rows, memory_flat = memory_table(sampler.samples)
    latency_rows = "\n".join(
        f"| {kind} | {len(values):,} | {statistics.median(values):.1f} | "
        f"{percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} | {max(values):.1f} |"
        for kind, values in sorted(by_kind.items())
    )
    # Held: the rate achieved is within 5% of the schedule and requests leave on time.
    rate_held = sustained >= 0.95 * RATE and percentile(lateness, 0.99) < 1000
    verdict = (
        rate_held
        and server_errors == 0
        and counter_exact
        and memory_flat
        and emails == load.accepted * targets
    )
    write_section(
        "load",
        f"""
## Load and soak (`bench/bench_load.py`, `make soak`)

{len(load.results):,} requests in {load.elapsed:.0f} s, open-loop at {RATE:.0f}/s (70% campaign
page views, 20% counter reads from the API, 10% actions through the HTML form), against
gunicorn (4 sync workers) with PostgreSQL, Redis (broker and cache), one Celery worker
and a local SMTP server, all on this machine. The load generator shares its cores.

- Sustained rate: **{sustained:.1f} requests/s** (scheduled {RATE:.0f}/s): the steady rate was
  **{"held" if rate_held else "NOT held"}**; a request was sent at most {max(lateness):.0f} ms
  after its scheduled time (p99 {percentile(lateness, 0.99):.0f} ms).
- Answers: {", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items()))}.
  **5xx or no answer: {server_errors}.**
- Counter: {before:,} before, {load.accepted:,} actions accepted, {after:,} after (API), {shown:,}
  on the page, {stored:,} counted rows: **{"exact" if counter_exact else "NOT exact"}**.
- Emails delivered to the targets: {emails:,} of {load.accepted * targets:,}.
- Letter promptness, from an action's accepted answer to its letter accepted by the mail
  server ({len(delays):,} letters): p50 **{percentile(delays, 0.5) * 1000:.0f} ms**, p99
  **{percentile(delays, 0.99) * 1000:.0f} ms**, max {max(delays, default=0) * 1000:.0f} ms.

Latency (ms, from sending the request to the end of the answer):

| kind | requests | median | p95 | p99 | max |
| --- | --- | --- | --- | --- | --- |
{latency_rows}

Resident memory, sampled every 10 s (settled: the minute after {WARM_UP} s of warm-up; end:
the last minute):

| process | settled | end | peak | growth | |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(memory_rows)}

Verdict: {"all targets met" if verdict else "NOT all targets met (see above)"}.
""",
    )
    print(
        f"sustained {sustained:.1f}/s, 5xx {server_errors}, counter exact {counter_exact}, "
        f"memory flat {memory_flat}, emails {emails}/{load.accepted * targets}, "
        f"letters p50 {percentile(delays, 0.5) * 1000:.0f} ms p99 {percentile(delays, 0.99) * 1000:.0f} ms"
    )
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
