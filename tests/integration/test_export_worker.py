"""A large export made by a real Celery worker through Redis, downloaded by its owner."""

import csv
import io
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from signatures.models import ExportJob, Signature

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def shared_exports(tmp_path, monkeypatch, settings):
    """The worker and this process keep exports in the same private folder."""
    monkeypatch.setenv("PRIVATE_ROOT", str(tmp_path))
    settings.STORAGES = settings.STORAGES | {
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        }
    }
    from django.core.files.storage import storages

    storages._storages.pop("exports", None)
    yield tmp_path
    storages._storages.pop("exports", None)


def test_a_real_worker_writes_a_large_export_for_its_owner(
    shared_exports, client, campaign, settings, celery_worker
):
    settings.CLARION_EXPORT_SYNC_LIMIT = 10
    Signature.objects.bulk_create(
        Signature(
            campaign=campaign,
            first_name=f"N{i}",
            last_name="=cmd",
            email=f"s{i}@example.org",
            email_key=f"s{i}@example.org",
        )
        for i in range(300)
    )
    moderator = get_user_model().objects.create_user("mona", "m@example.org", "pw")
    # The Moderators group comes from a data migration, which earlier transactional tests
    # flush away; the same permissions are given directly.
    moderator.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "view_signature",
                "moderate_signature",
                "export_signature",
            ]
        )
    )
    client.force_login(moderator)

    started = client.post("/admin/signatures/export/", {"query": ""})
    job = ExportJob.objects.get(owner=moderator)
    assert started["Location"] == f"/admin/signatures/exports/{job.pk}/"

    deadline = time.monotonic() + 60
    while ExportJob.objects.get(pk=job.pk).state != ExportJob.State.DONE:
        assert time.monotonic() < deadline, "the worker did not finish the export"
        time.sleep(0.2)
    assert "100%" in client.get(started["Location"]).content.decode()
    download = client.get(f"/admin/signatures/exports/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 301 and {row[4] for row in rows[1:]} == {"'=cmd"}
