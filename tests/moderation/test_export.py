"""CSV export: streamed, safe in spreadsheets, UTF-8 with BOM; large ones in the background."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from signatures.models import ExportJob, Signature
from signatures.services import export

from .conftest import add_signature, make_user

pytestmark = pytest.mark.django_db
URL = "/admin/signatures/export/"


def read_csv(content: bytes):
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def streamed(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "dangerous",
    [
        '=HYPERLINK("http://x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tTab",
        "\rReturn",
        "\n=1+1",
        " =1+1",
        "\u00a0\u00a0=1+1",
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(moderator_client, water, dangerous):
    add_signature(water, first_name=dangerous, last_name="Ok", postal_code=dangerous[:20])
    rows = read_csv(streamed(moderator_client.get(URL)))
    assert rows[1][3] == "'" + dangerous
    assert rows[1][4] == "Ok"
    assert rows[1][7] == "'" + dangerous[:20]


def test_the_phone_number_personal_note_and_edited_letter_are_exported_and_neutralised(
    moderator_client, water
):
    add_signature(
        water,
        phone="+351 912 345 678",
        personal_note="=1+1\nI live by the lake.",
        letter_subject="Free them now",
        letter_body="@once: free the Lakeside Four.",
    )
    header, row = read_csv(streamed(moderator_client.get(URL)))
    assert row[header.index("phone number")] == "'+351912345678"  # E.164, neutralised
    assert row[header.index("personal note")] == "'=1+1\nI live by the lake."
    assert row[header.index("letter subject")] == "Free them now"
    assert row[header.index("letter body")] == "'@once: free the Lakeside Four."


def test_the_export_is_utf8_with_a_bom_and_a_header(moderator_client, water):
    add_signature(water, first_name="Zoë", last_name="Ñandú-Øster 山田", country="NO")
    response = moderator_client.get(URL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="signatures-')
    rows = read_csv(streamed(response))
    assert rows[0][:6] == ["id", "campaign", "status", "first name", "last name", "email"]
    assert rows[1][1:5] == ["Water", "counted", "Zoë", "Ñandú-Øster 山田"]
    assert rows[1][6] == "NO"


def test_the_export_follows_the_lists_filters(moderator_client, water, press):
    keep = add_signature(water, status=Signature.Status.SPAM, country="KE")
    add_signature(water, status=Signature.Status.COUNTED, country="KE")
    add_signature(press, status=Signature.Status.SPAM, country="KE")
    query = {"campaign__page_ptr__exact": water.pk, "status__exact": "spam"}
    rows = read_csv(streamed(moderator_client.get(URL, query)))
    assert [row[0] for row in rows[1:]] == [str(keep.pk)]


@pytest.mark.parametrize("query", [{"email": "ana@example.org"}, {"status": "spam"}])
def test_a_filter_the_list_does_not_have_exports_nothing(moderator_client, water, query):
    add_signature(water, status=Signature.Status.SPAM), add_signature(water)

    response = moderator_client.get(URL, query | {"o": "2"}, follow=True)

    assert not response.streaming
    name = next(iter(query))
    assert f"the list has no filter named {name}" in response.content.decode()
    assert not ModelLogEntry.objects.filter(action="clarion.signatures.export").exists()
    sorted_rows = read_csv(streamed(moderator_client.get(URL, {"o": "2"})))
    assert len(sorted_rows) == 3  # ordering is the list's own: exported as asked


def test_a_filter_value_the_list_cannot_use_exports_nothing(moderator_client, water, press):
    add_signature(water), add_signature(press)

    response = moderator_client.get(URL, {"campaign__page_ptr__exact": "abc"}, follow=True)

    assert response.status_code == 200 and not response.streaming
    assert "Nothing was exported: a filter in the address has a value" in response.content.decode()


def test_an_export_is_logged_with_who_and_how_many(moderator, moderator_client, water):
    add_signature(water), add_signature(water)
    streamed(moderator_client.get(URL))
    entry = ModelLogEntry.objects.get(action="clarion.signatures.export")
    assert (entry.user, entry.data["count"]) == (moderator, 2)


def test_the_export_is_produced_in_chunks(water, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 2)
    monkeypatch.setattr(export, "CHUNK_BYTES", 100)
    for _ in range(5):
        add_signature(water)
    chunks = list(export.csv_chunks(Signature.objects.order_by("pk")))
    assert len(chunks) >= 4  # the header, then the rows a few at a time
    assert sum(chunk.count(b"\n") for chunk in chunks) == 6
    assert read_csv(b"".join(chunks))[1][0] == str(Signature.objects.order_by("pk").first().pk)


@pytest.fixture
def many(settings, water):
    settings.CLARION_EXPORT_SYNC_LIMIT = 2
    return [add_signature(water, status=Signature.Status.SPAM) for _ in range(3)] + [
        add_signature(water)
    ]


def test_a_large_export_runs_in_the_background_for_its_owner_only(
    moderator, moderator_client, client, many, django_capture_on_commit_callbacks
):
    query = "status__exact=spam"
    confirm = moderator_client.get(f"{URL}?{query}")
    assert confirm.status_code == 200 and not confirm.streaming
    assert "3 signatures match" in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        started = moderator_client.post(URL, {"query": query})

    job = ExportJob.objects.get(owner=moderator, state=ExportJob.State.DONE)
    assert started["Location"] == f"/admin/signatures/exports/{job.pk}/"
    progress = moderator_client.get(started["Location"]).content.decode()
    assert 'value="100"' in progress and "Download CSV" in progress
    until = timezone.localtime(job.expires_at).strftime("%H:%M")
    assert re.search(rf"until \d+ \w+ \d{{4}}, {until}\.</p>", progress)  # one full stop
    download = moderator_client.get(f"/admin/signatures/exports/{job.pk}/download/")
    rows = read_csv(b"".join(download.streaming_content))
    assert sorted(row[0] for row in rows[1:]) == sorted(str(s.pk) for s in many[:3])
    assert "private" not in job.file_name and len(job.file_name) >= 32  # unguessable name

    other = make_user("otto", "Signature moderators")
    client.force_login(other)
    assert client.get(f"/admin/signatures/exports/{job.pk}/download/").status_code == 404
    assert client.get(f"/admin/signatures/exports/{job.pk}/").status_code == 404


def test_an_expired_export_is_gone_and_purged(moderator, moderator_client, many):
    job = export.start_export(moderator, "", 4)
    export.write_export(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert moderator_client.get(f"/admin/signatures/exports/{job.pk}/download/").status_code == 410
    name = ExportJob.objects.get(pk=job.pk).file_name
    from django.core.files.storage import storages

    assert storages["exports"].exists(name)
    assert export.purge_expired() == 1
    assert not storages["exports"].exists(name)


def test_progress_is_recorded_while_the_file_is_written(moderator, water, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)
    monkeypatch.setattr(export, "CHUNK_BYTES", 1)
    for _ in range(25):
        add_signature(water)
    job = export.start_export(moderator, "", 25)
    seen, real = [], export.csv_chunks

    def observed(signatures, **options):
        for chunk in real(signatures, **options):
            seen.append(ExportJob.objects.get(pk=job.pk).written)
            yield chunk

    monkeypatch.setattr(export, "csv_chunks", observed)
    export.write_export(job.pk)
    job.refresh_from_db()
    assert (job.state, job.written, job.percent) == (ExportJob.State.DONE, 25, 100)
    assert any(0 < value < 25 for value in seen)


def test_a_background_export_forgets_its_search_term_once_it_runs(moderator, water):
    wanted = add_signature(water, email="ana.search@example.org")
    add_signature(water, email="someone.else@example.org")
    job = export.start_export(moderator, "q=ana.search%40example.org", 1)
    export.write_export(job.pk)
    job.refresh_from_db()
    assert (job.state, job.query) == (ExportJob.State.DONE, "")
    with export.open_download(job) as download:
        rows = read_csv(download.read())
    assert [row[0] for row in rows[1:]] == [str(wanted.pk)]
