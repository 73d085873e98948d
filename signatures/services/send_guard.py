"""A pool process whose worker dies finishes the send in hand before it follows.

Celery's prefork children are killed by the kernel (PR_SET_PDEATHSIG, SIGKILL) the
moment their worker's main process dies, as it does when the worker is killed with
SIGKILL. A child caught between the mail server's 250 and our COMMIT of 'sent' left the
letter looking unsent, and it went twice: the main process had been killed milliseconds
before the 250, and the child a few after.

So a child asks for a signal it can catch instead. Outside a send it exits at once, as
before. Inside one (`with sending():`), it exits as soon as the send has been committed or
rolled back; a send is bounded by the mail server's and the database's timeouts. What the
dead worker had queued is recovered as before (the broker redelivers, the sweeper resends),
and the row lock held by the send makes a second attempt wait for its outcome.
"""

import os
import signal
from contextlib import contextmanager

from billiard.util import set_pdeathsig

#: Sent by the kernel to a pool process when its worker's main process dies.
PARENT_DIED = signal.SIGUSR2

_sends_in_hand = 0
_parent_died = False


@contextmanager
def sending():
    """Let a send that has begun reach its commit or rollback even if the worker dies."""
    global _sends_in_hand
    _sends_in_hand += 1
    try:
        yield
    finally:
        _sends_in_hand -= 1
        if _parent_died and not _sends_in_hand:
            os._exit(1)


def exit_with_parent_after_sending() -> None:
    """Install in each pool process (Celery's worker_process_init)."""
    signal.signal(PARENT_DIED, _on_parent_death)
    set_pdeathsig(PARENT_DIED)


def _on_parent_death(signum, frame) -> None:
    global _parent_died
    if not _sends_in_hand:
        os._exit(1)
    _parent_died = True
