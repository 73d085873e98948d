"""Real processes on loopback for the benchmarks and the fault-injection tests.

A private redis-server, gunicorn and Celery workers, each on a port in E's range
(8500-8599), so a benchmark or a fault injected here never touches the shared services;
plus a small HTTP load generator and a memory sampler. Standard library only.
"""

import http.client
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PORTS = range(8500, 8600)
_taken = set()


def free_port() -> int:
    """A loopback port in 8500-8599 that nothing listens on and this process has not used."""
    for port in PORTS:
        if port in _taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError("no free port in 8500-8599")


def app_env(
    database_url: str, broker_url="", *, queue=None, smtp=None, cache_url=None, **extra
) -> dict:
    """Environment for a web or worker process of the app under test, on loopback.

    One client address sends every action here, faster than any person, to a local mail
    server: the abuse limits and the per-target throttle (which protects real mail
    servers) are set out of the way. So is load shedding (cms/load_shedding.py), which
    counts a worker starved of CPU by the tests beside it as a queue: the surge benchmark
    and test switch it on.
    """
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "INFO",
        "CLARION_RATE_LIMIT": "0/300",
        "CLARION_MIN_FILL_SECONDS": "0",
        "CLARION_TARGET_MAX_PER_MINUTE": "0",
        "CLARION_SHED_VIEWS_AFTER_MS": "0",
        "CLARION_SHED_ACTIONS_AFTER_MS": "0",
    }
    if queue:
        env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    if smtp:
        env["EMAIL_URL"] = f"smtp://{smtp.host}:{smtp.port}"
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env | extra


def wait_for_port(port, timeout=60, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process for port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pids) -> float:
    """CPU time (user + system) the processes have used so far, from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def reaped_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the process's children that have exited, from /proc: for
    PostgreSQL's postmaster, that of the backends that have closed (CONN_MAX_AGE renews them)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


class Process:
    """A subprocess whose output goes to a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, log: Path):
        self.log = log
        self.process = None

    @property
    def pid(self):
        return self.process.pid

    def spawn(self, command, env, cwd=BASE_DIR):
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=self.log.open("a"), stderr=subprocess.STDOUT
        )

    def kill(self):
        self.process.kill()
        self.process.wait()

    def stop(self, timeout=20):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()


class PrivateRedis(Process):
    """`redis-server` on its own port, without persistence: stopping it loses its queue."""

    def __init__(self, log: Path):
        super().__init__(log)
        self.port = free_port()

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.spawn(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
            os.environ,
        )
        wait_for_port(self.port, process=self.process)

    def stop(self, timeout=20):
        if self.process and self.process.poll() is None:
            self.kill()  # as abrupt as a crash: nothing is saved


class Gunicorn(Process):
    """A site under gunicorn with sync workers, as in production (Clarion's by default)."""

    def __init__(
        self,
        env: dict,
        log: Path,
        workers=2,
        application="cms.wsgi:application",
        cwd=BASE_DIR,
        backlog=256,
    ):
        super().__init__(log)
        self.env, self.workers, self.application, self.cwd = env, workers, application, cwd
        self.backlog = backlog
        self.port = free_port()

    def start(self):
        self.spawn(
            [sys.executable, "-m", "gunicorn", self.application, "--worker-class", "sync"]
            + ["--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}"]
            + ["--backlog", str(self.backlog), "--no-control-socket"],
            self.env,
            self.cwd,
        )
        wait_for_port(self.port, process=self.process)

    def pids(self):
        return [self.pid, *children(self.pid)]


class CeleryWorker(Process):
    """`celery worker` on one queue; start() returns once it is ready to take tasks.

    Each worker gets a node name of its own, as workers on separate machines have: Celery's
    default, celery@<host name>, is the same for every worker on one machine, and RabbitMQ
    lets only one of them hold that name's remote-control queue (the others fail with
    RESOURCE_LOCKED; Redis shares it silently)."""

    numbers = itertools.count(1)

    def __init__(self, env: dict, log: Path, queue: str, pool="solo", concurrency=1):
        super().__init__(log)
        self.env, self.queue, self.pool, self.concurrency = env, queue, pool, concurrency
        self.name = f"{queue}-{os.getpid()}-{next(self.numbers)}@%h"

    def start(self, timeout=180):
        self.log.write_text("")
        self.spawn(
            [sys.executable, "-m", "celery", "-A", "cms", "worker", "-Q", self.queue]
            + ["-n", self.name, "-P", self.pool, "-c", str(self.concurrency)]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            + ["-l", "INFO"],
            self.env,
        )
        deadline = time.monotonic() + timeout
        while "ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def pids(self):
        return [self.pid, *children(self.pid)]


class MemorySampler(threading.Thread):
    """Samples the resident memory of named processes every `interval` seconds."""

    def __init__(self, processes: dict, interval=10.0):
        super().__init__(daemon=True)
        self.processes, self.interval = processes, interval
        self.samples = {}  # name -> [(elapsed seconds, KiB)]
        self._stop_event = threading.Event()

    def run(self):
        started = time.monotonic()
        while not self._stop_event.is_set():
            for name, pids in self.processes.items():
                for pid in pids() if callable(pids) else pids:
                    try:
                        kib = rss_kib(pid)
                    except OSError:
                        continue
                    self.samples.setdefault(f"{name} {pid}", []).append(
                        (time.monotonic() - started, kib)
                    )
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()


def request(port, method, path, body=None, headers=None, connection=None):
    """One request; returns (status, body bytes, the connection to reuse)."""
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        content = response.read()
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = None
        return response.status, content, connection
    except (OSError, http.client.HTTPException):
        connection.close()
        raise


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


#: The demo's first campaign, in English (the demo has three campaign pages).
DEMO_PAGE = (
    "CampaignPage.objects.live().get(slug='free-the-lakeside-four', locale__language_code='en')"
)


class Stack:
    """The whole app on loopback, for the load benchmarks: a fresh PostgreSQL database with
    the demo, a private Redis (broker on db 0, cache on db 1), a local SMTP server, gunicorn
    (sync workers) and one Celery worker on a queue of the run's own. A context manager:
    on the way out everything stops and the database is dropped."""

    def __init__(self, database: str, name: str, workers=4, backlog=256, **env):
        self.database, self.name, self.workers, self.extra = database, name, workers, env
        self.backlog = backlog
        self.web = self.worker = self.smtp = self.redis = None

    def __enter__(self):
        from bench.setup_db import fresh_database
        from tests.smtp import RecordingSMTPServer

        self.work = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        try:
            self.redis = PrivateRedis(self.work / "redis.log")
            self.redis.start()
            self.smtp = RecordingSMTPServer(port=free_port())
            self.smtp.__enter__()
            queue = f"{self.name}-{uuid.uuid4().hex[:8]}"
            self.env = app_env(
                fresh_database(self.database),
                self.redis.url(0),
                queue=queue,
                smtp=self.smtp,
                cache_url=self.redis.url(1),
                **({"LOG_LEVEL": "WARNING"} | self.extra),
            )
            self.web = Gunicorn(
                self.env, self.work / "gunicorn.log", workers=self.workers, backlog=self.backlog
            )
            self.worker = CeleryWorker(self.env, self.work / "worker.log", queue)
            self.web.start()
            self.worker.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc):
        from bench.setup_db import drop_database

        for process in (self.worker, self.web):
            if process:
                process.stop()
        if self.smtp:
            self.smtp.__exit__()
        if self.redis:
            self.redis.stop()
        drop_database(self.database)

    def eval(self, expression: str) -> str:
        """An expression evaluated in a Django process on the stack's database."""
        from bench.setup_db import django_eval

        return django_eval(self.env, expression)


class OpenLoop:
    """Sends request i at start + i / rate from a pool of threads, whatever the answers: a
    slow server shows as latency and lateness, not as a quietly lower rate. Records (kind,
    status, latency ms, lateness ms) of every request; `send(i)` is the kind's request and
    `answered(i, status, at)` hears each answer. Bounded: rate x seconds requests."""

    def __init__(self, rate: float, seconds: float, mix, threads: int, seed: int):
        self.rate, self.threads = rate, threads
        self.total = int(rate * seconds)
        self.kinds = random.Random(seed).choices(
            [kind for kind, _ in mix], [weight for _, weight in mix], k=self.total
        )
        self.results = []
        self.lock = threading.Lock()

    def send(self, i) -> int:
        raise NotImplementedError

    def answered(self, i, status, at) -> None:
        pass

    def worker(self, offset):
        for i in range(offset, self.total, self.threads):
            due = self.start + i / self.rate
            time.sleep(max(0.0, due - time.monotonic()))
            sent = time.monotonic()
            try:
                status = self.send(i)
            except OSError:
                status = 0  # no answer at all
            done = time.monotonic()
            with self.lock:
                self.results.append(
                    (self.kinds[i], status, (done - sent) * 1000, (sent - due) * 1000)
                )
                self.answered(i, status, done)

    def run(self):
        self.start = time.monotonic()
        threads = [threading.Thread(target=self.worker, args=(k,)) for k in range(self.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - self.start
        return self
