"""Clarion's own Prometheus metrics (served at /metrics beside django-prometheus's).

Actions are counted as they are answered, in each process (under gunicorn, set
PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every worker's counts). Everything that
is state, not event (the outbox, deliveries by state, webhook and export jobs), is read
from the database when Prometheus scrapes, so every web process reports the same exact
figures, whichever one answers.
"""

from django.db.models import Count
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from .models import Delivery, ExportJob, WebhookDelivery
from .services.backlog import backlog

ACTIONS = Counter(
    "clarion_actions_total",
    "Actions answered, by outcome (accepted, refused) and the refusal's reason.",
    ["outcome", "reason"],
)
TRACKING_EVENTS = Counter(
    "clarion_tracking_events_total",
    "Email providers' tracking events received, by event type.",
    ["event"],
)
TRACKING_FAILURES = Counter(
    "clarion_tracking_webhook_failures_total",
    "Email providers' tracking webhooks refused (bad credentials or signature, bad body).",
)


_ACCEPTED = ACTIONS.labels("accepted", "")  # looked up once: labels() takes a lock


def action_accepted() -> None:
    _ACCEPTED.inc()


def action_refused(reason: str) -> None:
    """`reason`: invalid (form errors), address, forbidden (closed, foreign site), too_many."""
    ACTIONS.labels("refused", reason).inc()


def refusal_reason(refusal) -> str:
    if refusal.status == 429:
        return "too_many"
    if refusal.status == 403:
        return "forbidden"
    return "address" if refusal.field else "invalid"


class StateCollector:
    """Gauges read from the database at each scrape."""

    def collect(self):
        waiting = backlog()
        yield GaugeMetricFamily(
            "clarion_outbox_backlog",
            "Actions, letters and supporters' emails waiting for a worker.",
            value=waiting.waiting,
        )
        yield GaugeMetricFamily(
            "clarion_outbox_oldest_seconds",
            "How long the item waiting longest for a worker has been due.",
            value=waiting.oldest.total_seconds(),
        )
        yield by_state(
            "clarion_deliveries",
            "Letters to targets, by state and, once sent, by the provider's outcome.",
            Delivery.objects.values("state", "outcome"),
            ["state", "outcome"],
        )
        yield by_state(
            "clarion_webhook_deliveries",
            "POSTs to the organisation's webhooks, by state (failed: given up).",
            WebhookDelivery.objects.values("state"),
            ["state"],
        )
        yield by_state(
            "clarion_export_jobs",
            "Background exports, by state.",
            ExportJob.objects.values("state"),
            ["state"],
        )


def by_state(name, documentation, rows, labels) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for row in rows.annotate(count=Count("pk")).order_by():
        family.add_metric([row[label] for label in labels], row["count"])
    return family
