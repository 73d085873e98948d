"""CSV exports of signatures: streamed in constant memory, safe to open in a spreadsheet."""

import csv
import io
import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import storages
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ExportJob

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
BOM = "\ufeff"  # spreadsheet programs read the file as UTF-8 only when it starts with one
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")

# (column label, expression); timestamps are rendered as text by the database, which is
# much faster than building datetimes in Python only to format them again.
COLUMNS = [
    (lambda: _("id"), F("id")),
    (lambda: _("campaign"), F("campaign__title")),
    (lambda: _("status"), F("status")),
    (lambda: _("first name"), F("first_name")),
    (lambda: _("last name"), F("last_name")),
    (lambda: _("email"), F("email")),
    (lambda: _("country"), F("country")),
    (lambda: _("postal code"), F("postal_code")),
    (lambda: _("consent"), F("consent")),
    (lambda: _("consent wording"), F("consent_text")),
    (lambda: _("consent given at"), Cast("consent_at", TextField())),
    (lambda: _("signed at"), Cast("created_at", TextField())),
]


def neutralise(cell):
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(cell, str) and cell.startswith(DANGEROUS_FIRST):
        return "'" + cell
    return cell


def export_rows(signatures) -> Iterator[tuple]:
    """The rows of the export, read through a server-side cursor a chunk at a time."""
    expressions = {f"c{index}": expression for index, (_label, expression) in enumerate(COLUMNS)}
    rows = signatures.annotate(**expressions).values_list(*expressions)
    for row in rows.iterator(chunk_size=CHUNK_ROWS):
        yield tuple(map(neutralise, row))


def csv_chunks(signatures) -> Iterator[bytes]:
    """The export as UTF-8 bytes: a BOM and the header, then one chunk per CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([label() for label, _expression in COLUMNS])
    for count, row in enumerate(export_rows(signatures), 1):
        writer.writerow(row)
        if count % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data


def file_name(prefix="signatures") -> str:
    return f"{prefix}-{timezone.now():%Y%m%d-%H%M}.csv"


# Background exports -----------------------------------------------------------------


def start_job(owner, query: str, total: int) -> ExportJob:
    """Record an export to be made in the background; the caller enqueues the task."""
    return ExportJob.objects.create(
        owner=owner,
        query=query,
        total=total,
        expires_at=timezone.now() + timedelta(hours=settings.CLARION_EXPORT_HOURS),
    )


class _ProgressFile(io.RawIOBase):
    """Feeds the chunks to storage as a file, recording progress every few chunks."""

    def __init__(self, job: ExportJob, chunks: Iterable[bytes]):
        self.job, self.chunks, self.pending = job, iter(chunks), b""
        self.chunks_read = 0

    def readable(self):
        return True

    def readinto(self, target):
        while len(self.pending) < len(target):
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.pending += chunk
            self.chunks_read += 1
            if self.chunks_read % 10 == 0:
                written = min(self.job.total, (self.chunks_read - 1) * CHUNK_ROWS)
                ExportJob.objects.filter(pk=self.job.pk).update(written=written)
        size = min(len(target), len(self.pending))
        target[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


def run_job(job_id: int) -> None:
    """Write an export job's file to private storage; the owner may then download it.

    The rows are the moderation list's, rebuilt from the filters the owner had chosen.
    """
    from ..admin.listing import listed_signatures

    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if job.state != ExportJob.State.QUEUED:
        return
    signatures = listed_signatures(job.query, job.owner)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING)
    storage = storages["exports"]
    try:
        stream = io.BufferedReader(_ProgressFile(job, csv_chunks(signatures)), 1 << 20)
        name = storage.save(f"{uuid.uuid4().hex}.csv", File(stream))
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.FAILED)
        logger.exception("export %s failed", job.pk)
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.DONE,
        file_name=name,
        written=job.total,
        finished_at=timezone.now(),
    )


def open_download(job: ExportJob):
    return storages["exports"].open(job.file_name, "rb")


def purge_expired(now=None) -> int:
    """Delete expired exports and their files. Returns how many were deleted."""
    storage = storages["exports"]
    expired = ExportJob.objects.filter(expires_at__lt=now or timezone.now())
    for job in expired:
        if job.file_name and storage.exists(job.file_name):
            storage.delete(job.file_name)
    return expired.delete()[0]
