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
from django.db import connections, transaction
from django.db.models import Case, DateTimeField, F, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.log_actions import log

from .. import log_actions, supporter_fields, task_names
from ..models import Delivery, ExportJob, Signature
from ..selectors import signature_listing
from .outbox import enqueue_on_commit

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
CHUNK_BYTES = 1 << 16
BOM = "\ufeff"  # spreadsheet programs read the file as UTF-8 only when it starts with one
# A cell starting with one of = + - @ (after spaces, which importers may trim), or with a
# tab or a line break, is run as a formula by spreadsheet programs. Plain characters, not
# escapes: PostgreSQL's and Python's regular expressions read them alike.
FORMULA_START = "^([ \u00a0]*[-=+@]|[\t\r\n])"


def _safe(name: str):
    """A text column, with a leading apostrophe when a spreadsheet would run it as a formula.

    Done by the database, so the rule is the same whichever way the rows are written out.
    """
    return Case(
        When(
            **{f"{name}__regex": FORMULA_START},
            then=Concat(Value("'"), F(name), output_field=TextField()),
        ),
        default=F(name),
        output_field=TextField(),
    )


#: The export's own words for a column, where they are not the model field's name.
HEADERS = {
    "consent": _lazy("consent"),
    "letter_subject": _lazy("letter subject"),
    "letter_body": _lazy("letter body"),
}


def _column(name: str):
    """(column label, expression) for one of the supporter's details."""
    field = Signature._meta.get_field(name)
    if name == "consent":
        expression = Case(
            When(consent=True, then=Value("yes")), default=Value("no"), output_field=TextField()
        )
    elif isinstance(field, DateTimeField):
        expression = Cast(name, TextField())
    elif name == "country":
        expression = F(name)  # a two-letter code, never a formula
    else:
        expression = _safe(name)
    return (lambda: HEADERS.get(name, field.verbose_name), expression)


# (column label, expression). Everything is rendered as text by the database: much faster
# than building Python objects only to format them again. The letter as the supporter
# edited it is empty when the campaign's own was sent.
COLUMNS = [
    (lambda: _("id"), F("id")),
    (lambda: _("campaign"), _safe("campaign__title")),
    (lambda: _("status"), F("status")),
    *(_column(name) for name in supporter_fields.CONTACT),
    *(_column(name) for name in supporter_fields.CONSENT),
    (lambda: _("signed at"), Cast("created_at", TextField())),
    *(_column(name) for name in supporter_fields.WRITTEN),
    # Where the action came from: visitors' own text in the tags, so neutralised too.
    *(_column(name) for name in supporter_fields.SOURCE),
    # Who its letters went to (or are owed to): a campaign's targets, or the supporter's
    # representatives, with their districts.
    (lambda: _("sent to"), _safe("sent_to_names")),
]


def _sent_to(connection_vendor: str):
    """Each action's targets as "Name (district); Name", by the database (PostgreSQL's
    string_agg; elsewhere left empty)."""
    if connection_vendor != "postgresql":
        return Value("", output_field=TextField())
    from django.contrib.postgres.aggregates import StringAgg

    named = Case(
        When(target__district="", then=F("target__name")),
        default=Concat(F("target__name"), Value(" ("), F("target__district"), Value(")")),
        output_field=TextField(),
    )
    letters = (
        Delivery.objects.filter(signature=OuterRef("pk"))
        .exclude(state=Delivery.State.WITHHELD)
        .values("signature")
        .annotate(names=StringAgg(named, delimiter="; ", ordering="target__name"))
        .values("names")
    )
    return Subquery(letters, output_field=TextField())


def export_queryset(signatures):
    """The export's columns, as a queryset of tuples in the list's order."""
    expressions = {f"c{index}": expression for index, (_label, expression) in enumerate(COLUMNS)}
    sent_to = _sent_to(connections[signatures.db].vendor)
    return (
        signatures.annotate(sent_to_names=sent_to).annotate(**expressions).values_list(*expressions)
    )


def csv_chunks(signatures, *, use_copy=True) -> Iterator[bytes]:
    """The export as UTF-8 bytes, a chunk at a time: a BOM and the header, then the rows.

    On PostgreSQL the rows come from `COPY (the list's query) TO STDOUT WITH CSV`, streamed
    as the server produces them; elsewhere from a cursor read CHUNK_ROWS at a time. Either
    way memory stays constant whatever the number of rows.
    """
    header = io.StringIO()
    header.write(BOM)
    csv.writer(header).writerow([label() for label, _e in COLUMNS])
    yield header.getvalue().encode()
    rows = export_queryset(signatures)
    if use_copy and connections[rows.db].vendor == "postgresql":
        yield from _copy_chunks(rows)
    else:
        yield from _python_chunks(rows)


def _copy_chunks(rows) -> Iterator[bytes]:
    connection = connections[rows.db]
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    query = connection.ops.compose_sql(sql, params)
    pending, size = [], 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH CSV") as copy,
    ):
        for block in copy:
            pending.append(bytes(block))
            size += len(block)
            if size >= CHUNK_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
    yield b"".join(pending)


def _python_chunks(rows) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # \r\n: a CR inside a cell then gets quoted too
    for count, row in enumerate(rows.iterator(chunk_size=CHUNK_ROWS), 1):
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


def start_export(owner, query: str, total: int) -> ExportJob:
    """Record and log an export to be made in the background; enqueue it once committed."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=owner,
            query=query,
            total=total,
            expires_at=timezone.now() + timedelta(hours=settings.CLARION_EXPORT_HOURS),
        )
        log(job, log_actions.EXPORT, user=owner, data={"count": total})
        enqueue_on_commit(task_names.EXPORT_SIGNATURES, job.pk)
    return job


def record_streamed_export(owner, query: str, total: int) -> ExportJob:
    """Record and log an export streamed to its owner as it is made (no file is kept)."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=owner,
            query=query,
            total=total,
            written=total,
            state=ExportJob.State.DONE,
            finished_at=now,
            expires_at=now,
        )
        log(job, log_actions.EXPORT, user=owner, data={"count": total})
    return job


class _ProgressFile(io.RawIOBase):
    """Feeds the chunks to storage as a file, recording progress every few chunks."""

    def __init__(self, job: ExportJob, chunks: Iterable[bytes]):
        self.job, self.chunks, self.pending = job, iter(chunks), b""
        self.chunks_read = self.lines = 0

    def readable(self):
        return True

    def readinto(self, target):
        while len(self.pending) < len(target):
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.pending += chunk
            self.chunks_read += 1
            self.lines += chunk.count(b"\n")
            if self.chunks_read % 10 == 0:
                written = min(self.job.total, max(0, self.lines - 1))  # less the header
                ExportJob.objects.filter(pk=self.job.pk).update(written=written)
        size = min(len(target), len(self.pending))
        target[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


def write_export(job_id: int) -> None:
    """Write an export job's file to private storage; the owner may then download it.

    The rows are the moderation list's, from the listing's parameters the job keeps.
    """
    job = ExportJob.objects.get(pk=job_id)
    if job.state != ExportJob.State.QUEUED:
        return
    signatures = signature_listing(job.query)
    # The query may hold a search term (an email, a name): keep it no longer than needed.
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, query="")
    storage = storages["exports"]
    try:
        # No COPY here: a COPY holds the connection until it ends, and the progress is
        # written on that same connection while the rows stream.
        chunks = csv_chunks(signatures, use_copy=False)
        stream = io.BufferedReader(_ProgressFile(job, chunks), 1 << 20)
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
    return purge(ExportJob.objects.filter(expires_at__lt=now or timezone.now()))


def purge(jobs) -> int:
    """Delete these exports and their files. Returns how many were deleted."""
    storage = storages["exports"]
    for job in jobs:
        if job.file_name and storage.exists(job.file_name):
            storage.delete(job.file_name)
    return jobs.delete()[0]
