"""Follow-up work starts only once the response is complete, and never on a request's thread.

How long an action's answer takes must not tell whether the address was new (a confirmation
email, letters, webhooks are owed) or a repeat. So whatever a request hands on after commit
is held until Django has written the whole response (`request_finished`), then released:
published to the broker, or, without one (the `make run` mode, tasks run in-process), put
on the queue of a single background thread of this process, which runs the tasks one after
another. The queue lives in memory only; the outbox rows stay owed until their task has
done the work, so the sweeper sends again whatever a stopped process lost.

Outside a request (workers, commands, the shell) work is handed on at once, as before.
"""

import logging
import queue
import threading

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_request = threading.local()  # .held: the work of the request running on this thread
_queue = queue.Queue()
_start_thread = threading.Lock()
_thread = None


def call(work, *, in_process: bool) -> None:
    """Run `work()` once the current response is complete (now, outside a request).

    `in_process`: it is a task run in this process rather than published to a broker; it
    then goes to the background thread (unless CLARION_FOLLOW_UP_THREAD is off, in tests).
    """
    held = getattr(_request, "held", None)
    if held is None:
        work()
    else:
        held.append((work, in_process))


def hold(**kwargs) -> None:
    """request_started: from now on, this thread's follow-up work waits for the response."""
    _request.held = []


def release(**kwargs) -> None:
    """request_finished (the response has been written): hand on what the request held."""
    held, _request.held = getattr(_request, "held", None), None
    for work, in_process in held or ():
        if in_process and settings.CLARION_FOLLOW_UP_THREAD:
            _queue.put(work)
            _ensure_thread()
        else:
            _run(work)


def wait_until_idle(timeout: float = 30.0) -> bool:
    """Wait for the background thread to finish everything queued so far (for tests)."""
    done = threading.Event()
    _queue.put(done.set)
    if _thread is None:
        _ensure_thread()
    return done.wait(timeout)


def _ensure_thread() -> None:
    global _thread
    with _start_thread:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_work, name="clarion-follow-up", daemon=True)
            _thread.start()


def _work() -> None:
    while True:
        _run(_queue.get())
        if _queue.empty():
            connections.close_all()  # idle: hold no database connection open


def _run(work) -> None:
    try:
        work()
    except Exception:  # the row stays owed: the sweeper tries again
        logger.exception("follow-up work failed")
