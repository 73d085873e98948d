"""Counting campaign page views without a database write per view, and without a trace of
the visitor.

A view adds one to a few counters, one per breakdown (sources.DIMENSIONS), keyed by day,
campaign and value: no address, cookie, browser string or time finer than the day is kept
anywhere. A view only adds to a counter in the process's memory (a few microseconds); from
there, until `flush` adds them to the day's rows (PageViewDay):

- With the cache on Redis, a thread in each process hands its counts to one Redis hash
  every second (a pipelined round trip, whatever the traffic), shared by every process.
  The `flush_page_views_task` beat task flushes the hash each minute; without a broker (no
  beat), the first view after a minute does. A process that dies loses its last second.
- Otherwise (`make run`, locmem), the counts stay in the process, written out by the first
  view after a minute; a process that stops loses at most its last minute's views.

`pending` reads what is not flushed yet, so the statistics are current at once.
"""

import atexit
import logging
import os
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from .models import PageViewDay

logger = logging.getLogger(__name__)

#: How often views kept in a process, or in Redis without a beat, are written out.
FLUSH_SECONDS = 60
#: With Redis, how often each process hands its views to the shared hash.
PUSH_SECONDS = 1
#: A breakdown keeps this many values a day, those with the most views; the rest count as
#: OTHER.
MOST_VALUES = 200
OTHER = "(other)"

PENDING_KEY = "clarion:page-views"
BATCH_KEY = "clarion:page-views:flushing"
LOCK_KEY = "clarion:page-views:lock"
SEPARATOR = "\t"  # never in a cleaned value (sources cleans controls out)

_local: Counter = Counter()  # this process's views not handed on (Redis) or written yet
_local_lock = threading.Lock()
# Held while views move from _local to Redis, and by readers, so none is seen twice.
_push_lock = threading.Lock()
_next_flush = time.monotonic() + FLUSH_SECONDS
_pusher_pid = None  # the process whose pushing thread runs
_store = None  # (client, pending key, batch key) on Redis, False otherwise; None: not known
_today = ("", 0.0)  # (the day, ISO, when it ends as a timestamp)


def _redis():
    """(client, pending key, batch key) when the cache is on Redis, else None; worked out
    once, not per view (reaching the cache handler costs more than counting)."""
    global _store
    if _store is None:
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            pending = backend.make_and_validate_key(PENDING_KEY)
            client = backend.client(pending)
            _store = (client, pending, backend.make_key(BATCH_KEY))
        else:
            _store = False
    return _store or None


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    global _store, _today
    if setting == "CACHES":
        _store = None
    elif setting in ("TIME_ZONE", "USE_TZ"):
        _today = ("", 0.0)


def _day() -> str:
    """Today in the site's time zone, worked out again only when the day ends."""
    global _today
    if time.time() >= _today[1]:
        day = timezone.localdate()
        ends = datetime.combine(day + timedelta(days=1), clock.min)
        _today = (day.isoformat(), timezone.make_aware(ends).timestamp())
    return _today[0]


def count(campaign_id: int, dimensions: dict) -> None:
    """One view of a campaign's page, broken down by `dimensions` (name -> value)."""
    prefix = f"{_day()}{SEPARATOR}{campaign_id}{SEPARATOR}"
    with _local_lock:
        for name, value in dimensions.items():
            _local[f"{prefix}{name}{SEPARATOR}{value}"] += 1
    redis = _redis()
    if redis and _pusher_pid != os.getpid():
        _start_pushing()
    if time.monotonic() >= _next_flush and (redis is None or settings.CELERY_TASK_ALWAYS_EAGER):
        flush()


def _start_pushing() -> None:
    global _pusher_pid
    with _push_lock:
        if _pusher_pid == os.getpid():
            return
        _pusher_pid = os.getpid()  # a forked child starts its own
    threading.Thread(target=_push_every_second, name="clarion-page-views", daemon=True).start()
    atexit.register(push)


def _push_every_second() -> None:
    while True:
        time.sleep(PUSH_SECONDS)
        try:
            push()
        except Exception:  # Redis away: the counts wait in the process for the next try
            logger.warning("Page views could not be handed to Redis", exc_info=True)


def push() -> None:
    """Hand this process's views to the shared Redis hash (with the cache on Redis)."""
    if (redis := _redis()) is None:
        return
    client, pending_key, _batch = redis
    with _push_lock:
        with _local_lock:
            taken = Counter(_local)
            _local.clear()
        if not taken:
            return
        try:
            pipeline = client.pipeline(transaction=False)
            for field, views in taken.items():
                pipeline.hincrby(pending_key, field, views)
            pipeline.execute()
        except Exception:
            with _local_lock:
                _local.update(taken)
            raise


def pending(campaign_id: int | None = None) -> Counter:
    """Views counted but not written to the database yet: (campaign, day, dimension, value)
    -> views; for one campaign if given."""
    with _push_lock:
        with _local_lock:
            raw = Counter(_local)
        if redis := _redis():
            client, pending_key, batch_key = redis
            # A batch being flushed is not in the database yet either.
            for key in (batch_key, pending_key):
                for field, views in client.hgetall(key).items():
                    raw[field.decode()] += int(views)
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
    push()
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
        rows, pushed_out = _bounded(counts)
        _fold(pushed_out)
        _add(rows)
    return sum(counts.values())


def _bounded(counts: Counter) -> tuple[Counter, list]:
    """The counts to add, with each breakdown kept to its MOST_VALUES values a day with the
    most views (a value already kept wins a tie) and the rest folded into OTHER; and the
    values kept so far that are pushed out by busier ones (their rows to fold into OTHER).

    Made-up utm tags can neither grow the table without end nor, sent early in the day,
    keep a real newsletter or partner out of the breakdown.
    """
    incoming: dict[tuple, dict] = {}
    for (campaign_id, day, dimension, value), views in counts.items():
        incoming.setdefault((campaign_id, day, dimension), {})[value] = views
    kept = {group: {} for group in incoming}
    for *group, value, views in PageViewDay.objects.filter(
        campaign__in={group[0] for group in incoming}, day__in={group[1] for group in incoming}
    ).values_list("campaign_id", "day", "dimension", "value", "views"):
        if tuple(group) in kept:
            kept[tuple(group)][value] = views
    rows, pushed_out = Counter(), []
    for group, new in incoming.items():
        before = kept[group]
        totals = Counter(before) + Counter(new)
        totals.pop(OTHER, None)
        ranked = sorted(totals, key=lambda value: (-totals[value], value not in before))
        top = set(ranked[:MOST_VALUES])
        for value, views in new.items():
            rows[(*group, value if value in top else OTHER)] += views
        for value, views in before.items():
            if value != OTHER and value not in top:
                pushed_out.append((*group, value))
                rows[(*group, OTHER)] += views
    return rows, pushed_out


def _fold(pushed_out: list) -> None:
    """Delete the rows of values pushed out (their views are added to OTHER's row)."""
    if not pushed_out:
        return
    rows = Q()
    for campaign_id, day, dimension, value in pushed_out:
        rows |= Q(campaign_id=campaign_id, day=day, dimension=dimension, value=value)
    PageViewDay.objects.filter(rows).delete()


#: The breakdowns whose values come from the visitor's address (utm tags, referrer).
TAGGED = ("source", "utm_campaign")


def forget_tags(before: date) -> int:
    """Fold the tag breakdowns of the days before `before` into OTHER: the day's views stay,
    which tag brought them does not (retention, like an action's own source fields).
    Returns how many rows were folded."""
    old = PageViewDay.objects.filter(day__lt=before, dimension__in=TAGGED).exclude(value=OTHER)
    with transaction.atomic():
        totals = Counter()
        for campaign_id, day, dimension, views in old.values_list(
            "campaign_id", "day", "dimension", "views"
        ):
            totals[(campaign_id, day, dimension, OTHER)] += views
        folded, _by_model = old.delete()
        _add(totals)
    return folded


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
