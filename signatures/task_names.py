"""The names of the Celery tasks in signatures/tasks.py, for code that must not import them.

Services enqueue work by one of these names through `services.outbox`, and Celery beat
schedules the periodic ones by name (cms/celery.py). The names are the ones messages
already in a queue carry. The system check `signatures.E001` (checks.py) fails start-up
when one of them names no registered task.
"""

DISPATCH_SIGNATURE = "signatures.tasks.dispatch"
DELIVER_LETTER = "signatures.tasks.deliver"
SEND_CONFIRMATION = "signatures.tasks.send_confirmation"
SEND_RECEIPT = "signatures.tasks.send_receipt"
DELIVER_WEBHOOK = "signatures.tasks.deliver_webhook"
EXPORT_SIGNATURES = "signatures.tasks.export_signatures"
SEND_MILESTONE_MESSAGE = "signatures.tasks.send_milestone_message"
SEND_MILESTONE_NOTICE = "signatures.tasks.send_milestone_notice"
QUEUE_UPDATE = "signatures.tasks.queue_update"
SEND_UPDATE_BATCH = "signatures.tasks.send_update_batch"
# Periodic (Celery beat).
SWEEP_OUTBOX = "signatures.tasks.sweep_outbox"
SWEEP_WEBHOOKS = "signatures.tasks.sweep_webhooks"
SEND_DIGESTS = "signatures.tasks.send_digests"
APPLY_RETENTION = "signatures.tasks.apply_retention"
FLUSH_PAGE_VIEWS = "signatures.tasks.flush_page_views"

ALL = (
    DISPATCH_SIGNATURE,
    DELIVER_LETTER,
    SEND_CONFIRMATION,
    SEND_RECEIPT,
    DELIVER_WEBHOOK,
    EXPORT_SIGNATURES,
    SEND_MILESTONE_MESSAGE,
    SEND_MILESTONE_NOTICE,
    QUEUE_UPDATE,
    SEND_UPDATE_BATCH,
    SWEEP_OUTBOX,
    SWEEP_WEBHOOKS,
    SEND_DIGESTS,
    APPLY_RETENTION,
    FLUSH_PAGE_VIEWS,
)
