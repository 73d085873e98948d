"""Open North's Represent API (represent.opennorth.ca): Canadian postal code → elected officials.

`GET {CLARION_REPRESENT_URL}/postcodes/{CODE}/` answers the representatives of the code's
districts; those whose `representative_set_name` is the directory's name (e.g. "House of
Commons") are the ones found. Represent answers them twice: `representatives_concordance`,
from the official concordance of postal codes and districts (a code straddling districts
lists each), and `representatives_centroid`, whichever district holds the code's centre (a
guess). The concordance is used when it names any of the directory's; else the centroid.
What is found is then read against the directory's own table (`published`): an address
approved there wins, and a representative unpublished there is not found. The base URL is the deployer's setting, never typed by an
editor, and the path carries only the normalised code (letters and digits), so no request
can be steered elsewhere; redirects are not followed.

An answer naming someone is kept in the cache for CLARION_REPRESENT_CACHE_SECONDS; "nobody"
is not kept (made-up codes would fill the cache). When the API is down, slow (more than
CLARION_REPRESENT_TIMEOUT for the whole exchange), answers nonsense, or failed so often lately
that it is left alone (lookup_guard's breaker), or when the calls all processes may make
to it are spent for now (lookup_guard's budget, CLARION_REPRESENT_BUDGET: Represent's free
plan answers 60 a minute), the directory's own table answers if it knows the code;
otherwise the lookup is unavailable, and the caller takes the action and lets its letter
wait for a later try.
"""

import concurrent.futures
import http.client
import json
import logging
import os
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from . import lookup_guard
from .models import Directory, normalise_postal_code
from .representatives import Found, LookupUnavailable, TableLookup, published

logger = logging.getLogger(__name__)

#: The most of an answer read: a postcode's answer is a few kilobytes.
MAX_ANSWER = 1_000_000


class RepresentLookup:
    def __init__(self):
        self.table = TableLookup()

    def find(self, directory: Directory, postal_code: str) -> list[Found]:
        code = normalise_postal_code(postal_code)
        if not code.isascii():  # kept before codes were checked (lookup_guard): no URL for it
            return self.table.find(directory, code)
        key = f"clarion:represent:{directory.pk}:{code}"
        found = cache.get(key)
        if found is None:
            try:
                found = lookup_guard.guarded(lambda: self.officials(directory, code))
            except LookupUnavailable as error:
                # A budget spent is no fault (a surge spends it every minute): not a warning.
                spent = isinstance(error, lookup_guard.OverBudget)
                logger.log(
                    logging.INFO if spent else logging.WARNING, "Represent lookup: %s", error
                )
                if kept := self.table.find(directory, code):
                    return kept
                raise
            if found:  # "nobody" is not kept: a code's answer may come, and costs a key
                cache.set(key, found, settings.CLARION_REPRESENT_CACHE_SECONDS)
        # Read against the table every time: a publication or an import counts at once.
        return published(directory, found)

    def officials(self, directory: Directory, code: str) -> list[Found]:
        status, body = get(f"/postcodes/{code}/")
        if status == 404:
            return []  # no such postal code: nobody
        if status != 200:
            raise LookupUnavailable(f"HTTP {status}")
        try:
            answer = json.loads(body)
            members = [
                [person for person in answer.get(name) or [] if _member(person, directory)]
                for name in ("representatives_concordance", "representatives_centroid")
            ]
            people = members[0] or members[1]
            found = [
                Found(
                    name=str(person["name"])[:200],
                    salutation=str(person.get("honorific_prefix") or "")[:80],
                    email=str(person.get("email") or "")[:254],
                    district=str(person.get("district_name") or "")[:200],
                    party=str(person.get("party_name") or "")[:200],
                )
                for person in people
            ]
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise LookupUnavailable(f"unreadable answer: {type(error).__name__}") from None
        # The same person may be listed twice.
        return [person for person in dict.fromkeys(found) if person.email]


def _member(person, directory: Directory) -> bool:
    return person.get("representative_set_name") == directory.name


def get(path: str) -> tuple[int, bytes]:
    """GET `path` under the configured base URL: (status, body), or LookupUnavailable."""
    base = urlsplit(settings.CLARION_REPRESENT_URL)
    timeout = settings.CLARION_REPRESENT_TIMEOUT
    if base.scheme == "https":
        connection = _TLSConnection(
            base.hostname, base.port, timeout=timeout, context=ssl.create_default_context()
        )
    elif base.scheme == "http":
        connection = _Connection(base.hostname, base.port, timeout=timeout)
    else:
        raise LookupUnavailable("CLARION_REPRESENT_URL is not an http(s) address")
    # The timeout bounds each wait on the socket; a server dripping its answer byte by byte
    # would hold the worker for ever, so the whole exchange is cut at the same budget: the
    # connection is made within it (`_connect`) and the cut shuts its socket, whenever it
    # comes. `budget.spent` is set before the socket is shut, so a wait it ends is always
    # seen as a timeout (the timer's thread may still be alive when the wait returns).
    connection.budget = budget = _Budget(time.monotonic() + timeout)
    timer = threading.Timer(timeout, _cut, args=(budget,))
    timer.start()
    try:
        connection.request(
            "GET",
            base.path.rstrip("/") + path,
            headers={"Accept": "application/json", "User-Agent": "Clarion"},
        )
        response = connection.getresponse()
        status, body = response.status, response.read(MAX_ANSWER)
        if budget.spent.is_set():
            raise LookupUnavailable("timed out")
        return status, body
    except TimeoutError:
        raise LookupUnavailable("timed out") from None
    except (OSError, http.client.HTTPException) as error:
        if budget.spent.is_set():
            raise LookupUnavailable("timed out") from None
        raise LookupUnavailable(type(error).__name__) from None
    finally:
        timer.cancel()
        budget.release()
        connection.close()


class _Budget:
    """The time one exchange may take, and the socket the cut shuts when it is spent."""

    def __init__(self, ends: float):
        self.ends = ends  # on time.monotonic()
        self.spent = threading.Event()
        self.lock = threading.Lock()
        # A duplicate of the connection's socket: shutting it ends any wait on the socket,
        # however it is wrapped (TLS takes the original's descriptor over), and it stays
        # valid until `release`, whatever http.client closes meanwhile.
        self.sock = None

    def hold(self, sock: socket.socket) -> bool:
        """Keep `sock` for the cut; False if the budget is spent already (never use it)."""
        with self.lock:
            if self.spent.is_set():
                return False
            self.sock = sock.dup()
            return True

    def release(self) -> None:
        with self.lock:
            if self.sock is not None:
                self.sock.close()
                self.sock = None


class _Connection(http.client.HTTPConnection):
    """An HTTP connection made within its lookup's budget (`_connect`); no proxy tunnel."""

    budget: "_Budget"

    def connect(self):
        self.sock = _connect(
            (self.host, self.port), self.timeout, self.source_address, budget=self.budget
        )


class _TLSConnection(http.client.HTTPSConnection, _Connection):
    """The same over TLS: HTTPSConnection wraps the socket `_Connection.connect` made."""


def _connect(address, timeout, source_address=None, *, budget: _Budget) -> socket.socket:
    """socket.create_connection within the budget: each of the name's addresses is tried with
    the time left, none once it is spent (a dead first address would otherwise take the whole
    budget, and the answer on the next one would be waited for without a cut); the name is
    resolved within it too (`_resolve`)."""
    host, port = address
    failure = None
    for family, kind, proto, _name, where in _resolve(host, port, budget):
        left = budget.ends - time.monotonic()
        if left <= 0 or budget.spent.is_set():
            break
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(min(timeout, left))
            if source_address:
                sock.bind(source_address)
            sock.connect(where)
        except OSError as error:
            sock.close()
            failure = error
            continue
        sock.settimeout(timeout)
        if budget.hold(sock):
            return sock
        sock.close()
        break
    if budget.spent.is_set() or budget.ends <= time.monotonic():
        raise TimeoutError("the lookup's budget is spent")
    raise failure or OSError("the name has no address")


#: The threads that resolve the provider's name, in this process (made at its first lookup:
#: never inherited by a forked worker).
_resolvers: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None
_resolvers_lock = threading.Lock()


def _resolve(host: str, port: int, budget: _Budget) -> list:
    """socket.getaddrinfo, waited for only while the budget lasts: the system's resolver
    cannot be interrupted, so it runs on a thread of its own, which a slow resolver keeps
    (up to the resolver's own timeout) instead of the web worker. A few such threads per
    process: lookups beyond them wait in line, each for its own budget at most."""
    global _resolvers
    with _resolvers_lock:
        if _resolvers is None or _resolvers[0] != os.getpid():
            pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="clarion-resolve")
            _resolvers = (os.getpid(), pool)
        pool = _resolvers[1]
    answer = pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        return answer.result(timeout=max(0.0, budget.ends - time.monotonic()))
    except concurrent.futures.TimeoutError:
        answer.cancel()  # if still waiting in line
        raise TimeoutError("the lookup's budget is spent") from None


def _cut(budget: _Budget) -> None:
    """Shut the exchange's socket: any wait on it ends at once; one made later is never used."""
    with budget.lock:
        budget.spent.set()
        if budget.sock is not None:
            try:
                budget.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
