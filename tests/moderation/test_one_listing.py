"""One listing of signatures (selectors.SignatureFilterSet): the moderation list, the CSV
export and the background export job hold the same rows, in the same order."""

from urllib.parse import urlencode

import pytest
from django.http import HttpRequest

from signatures.models import ExportJob, Signature
from signatures.selectors import InvalidFilters, UnknownFilters, signature_listing
from signatures.services import export

from .conftest import add_signature
from .test_export import read_csv, streamed

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/signatures/signature/"
EXPORT_URL = "/admin/signatures/export/"


def ids(rows) -> list[int]:
    return [int(row[0]) for row in rows[1:]]


def test_the_list_and_both_exports_hold_the_same_rows_in_the_same_order(
    moderator_client, moderator, water, press, settings, django_capture_on_commit_callbacks
):
    for email in ("mia@example.org", "ana@example.org", "zoe@example.org", "bo@example.org"):
        add_signature(water, email=email)
    add_signature(press, email="cy@example.org")
    add_signature(water, email="al@example.org", status=Signature.Status.SPAM)
    # Water's counted signatures, by email: the moderator's third column (select, name, email).
    params = {"campaign__page_ptr__exact": water.pk, "status__exact": "counted", "o": "2"}

    listed = [row.pk for row in moderator_client.get(LIST_URL, params).context["object_list"]]
    streamed_now = ids(read_csv(streamed(moderator_client.get(EXPORT_URL, params))))
    settings.CLARION_EXPORT_SYNC_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(EXPORT_URL, {"query": urlencode(params)})
    job = ExportJob.objects.exclude(file_name="").get(owner=moderator)
    written_later = ids(read_csv(export.open_download(job).read()))

    by_email = list(
        Signature.objects.filter(campaign=water, status="counted")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    assert listed == streamed_now == written_later == by_email


def test_a_worker_writes_an_export_from_the_listings_parameters_alone(
    moderator, water, monkeypatch
):
    later = add_signature(water, email="bo@example.org", status=Signature.Status.SPAM)
    add_signature(water, email="cy@example.org")
    first = add_signature(water, email="al@example.org", status=Signature.Status.SPAM)
    job = export.start_export(moderator, "status__exact=spam&ordering=email", 2)

    def no_request(*args, **kwargs):
        raise AssertionError("a worker has no request, and builds none")

    monkeypatch.setattr(HttpRequest, "__init__", no_request)
    export.write_export(job.pk)

    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    assert ids(read_csv(export.open_download(job).read())) == [first.pk, later.pk]


@pytest.mark.parametrize("query", ["email=ana%40example.org", "status=spam", "o=2"])
def test_the_listing_refuses_a_parameter_it_does_not_have(query):
    with pytest.raises(UnknownFilters):
        signature_listing(query)


@pytest.mark.parametrize(
    "query", ["campaign__page_ptr__exact=abc", "campaign__page_ptr__exact=9" * 3, "ordering=phone"]
)
def test_the_listing_refuses_a_value_it_cannot_use(query):
    with pytest.raises(InvalidFilters):
        signature_listing(query)
