"""Counting campaign page views without a database write per view, and without a trace of
the visitor.

A view adds one to a few counters, one per breakdown (sources.DIMENSIONS), keyed by day,
campaign and value: no address, cookie, browser string or time finer than the day is kept
anywhere. Where they are kept until `flush` adds them to the day's rows (PageViewDay):

- With the cache on Redis, in one Redis hash, all of a view's counters in one pipelined
  round trip, shared by every process. The `flush_page_views` beat task flushes them each
  minute; without a broker (no beat), the first view after a minute does.
- Otherwise (`make run`, locmem), in this process's memory, flushed by the first view after
  a minute; a process that stops loses at most its last minute's views.

`pending` reads what is not flushed yet, so the statistics are current at once.
"""

import threading
import time
from collections import Counter
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.utils import timezone

from .models import PageViewDay

#: How often views kept in a process, or in Redis without a beat, are written out.
FLUSH_SECONDS = 60
#: A breakdown keeps at most this many values a day; views with others count as OTHER.
MOST_VALUES = 200
OTHER = "(other)"

PENDING_KEY = "clarion:page-views"
BATCH_KEY = "clarion:page-views:flushing"
LOCK_KEY = "clarion:page-views:lock"
SEPARATOR = "\t"  # never in a cleaned value (sources cleans controls out)

_local: Counter = Counter()
_local_lock = threading.Lock()
_next_flush = time.monotonic() + FLUSH_SECONDS


def _redis():
    """(client, pending key, batch key) when the cache is on Redis, else None."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    pending = backend.make_and_validate_key(PENDING_KEY)
    return backend._cache.get_client(pending, write=True), pending, backend.make_key(BATCH_KEY)


def _field(day: date, campaign_id: int, dimension: str, value: str) -> str:
    return SEPARATOR.join((day.isoformat(), str(campaign_id), dimension, value))


def count(campaign_id: int, dimensions: dict) -> None:
    """One view of a campaign's page, broken down by `dimensions` (name -> value)."""
    day = timezone.localdate()
    fields = [_field(day, campaign_id, name, value) for name, value in dimensions.items()]
    if redis := _redis():
        client, pending, _batch = redis
        pipeline = client.pipeline(transaction=False)
        for field in fields:
            pipeline.hincrby(pending, field, 1)
        pipeline.execute()
    else:
        with _local_lock:
            _local.update(fields)
    if time.monotonic() >= _next_flush and (redis is None or settings.CELERY_TASK_ALWAYS_EAGER):
        flush()


def pending(campaign_id: int | None = None) -> Counter:
    """Views counted but not written to the database yet: (campaign, day, dimension, value)
    -> views; for one campaign if given."""
    if redis := _redis():
        client, pending_key, batch_key = redis
        # A batch being flushed is not in the database yet either.
        raw = Counter()
        for key in (batch_key, pending_key):
            for field, views in client.hgetall(key).items():
                raw[field.decode()] += int(views)
    else:
        with _local_lock:
            raw = Counter(_local)
    found = Counter()
    for field, views in raw.items():
        key = _parse(field)
        if key and (campaign_id is None or key[0] == campaign_id):
            found[key] += views
    return found


def _parse(field: str):
    parts = field.split(SEPARATOR)
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    try:
        return int(parts[1]), date.fromisoformat(parts[0]), parts[2], parts[3]
    except ValueError:
        return None


def flush() -> int:
    """Add the views counted so far to the database; returns how many were written."""
    global _next_flush
    _next_flush = time.monotonic() + FLUSH_SECONDS
    if (redis := _redis()) is None:
        with _local_lock:
            taken = Counter(_local)
            _local.clear()
        try:
            return _write(taken)
        except Exception:
            with _local_lock:
                _local.update(taken)  # written next time
            raise
    client, pending_key, batch_key = redis
    # One flusher at a time; the lock lapses if its holder dies.
    lock = caches["default"]
    if not lock.add(LOCK_KEY, 1, 300):
        return 0
    try:
        # A batch left by a flusher that died before deleting it goes first. RENAMENX moves
        # the pending views aside in one step: views counted meanwhile start a new hash.
        if not client.exists(batch_key):
            try:
                client.renamenx(pending_key, batch_key)
            except Exception as error:  # no pending views: nothing to rename
                if "no such key" not in str(error).lower():
                    raise
                return 0
        taken = Counter()
        for field, views in client.hgetall(batch_key).items():
            taken[field.decode()] += int(views)
        written = _write(taken)
        client.delete(batch_key)  # after the commit: a crash here counts this batch twice
        return written
    finally:
        lock.delete(LOCK_KEY)


def _write(fields: Counter) -> int:
    from campaigns.models import CampaignPage

    counts = Counter()
    for field, views in fields.items():
        if key := _parse(field):
            counts[key] += views
    if not counts:
        return 0
    # Views of a page deleted since are dropped with it.
    campaigns = set(
        CampaignPage.objects.filter(pk__in={key[0] for key in counts}).values_list("pk", flat=True)
    )
    counts = Counter({key: n for key, n in counts.items() if key[0] in campaigns})
    with transaction.atomic():
        rows = _bounded(counts)
        _add(rows)
    return sum(rows.values())


def _bounded(counts: Counter) -> Counter:
    """The counts with a breakdown's values past MOST_VALUES a day folded into OTHER: a
    stream of made-up utm tags cannot grow the table without end."""
    groups = {(c, d, dim) for c, d, dim, _value in counts}
    known = {group: set() for group in groups}
    for row in PageViewDay.objects.filter(
        campaign__in={c for c, _d, _dim in groups}, day__in={d for _c, d, _dim in groups}
    ).values_list("campaign_id", "day", "dimension", "value"):
        if row[:3] in known:
            known[row[:3]].add(row[3])
    bounded = Counter()
    for (campaign_id, day, dimension, value), views in sorted(
        counts.items(), key=lambda item: -item[1]
    ):
        values = known[(campaign_id, day, dimension)]
        if value not in values:
            if len(values) >= MOST_VALUES:
                value = OTHER
            values.add(value)
        bounded[(campaign_id, day, dimension, value)] += views
    return bounded


#: Rows per INSERT (SQLite takes at most 999 parameters in a statement).
ROWS_PER_STATEMENT = 150


def _add(rows: Counter) -> None:
    """INSERT … ON CONFLICT add (PostgreSQL and SQLite), many rows a statement."""
    table = connection.ops.quote_name(PageViewDay._meta.db_table)
    items = list(rows.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), ROWS_PER_STATEMENT):
            chunk = items[start : start + ROWS_PER_STATEMENT]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params = [
                part
                for (campaign_id, day, dimension, value), views in chunk
                for part in (campaign_id, day, dimension, value, views)
            ]
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, day, dimension, value, views) "  # noqa: S608
                f"VALUES {placeholders} "
                "ON CONFLICT (campaign_id, dimension, day, value) "
                f"DO UPDATE SET views = {table}.views + EXCLUDED.views",
                params,
            )
