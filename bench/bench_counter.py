"""The counter read: the trigger-kept count (O(1)) against a COUNT of the rows (O(n)).

    flock /tmp/clarion-heavy.lock .venv/bin/python -m bench.bench_counter

On a fresh PostgreSQL database with the demo campaign (bench/setup_db.py): the campaign's
signatures grown to each size in SIZES by one INSERT ... SELECT (the trigger counts each
row, as it would an action), then, at each size, the time of `counter.read_count` (what the
counter reads when its cached value is missing) and of the COUNT it replaced, in
interleaved rounds, medians. Both wall-clock from this process, including the round trip.
"""

import os
import statistics
import time

from bench.report import write_section
from bench.setup_db import drop_database, fresh_database

DATABASE = "clarion_counter_bench"
SIZES = [int(n) for n in os.environ.get("BENCH_COUNTER_SIZES", "1000,100000,300000").split(",")]
READS = 50


def grow_to(campaign_id: int, size: int) -> float:
    """Copies of the campaign's first signature (each its own address) up to `size` rows;
    the seconds the INSERT took, trigger included."""
    from bench.supporters import add_copies
    from signatures.models import Signature

    have = Signature.objects.filter(campaign_id=campaign_id).count()
    first = Signature.objects.filter(campaign_id=campaign_id).order_by("pk").first()
    started = time.perf_counter()
    add_copies(first.pk, have + 1, size)
    return time.perf_counter() - started


def timed(function, count) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure() -> str:
    from campaigns.models import CampaignPage
    from signatures import counter
    from signatures.models import Signature

    campaign = CampaignPage.objects.live().first()  # the demo's
    Signature.objects.create(  # the row the others copy
        campaign=campaign,
        first_name="Ana",
        last_name="Okonjo",
        email="ana@example.org",
        email_key="bench-first",
        status=Signature.Status.COUNTED,
    )
    rows = []
    load = os.getloadavg()
    for size in SIZES:
        took = grow_to(campaign.pk, size)
        counted = Signature.objects.filter(campaign=campaign).counted()
        kept, count = counter.read_count(campaign.pk), counted.count()
        assert kept == count, (kept, count)
        read_ms = timed(lambda: counter.read_count(campaign.pk), READS)
        count_ms = timed(counted.count, 5)
        rows.append(f"| {count:,} | {read_ms:.2f} ms | {count_ms:.2f} ms | equal | {took:.1f} s |")
    return f"""## The counter read (`bench/bench_counter.py`)

The demo campaign's counted signatures grown by INSERT ... SELECT (the trigger counting
each row as it would an action), then at each size the exact count read from the database:
`counter.read_count` (the sum of the trigger's few rows per campaign) against the COUNT of
the rows it replaced (on the campaign/status index). Median of {READS} reads and of 5
COUNTs, wall-clock including the round trip. Load average (1 min) {load[0]:.1f} at the
start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores. Readers see it through the
shared cache (at most ~4 s old), so this is paid a few times a second per campaign at most.

| counted signatures | `read_count` (trigger-kept) | COUNT of the rows | the two | INSERT of the rows, trigger included |
| ---: | ---: | ---: | --- | ---: |
{chr(10).join(rows)}
"""


def main():
    url = fresh_database(DATABASE)
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="cms.settings.dev",
            DEBUG="false",
            DATABASE_URL=url,
            CELERY_BROKER_URL="",
            CACHE_URL="locmemcache://counter-bench",
            LOG_LEVEL="ERROR",
        )
        import django

        django.setup()
        markdown = measure()
    finally:
        drop_database(DATABASE)
    write_section("counter", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
