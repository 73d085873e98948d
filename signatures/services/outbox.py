"""The outbox: nothing accepted is lost, even when the broker is down.

A new signature row is its own outbox entry (`dispatched_at` empty), each delivery row is
one too (`state` pending), and so is the supporter's own email (`email_due_at` set). Tasks
are enqueued after commit, by name (`enqueue_on_commit`: services never import the tasks),
and only once the response is complete (after_response.py); if that fails, the request
still succeeds and the periodic sweeps (`dispatch.sweep_outbox`, `webhooks.sweep_webhooks`)
re-enqueue whatever was left behind (`resend`), less and less often while it stays behind
(`next_look`). Every task is idempotent (row lock + state check), so enqueueing twice is
harmless.

With a broker, a request publishes nothing: each Celery worker runs a dispatcher
(signatures/dispatcher.py) that takes the new rows in batches (`dispatch.dispatch_waiting`). The
request wakes it without a round trip of its own: the wake-up rides in the rate limit's
Redis round trip (`wake_up`), at most every WAKE_EVERY seconds per process, and the
dispatcher keeps looking for LINGER seconds after each, so the rows of every request in
between are found too (the wake-up may even arrive before its row commits). Without a
wake-up it still looks every POLL seconds, and the sweeper stays the last resort.
"""

import logging
import time
from datetime import timedelta
from functools import partial

from celery import current_app
from django.core.cache import caches
from django.db import transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value
from django.db.models.functions import Greatest, Least

from cms.base.redis_clients import RedisCache

from .. import task_names
from . import after_response

logger = logging.getLogger(__name__)

#: Rows older than this and still not handed over are considered lost in transit.
GRACE = timedelta(minutes=2)
#: At most this many rows of each kind per sweep (it runs every minute).
SWEEP_BATCH = 2000
#: The longest a row re-enqueued by the sweeper waits before the next copy (`next_look`).
MAX_WAIT = timedelta(hours=1)
#: Dispatching a new action waits while letters are owed (Redis serves priority 0 first): a
#: surge of actions, or the sweeper's catch-up after an outage, must not hold up the emails
#: already promised, and a restarted worker goes back to sending at once. (Set here, per
#: message: Celery deprecates a priority on the task itself.) On Redis only: RabbitMQ, on a
#: queue declared with x-max-priority, serves higher numbers first, which would put this
#: task before the letters instead of after them.
PRIORITIES = {task_names.DISPATCH_SIGNATURE: 6}


#: The Redis list (in the cache's Redis) the dispatcher waits on; it holds one entry at most.
WAKE_KEY = "clarion:outbox:wake"
#: A process pushes a wake-up at most this often...
WAKE_EVERY = 0.2
#: ...and the dispatcher looks this long after each (every LOOK_EVERY), so no row waits.
LINGER = 0.5
LOOK_EVERY = 0.02
#: Without wake-ups (no Redis cache, or Redis away) the dispatcher looks this often.
POLL = 1.0
#: Rows taken by the dispatcher at a time.
BATCH = 200
_next_wake = 0.0  # this process need not wake the dispatcher before then (monotonic)


def dispatcher_hands_over() -> bool:
    """Whether the workers' dispatcher hands new actions over (a broker is configured): the
    request then publishes nothing. Without a broker the work runs in-process instead."""
    return not current_app.conf.task_always_eager


def _wake_redis():
    """The cache's Redis backend, if the cache is on Redis: the wake-up goes there."""
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


def wake_up() -> tuple:
    """The dispatcher's wake-up as Redis commands, if one is due from this process, for
    the cache's Redis: (), or the commands to send in a round trip already being made."""
    global _next_wake
    now = time.monotonic()
    if now < _next_wake:
        return ()
    _next_wake = now + WAKE_EVERY
    key = caches["default"].make_and_validate_key(WAKE_KEY)
    return ("LPUSH", key, 1), ("LTRIM", key, 0, 0)


def wake() -> None:
    """Wake the dispatcher by itself (when no rate-limit round trip could carry it)."""
    if (backend := _wake_redis()) is None or time.monotonic() < _next_wake:
        return
    try:
        if commands := wake_up():
            backend.pipelined(*commands)
    except Exception as error:  # Redis away: the dispatcher looks every POLL seconds anyway
        logger.warning("could not wake the outbox dispatcher: %s", type(error).__name__)


def wait_for_wake_up(timeout: float) -> bool:
    """Block until a wake-up arrives or `timeout` passes; whether one arrived."""
    if (backend := _wake_redis()) is None:
        time.sleep(timeout)
        return False
    key = backend.make_and_validate_key(WAKE_KEY)
    client = backend.client(key)
    return client.blpop([key], timeout=max(1, round(timeout))) is not None


def enqueue_on_commit(task_name: str, *args) -> None:
    """Send the task named `task_name` (one of `task_names`) to the broker once the current
    transaction commits and the response (if any) is complete, never failing it. Without a
    broker, the task runs in the background."""
    in_process = current_app.conf.task_always_eager
    transaction.on_commit(
        partial(after_response.call, partial(enqueue, task_name, *args), in_process=in_process)
    )


def enqueue(task_name: str, *args, **options) -> bool:
    """Send the task named `task_name` now; False if the broker is unreachable."""
    # The task object, not send_task(): in-process (no broker) only the object runs eagerly.
    task = current_app.tasks[task_name]
    on_redis = (current_app.conf.broker_url or "").startswith(("redis://", "rediss://"))
    if task_name in PRIORITIES and on_redis:
        options.setdefault("priority", PRIORITIES[task_name])
    try:
        # No publish retries: a request must not hang while the broker is away.
        task.apply_async(args, retry=False, **options)
    except Exception as error:  # the broker is unreachable: the sweeper will catch up
        logger.warning("could not enqueue %s%r: %s", task_name, args, type(error).__name__)
        return False
    return True


def resend(rows, task_name: str, mark: str, now, order: str = "") -> int:
    """Enqueue the task named `task_name` again for the oldest of `rows` (by `order`, else by `mark`), while the
    broker takes them.

    Each row enqueued gets its `mark` moved to `next_look`, unless it was handled meanwhile
    (it no longer matches `rows`). What the broker refused stays overdue for the next sweep.
    """
    enqueued = []
    for pk in rows.order_by(order or mark).values_list("pk", flat=True)[:SWEEP_BATCH]:
        if not enqueue(task_name, pk):
            break
        enqueued.append(pk)
    rows.filter(pk__in=enqueued).update(**{mark: next_look(now)})
    return len(enqueued)


def next_look(now):
    """When the sweeper may enqueue a row's task again (an SQL expression over the row): after
    as long again as the row has existed, between GRACE and MAX_WAIT. While the workers are
    away its message is still queued, and each copy only lengthens the queue: this adds a
    handful per row over an outage, not one every sweep."""
    existed = ExpressionWrapper(Value(now) - F("created_at"), output_field=DurationField())
    wait = Least(Greatest(existed, Value(GRACE)), Value(MAX_WAIT))
    return ExpressionWrapper(Value(now) + wait, output_field=DateTimeField())
