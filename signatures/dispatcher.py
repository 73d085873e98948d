"""The outbox dispatcher: a thread in every Celery worker that hands new actions over.

Requests publish nothing to the broker: each signature row is its own outbox entry, and
this thread dispatches the new ones in batches (`services.dispatch.dispatch_waiting`), woken
through Redis by the requests (see `services.outbox`) or, failing that, every POLL seconds.
Several workers may run it at once: dispatching locks the row and checks its mark, so a
row is dispatched once. A worker killed mid-batch leaves its rows undispatched (the
transaction dies with the connection) for the next look.

Registered as a worker bootstep in cms/celery.py; Django is imported only once it runs.
"""

import logging
import threading
import time

from celery import bootsteps

logger = logging.getLogger(__name__)


class OutboxDispatcher(bootsteps.StartStopStep):
    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.stopping = threading.Event()
        self.thread = None

    def start(self, worker):
        if worker.app.conf.task_always_eager:
            return  # no broker: requests run their follow-up work themselves
        self.thread = threading.Thread(
            target=run, args=(self.stopping,), name="clarion-outbox-dispatcher", daemon=True
        )
        self.thread.start()
        logger.info("outbox dispatcher started")

    def stop(self, worker):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(10)


def run(stopping: threading.Event) -> None:
    """Dispatch what waits; then look again while requests are waking it, else wait."""
    from django.db import close_old_connections, connection

    from signatures.services import dispatch, outbox

    woken_at = 0.0
    while not stopping.is_set():
        try:
            if dispatch.dispatch_waiting():
                continue  # a full batch may mean more: look again at once
            if time.monotonic() - woken_at < outbox.LINGER:
                stopping.wait(outbox.LOOK_EVERY)
            elif outbox.wait_for_wake_up(outbox.POLL):
                woken_at = time.monotonic()
        except Exception as error:  # the database or Redis away: try again shortly
            logger.warning("outbox dispatcher: %s; trying again", type(error).__name__)
            close_old_connections()
            connection.close()
            stopping.wait(outbox.POLL)
    connection.close()
