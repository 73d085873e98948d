"""Structured logs: JSON lines with the request's id, and never a supporter's data."""

import json
import logging
from contextlib import contextmanager

import pytest
from django.core import mail
from django.urls import reverse

from cms.request_logs import JsonFormatter, RequestIdFilter
from signatures.models import DataRequest, Delivery, ExportJob, Signature
from tests.factories import CampaignPageFactory, TargetFactory
from tests.moderation.conftest import make_user
from tests.ops.processes import run_django

SUPPORTER = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "email": "zephyrine.quillfeather@example.org",
    "phone": "+351 912 345 678",
    "postal_code": "1000-001",
    "personal_note": "My grandmother drank from Lake Orvane every summer.",
}
#: What may never appear in a log line, in any spelling.
SECRETS = ["zephyrine", "quillfeather", "912 345 678", "912345678", "orvane", "grandmother"]


def test_log_format_json_writes_one_json_object_a_line():
    result = run_django(
        "import logging; from cms.request_logs import request_id\n"
        "request_id.set('req-0123456789')\n"
        "logging.getLogger('clarion.test').warning('delivery %s failed', 42)",
        LOG_FORMAT="json",
    )

    [line] = result.stderr.strip().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "delivery 42 failed"
    assert (entry["level"], entry["logger"]) == ("WARNING", "clarion.test")
    assert entry["request_id"] == "req-0123456789"
    assert entry["time"].endswith("+00:00")


def test_an_unknown_log_format_is_refused_with_a_clear_message():
    result = run_django("", LOG_FORMAT="yaml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text, not 'yaml'" in result.stderr


@pytest.mark.django_db
def test_each_request_gets_an_id_that_its_log_records_carry(client, caplog, campaign):
    caplog.handler.addFilter(RequestIdFilter())  # as settings.LOGGING's handler has
    with caplog.at_level(logging.INFO):
        response = client.get("/no-such-page/")
    [record] = [record for record in caplog.records if record.name == "django.request"]

    assert len(response["X-Request-ID"]) == 32
    assert record.request_id == response["X-Request-ID"]
    assert json.loads(JsonFormatter().format(record))["request_id"] == response["X-Request-ID"]

    # A proxy's id is kept, so one id follows the request through both logs; a doubtful
    # one (a header anyone can send) is replaced.
    given = client.get("/health/live/", HTTP_X_REQUEST_ID="proxy-4f2a9c1e")
    assert given["X-Request-ID"] == "proxy-4f2a9c1e"
    forged = client.get("/health/live/", HTTP_X_REQUEST_ID="x\nFAKE LOG LINE")
    assert forged["X-Request-ID"] != "x\nFAKE LOG LINE" and len(forged["X-Request-ID"]) == 32


@contextmanager
def every_logger_at_debug(handler):
    """Every logger at DEBUG, its own level included (django.db.backends, say), and every
    record reaching `handler`, from loggers that do not propagate too."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    kept = [(logger, logger.level, logger.disabled) for logger in loggers]
    deaf = [logger for logger in loggers if not logger.propagate]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    for logger in deaf:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in deaf:
            logger.removeHandler(handler)
        for logger, level, disabled in kept:
            logger.setLevel(level)
            logger.disabled = disabled


@pytest.mark.django_db(transaction=True)
def test_no_log_record_carries_supporter_data(client, site, settings, caplog):
    """An action, its delivery and receipt, an export (streamed and in the background) and
    an erasure, with every logger at DEBUG: no record says who the supporter is."""
    settings.CLARION_EXPORT_SYNC_LIMIT = 0  # the export goes to the background job too
    campaign = CampaignPageFactory(
        parent=site.root_page,
        targets=[TargetFactory()],
        phone_field="optional",
        send_receipt=True,
    )
    moderator = make_user("mona", superuser=True)

    with every_logger_at_debug(caplog.handler):
        client.post(reverse("signatures:sign", args=[campaign.pk]), SUPPORTER)
        client.force_login(moderator)
        started = client.post("/admin/signatures/export/", {"query": ""})
        client.get(started["Location"])
        download = client.get(f"{started['Location']}download/")
        exported = b"".join(download.streaming_content).decode()
        exported_in_background = ExportJob.objects.get().state == ExportJob.State.DONE
        erased = client.post(
            "/admin/signatures/data-requests/",
            {"email": SUPPORTER["email"], "action": "erase", "confirm": "on"},
        )

    # Each step happened, with the supporter's data in hand.
    assert Delivery.objects.get().state == Delivery.State.SENT
    assert SUPPORTER["email"] in [address for message in mail.outbox for address in message.to]
    assert "Quillfeather" in exported
    assert exported_in_background
    assert erased.status_code == 302 and DataRequest.objects.get().kind == "erasure"
    assert Signature.objects.get().first_name == ""

    assert len(caplog.records) >= 5
    lines = []
    for record in caplog.records:
        RequestIdFilter().filter(record)
        lines.append(JsonFormatter().format(record))
        lines.append(logging.Formatter(logging.BASIC_FORMAT).format(record))
    written = "\n".join(lines).lower()
    for secret in SECRETS:
        assert secret not in written, secret
