"""Services enqueue tasks by name: every name must be a registered task, checked at start-up."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from signatures import task_checks, task_names, tasks


def test_every_task_name_is_a_registered_task():
    assert task_checks.task_names_are_registered(None) == []
    call_command("check")


def test_a_name_no_task_carries_fails_the_system_check(monkeypatch):
    monkeypatch.setattr(task_names, "ALL", (*task_names.ALL, "signatures.tasks.deliver_lettre"))

    with pytest.raises(SystemCheckError) as failed:
        call_command("check")

    assert "signatures.E001" in str(failed.value)
    assert "'signatures.tasks.deliver_lettre' is not the name of a registered Celery task" in str(
        failed.value
    )


def test_each_name_belongs_to_the_task_object_that_runs_its_service():
    assert tasks.dispatch_signature_task.name == task_names.DISPATCH_SIGNATURE
    assert tasks.deliver_letter_task.name == task_names.DELIVER_LETTER
    assert tasks.send_confirmation_task.name == task_names.SEND_CONFIRMATION
    assert tasks.send_receipt_task.name == task_names.SEND_RECEIPT
    assert tasks.deliver_webhook_task.name == task_names.DELIVER_WEBHOOK
    assert tasks.export_signatures_task.name == task_names.EXPORT_SIGNATURES
