"""Readiness (/health/) and liveness (/health/live/) for load balancers and orchestrators.

Readiness runs named checks on django-health-check and answers 200 when all pass, else
503, in JSON, whatever fails (a check that raises is reported, not turned into a 500).
The answer names each check and says why one fails, in terms of the service (never a
supporter, never a host name or a password): details go to the log, once per change of
state in each process (a load balancer probing every few seconds would otherwise write a
failure, with its traceback, at every probe, and Django an ERROR for every 503).

Besides the checks, `degraded` names what works less well without making the process
unready: the representative lookup's provider left alone after repeated failures (taking it
out of the load balancer would not bring the provider back; actions are still taken).

Liveness checks nothing but that the process answers: restarting a web process because
the database is down would not bring the database back.
"""

import asyncio
import dataclasses
import datetime
import inspect
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView

from campaigns import lookup_guard
from cms.base.vendor import django_logging
from signatures.services.backlog import backlog

from . import heartbeat

#: The longest a broker may take to accept a connection before it counts as down.
BROKER_TIMEOUT_SECONDS = 2


class Down(ServiceUnavailable):
    """A failure of one of Clarion's checks, whose message is fit to publish."""


class UsesDatabase:
    """A check that queries through the ORM: run in the request's own thread, on its
    connection (as any view's queries), not in a worker thread that would open another."""

    async def run(self):
        await sync_to_async(self.check)()


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis or RabbitMQ alike, through kombu)."""

    # Room for both of ensure_connection's attempts: a broker that refuses is then
    # reported as refusing, not as the slower "timed out", however loaded the machine.
    timeout = datetime.timedelta(seconds=3 * BROKER_TIMEOUT_SECONDS)

    def run(self):
        if not settings.CELERY_BROKER_URL:
            return  # no broker: tasks run in the web process
        from cms.celery import app

        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
                connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        except Exception as error:
            raise Down("the broker does not accept connections") from error


@dataclasses.dataclass
class OutboxBacklog(UsesDatabase, HealthCheck):
    """Nothing accepted waits for a worker longer than CLARION_OUTBOX_MAX_AGE."""

    def check(self):
        waiting = backlog()
        limit = settings.CLARION_OUTBOX_MAX_AGE
        if waiting.oldest.total_seconds() > limit:
            raise Down(
                f"{waiting.waiting} items wait for a worker, the oldest for "
                f"{waiting.oldest.total_seconds():.0f} s (limit {limit} s)"
            )


@dataclasses.dataclass
class BeatHeartbeat(UsesDatabase, HealthCheck):
    """Beat's periodic heartbeat task ran (through the broker and a worker) recently."""

    def check(self):
        if not settings.CELERY_BROKER_URL:
            return  # no broker, no beat: periodic work is run by hand or cron
        age = heartbeat.age()
        limit = settings.CLARION_HEARTBEAT_MAX_AGE
        if age is None:
            raise Down("no heartbeat from beat yet")
        if age.total_seconds() > limit:
            raise Down(
                f"beat's last heartbeat was {age.total_seconds():.0f} s ago (limit {limit} s)"
            )


#: The checks, by the name readiness reports them under.
CHECKS = {
    "database": Database,
    "cache": Cache,
    "broker": Broker,
    "outbox": OutboxBacklog,
    "beat": BeatHeartbeat,
}


logger = logging.getLogger(__name__)

#: Whether each check failed at its last run in this process, by name (not yet run:
#: passing). Only a change is logged: the failure's words may change at every probe (the
#: outbox's age), the state does not.
_failing: dict[str, bool] = {}


class ReadinessView(HealthCheckView):
    checks = list(CHECKS.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            errors = await asyncio.gather(
                *(outcome(check, executor) for check in self.get_checks())
            )
        report = {name: describe(error) for name, error in zip(CHECKS, errors, strict=True)}
        for name, error in zip(CHECKS, errors, strict=True):
            log_change(name, report[name].get("error"), error)
        healthy = all(error is None for error in errors)
        response = JsonResponse(
            {
                "status": "ok" if healthy else "unavailable",
                "checks": report,
                "degraded": await sync_to_async(degraded)(),
            },
            status=200 if healthy else 503,
        )
        # A 503 here is an answer, not a server error: Django would log it at ERROR on
        # every probe (django.request); log_change has said what changed.
        django_logging.mark_logged(response)
        return response


def degraded() -> dict:
    """What is answered less well now, by name, in terms of the service."""
    found = {}
    if lookup_guard.breaker_open():
        found["representative_lookup"] = (
            "the provider failed repeatedly and is left alone for a while: lookups answer "
            "from the directory's table, or let actions wait for their representatives"
        )
    return found


async def outcome(check: HealthCheck, executor) -> HealthCheckException | None:
    """Run one check as django-health-check's `get_result` does (its own time limit, a
    crash reported as "unknown error"), but without its log record at every failing probe;
    the original error stays attached as the failure's cause, for `log_change`."""
    loop = asyncio.get_running_loop()
    run = (
        check.run()
        if inspect.iscoroutinefunction(check.run)
        else loop.run_in_executor(executor, check.run)
    )
    limit = check.timeout.total_seconds()
    try:
        await asyncio.wait_for(run, limit + 1)  # the check's own client timeout first
    except HealthCheckException as error:
        return error
    except TimeoutError as error:
        return caused_by(error, ServiceUnavailable(f"Timed out after {limit:g} seconds"))
    except Exception as error:
        return caused_by(error, HealthCheckException("unknown error"))
    return None


def caused_by(error: BaseException, failure: HealthCheckException) -> HealthCheckException:
    failure.__cause__ = error
    return failure


def log_change(name: str, failure: str | None, error: HealthCheckException | None) -> None:
    """Log a check that starts failing (WARNING, with the cause's traceback) or passes
    again (INFO); nothing while it stays as it was."""
    failing = failure is not None
    if _failing.get(name, False) == failing:
        return
    _failing[name] = failing
    if not failing:
        logger.info("readiness: %s passes again", name)
        return
    cause = error.__cause__ or error
    logger.warning(
        "readiness: %s fails: %s",
        name,
        failure,
        exc_info=(type(cause), cause, cause.__traceback__),
    )


def describe(error: HealthCheckException | None) -> dict:
    if error is None:
        return {"ok": True}
    # django-health-check's own checks may quote the driver's message, which can name
    # hosts (it is in the log); ours say only what fails.
    return {"ok": False, "error": error.message if isinstance(error, Down) else error.message_type}


readiness = never_cache(ReadinessView.as_view())


@never_cache
def liveness(request):
    return JsonResponse({"status": "ok"})
