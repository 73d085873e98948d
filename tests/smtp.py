import asyncio
import email
import email.policy
import logging
import socket
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller

# aiosmtpd logs each SMTP command at INFO, about six lines a message: the fault tests' tens
# of thousands of messages made the test process spend its CPU (shared with the workers
# under test) on logging, and pytest keep every line.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class _Recorder:
    def __init__(self, keep=True):
        self.keep = keep  # False: count the messages only (a sink for a million of them)
        self.received = 0
        self.messages = []
        self.lock = threading.Lock()
        self.answer_after = 0.0  # seconds between taking a message in and answering 250
        self.greetings = []  # time.monotonic() of each client's EHLO
        self.open = threading.Event()  # cleared: every session waits at its EHLO
        self.open.set()
        self.refused = {}  # recipient address -> the SMTP code it is refused with
        self.deferred = {}  # recipient address -> the 4xx its messages are answered with

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if code := self.refused.get(address):
            return f"{code} Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.greetings.append(time.monotonic())
        await asyncio.get_running_loop().run_in_executor(None, self.open.wait)
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if deferred := [self.deferred[to] for to in envelope.rcpt_tos if to in self.deferred]:
            return f"{deferred[0]} Try again later"
        with self.lock:
            self.received += 1
        if self.keep:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            with self.lock:
                self.messages.append((time.monotonic(), message))
        await asyncio.sleep(self.answer_after)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingSMTPServer:
    """aiosmtpd on 127.0.0.1 with a free port, keeping every message it receives."""

    def __init__(self, port=None, keep=True):
        self._recorder = _Recorder(keep)
        self.host = "127.0.0.1"
        self.port = port or _free_port()
        self._controller = Controller(self._recorder, hostname=self.host, port=self.port)

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()

    def answer_after(self, seconds: float) -> None:
        """Hold each 250 back for `seconds` after the message's last byte has arrived."""
        self._recorder.answer_after = seconds

    def refuse(self, address: str, code: int = 550) -> None:
        """Answer `code` to RCPT TO for `address` (a 5xx: that mailbox is refused for good)."""
        self._recorder.refused[address] = code

    def defer(self, address: str, code: int = 451) -> None:
        """Answer `code` (a 4xx: try again later) to every message for `address`, after its
        data: the server is up, it takes everyone else's."""
        self._recorder.deferred[address] = code

    @contextmanager
    def held(self):
        """Keep every client waiting at its first command (EHLO) until the block ends."""
        self._recorder.open.clear()
        try:
            yield
        finally:
            self._recorder.open.set()

    @property
    def greetings(self):
        """time.monotonic() of every client's EHLO: when it began talking to the server."""
        with self._recorder.lock:
            return list(self._recorder.greetings)

    @property
    def received(self) -> int:
        """How many messages were accepted (kept or not)."""
        with self._recorder.lock:
            return self._recorder.received

    @property
    def messages(self):
        with self._recorder.lock:
            return [message for _, message in self._recorder.messages]

    @property
    def arrivals(self):
        """(time.monotonic() when accepted, message) for every message, oldest first."""
        with self._recorder.lock:
            return list(self._recorder.messages)

    def wait_for(self, count, timeout=30.0):
        """Wait until `count` messages have arrived (or the timeout passes); return them."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages
