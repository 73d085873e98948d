"""Directories of representatives: importing a national one, looking a code up, signing.

One run on a fresh PostgreSQL database with the demo (whose second campaign writes to the
supporter's representative), in one process:
- importing a 50,000-row CSV (338 representatives, one row per postal code) with
  `import_directory` (read and check every row, then write), then replacing it;
- the table lookup (`campaigns.representatives.find`, one indexed query) for codes that
  match at the full code, at a prefix, and not at all;
- `signing.record_signature` on the demo's fixed-target campaign and on its representative
  campaign (the lookup is the difference), each action a new supporter.

Targets (issue 19): a lookup under 2 ms, a 50,000-row import under 30 s.

    flock /tmp/clarion-heavy.lock .venv/bin/python bench/bench_directories.py
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.servers import percentile  # noqa: E402
from bench.setup_db import drop_database, fresh_database  # noqa: E402

DATABASE = "clarion_bench_directories"
ROWS = int(os.environ.get("BENCH_DIRECTORY_ROWS", "50000"))
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "3000"))
ACTIONS = int(os.environ.get("BENCH_DIRECTORY_ACTIONS", "500"))
LETTERS = "ABCEGHJKLMNPRSTVXY"


def postal_codes(n: int) -> list[str]:
    """n distinct Canadian-looking codes (A1A 1A1)."""
    rng = random.Random(19)
    codes = set()
    while len(codes) < n:
        codes.add(
            f"{rng.choice(LETTERS)}{rng.randint(0, 9)}{rng.choice(LETTERS)} "
            f"{rng.randint(0, 9)}{rng.choice(LETTERS)}{rng.randint(0, 9)}"
        )
    return sorted(codes)


def directory_csv(codes) -> str:
    lines = ["postal_code,name,salutation,email,district,party,language"]
    for n, code in enumerate(codes):
        person = n % 338
        lines.append(
            f"{code},Member {person},Hon.,member{person}@parl.example.org,"
            f"District {person},Party {person % 5},en"
        )
    return "\n".join(lines) + "\n"


def ms(times) -> str:
    return (
        f"{statistics.mean(times):.2f} mean, {statistics.median(times):.2f} median, "
        f"{percentile(times, 0.99):.2f} p99"
    )


def main():
    url = fresh_database(DATABASE)
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="cms.settings.dev",
            DATABASE_URL=url,
            CELERY_BROKER_URL="",
            LOG_LEVEL="WARNING",
            CLARION_RATE_LIMIT="0/300",
            EMAIL_URL="dummymail://",
        )
        rows = measure()
    finally:
        drop_database(DATABASE)
    write_section("directories", rows)
    print(rows)


def measure() -> str:
    import django

    django.setup()
    from campaigns.directory_import import import_directory, read_csv
    from campaigns.models import CampaignPage, Directory
    from campaigns.representatives import find
    from signatures.services import signing

    codes = postal_codes(ROWS)
    text = directory_csv(codes)
    imports = []
    for replace in (False, True):
        started = time.perf_counter()
        report = import_directory("Bench", read_csv(text), replace=replace)
        imports.append(time.perf_counter() - started)
        assert report.written and report.prefixes == ROWS, report.errors[:3]
    directory = Directory.objects.get(name="Bench")

    rng = random.Random(7)
    full_codes = [rng.choice(codes) for _ in range(LOOKUPS)]
    unknown = [f"Z{n % 10}Z {n % 10}Z{n % 10}" for n in range(LOOKUPS)]
    # The demo directory maps prefixes (K1A, M5V …): codes below them.
    demo = Directory.objects.get(name="Demo representatives")
    prefixed = [f"K1A {n % 10}B{n % 10}" for n in range(LOOKUPS)]

    def timed(calls):
        times = []
        for directory_, code in calls:
            started = time.perf_counter_ns()
            found = find(directory_, code)
            times.append((time.perf_counter_ns() - started) / 1e6)
            assert isinstance(found, list)
        return times

    timed([(directory, code) for code in codes[:200]])  # warm up
    results = {
        "a full code": timed([(directory, code) for code in full_codes]),
        "a prefix (K1A in the demo directory)": timed([(demo, code) for code in prefixed]),
        "no match": timed([(directory, code) for code in unknown]),
    }

    # The database's own time for one lookup (EXPLAIN ANALYZE), apart from this process's
    # and the machine's load.

    from campaigns.models import PostalPrefix

    code = full_codes[0].replace(" ", "")
    query = PostalPrefix.objects.filter(
        directory=directory, prefix__in=[code[:n] for n in range(1, len(code) + 1)]
    ).select_related("representative")
    plan = query.explain(analyze=True)
    executed = [line for line in plan.splitlines() if "Execution Time" in line][0].strip()
    scan = plan.splitlines()[0].strip()
    load_before = os.getloadavg()

    # The action path only: the dispatch that follows it (emails) is the workers' work.
    signing.enqueue_on_commit = lambda *args: None
    fixed = CampaignPage.objects.get(slug="free-the-lakeside-four")
    to_representative = CampaignPage.objects.get(slug="write-to-your-representative")
    signing_times = {}
    for label, campaign in (("fixed targets", fixed), ("representative", to_representative)):
        times = []
        for n in range(ACTIONS):
            details = {
                "first_name": "Ana",
                "last_name": "Okonjo",
                "email": f"bench{n}.{campaign.pk}@example.org",
                "postal_code": "K1A 0A6",
            }
            started = time.perf_counter_ns()
            signing.record_signature(campaign, details)
            times.append((time.perf_counter_ns() - started) / 1e6)
        signing_times[label] = times

    lines = [
        "## Directories of representatives (`bench/bench_directories.py`)",
        "",
        f"Importing {ROWS:,} rows (338 representatives, one row per postal code), in one "
        "process on the PostgreSQL of this machine, `import_directory` reading, checking and "
        "writing every row (target: under 30 s):",
        "",
        "| import | seconds |",
        "| --- | ---: |",
        f"| into a new directory (update) | {imports[0]:.1f} |",
        f"| the same file again, `--replace` | {imports[1]:.1f} |",
        "",
        f"The table lookup, `campaigns.representatives.find`, one indexed query, {LOOKUPS:,} "
        f"times each, against the {ROWS:,} imported codes (target: under 2 ms):",
        "",
        "| postal code | ms per lookup |",
        "| --- | ---: |",
        *(f"| {label} | {ms(times)} |" for label, times in results.items()),
        "",
        f"PostgreSQL's own plan for a full code: `{scan}`; {executed}.",
        "",
        f"`signing.record_signature`, {ACTIONS} new supporters each, in-process (no HTTP), "
        "the lookup being the only difference:",
        "",
        "| campaign | ms per action |",
        "| --- | ---: |",
        *(f"| {label} | {ms(times)} |" for label, times in signing_times.items()),
        "",
        f"Load average (1, 5, 15 min) before the lookups {load_before[0]:.1f} / "
        f"{load_before[1]:.1f} / {load_before[2]:.1f}, after signing "
        + " / ".join(f"{n:.1f}" for n in os.getloadavg())
        + ", on a machine shared with other work: compare rows of one run, not runs.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
