"""A real HTTP receiver on loopback, standing in for the organisation's CRM."""

import threading
import time
from contextlib import contextmanager

from .loopback import LoopbackServer, QuietHandler

#: What lets a webhook reach the receiver (plain http, on 127.0.0.1): settings for local
#: testing only, off in every settings module. As settings, and as a worker's environment.
LOCAL_RECEIVER_SETTINGS = {
    "CLARION_WEBHOOK_ALLOW_HTTP": True,
    "CLARION_WEBHOOK_ALLOWED_NETWORKS": ["127.0.0.1/32"],
}
LOCAL_RECEIVER_ENV = {"WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32"}


def allow_local_receiver(settings) -> None:
    """Let webhooks reach a Receiver, with pytest-django's `settings` fixture."""
    for name, value in LOCAL_RECEIVER_SETTINGS.items():
        setattr(settings, name, value)


class Receiver(LoopbackServer):
    """Records every POST; answers with the next status of `statuses` (then 200)."""

    def __init__(self, statuses=()):
        self.requests = []
        self.arrivals = []  # time.monotonic() when each POST's headers arrived
        self.statuses = list(statuses)
        self.open = threading.Event()  # cleared: every POST waits before it is read
        self.open.set()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                receiver.arrivals.append(time.monotonic())
                receiver.open.wait()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(Handler)
        self.url = f"{self.origin}/crm/hook"

    def wait_for(self, count, timeout=30.0):
        """Wait until `count` POSTs have been answered (or the timeout passes); return them."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.requests

    @contextmanager
    def held(self):
        """Keep every POST waiting, unanswered, until the block ends."""
        self.open.clear()
        try:
            yield
        finally:
            self.open.set()
