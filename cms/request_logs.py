"""Structured logs: every record carries the id of the request (or task) it belongs to.

The id comes from the proxy's X-Request-ID when it sends a plausible one, so one id
follows a request from the proxy's log to ours; otherwise a new one is made. It is sent
back in the response's X-Request-ID for supporters' bug reports to quote.

The JSON formatter writes a fixed set of fields, never a record's `extra` attributes:
Django attaches the request itself to some records, and its body holds supporters' data.
"""

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str] = ContextVar("request_id", default="-")

#: What a proxy's id may look like; anything else (too long, odd characters) is replaced.
PLAUSIBLE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers: building the headers' mapping costs more than the rest.
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        # Kept until request_finished (`forget`): Django logs a 4xx or 5xx response after
        # every middleware has returned.
        request_id.set(given if PLAUSIBLE_ID.fullmatch(given) else secrets.token_hex(16))
        response = self.get_response(request)
        response["X-Request-ID"] = request_id.get()
        return response


def forget(**kwargs) -> None:
    """Records written between requests (or tasks) belong to none."""
    request_id.set("-")


def set_task_id(task_id=None, **kwargs) -> None:
    """A worker's records carry the id of the task they belong to (Celery's task_prerun)."""
    request_id.set(task_id or "-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
