"""Moderating a campaign published in several languages: one campaign's actions, told apart
by the language of the page they were taken on (issue 18)."""

import pytest

from reporting.figures import campaign_figures
from signatures.models import Signature
from signatures.services import privacy, signing
from tests.factories import translate

from .test_export import read_csv, streamed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LIST_URL = "/admin/signatures/signature/"


@pytest.fixture
def french(water):
    return translate(water, "fr", title="Eau", slug="eau")


def act(page, email):
    signing.record_signature(page, {"first_name": "Ana", "last_name": "Okonjo", "email": email})


@pytest.fixture
def actions(water, french):
    act(water, "en1@example.org")
    act(water, "en2@example.org")
    act(french, "fr1@example.org")


def test_the_list_filters_by_the_language_of_the_page(moderator_client, actions):
    french_only = moderator_client.get(LIST_URL, {"page_language": "fr"}).content.decode()
    every = moderator_client.get(LIST_URL).content.decode()

    assert "fr1@example.org" in french_only
    assert "en1@example.org" not in french_only and "en2@example.org" not in french_only
    assert all(f"en{n}@example.org" in every for n in (1, 2)) and "fr1@example.org" in every
    assert "language of the page" in every.lower()  # the filter is offered


def test_a_translations_id_lists_the_whole_campaign(moderator_client, water, french, actions):
    html = moderator_client.get(LIST_URL, {"campaign__page_ptr__exact": french.pk}).content
    assert all(email.encode() in html for email in ("en1@", "en2@", "fr1@"))


def test_the_export_has_a_language_column(moderator_client, actions):
    header, *rows = read_csv(streamed(moderator_client.get("/admin/signatures/export/")))

    column = header.index("page language")
    assert sorted(row[column] for row in rows) == ["en", "en", "fr"]


def test_statistics_total_every_translation_with_a_breakdown_by_language(
    moderator_client, water, french, actions
):
    for page in (water, french):  # either id: the same campaign's figures
        html = moderator_client.get(f"/admin/signatures/statistics/{page.pk}/").content.decode()
        assert "By language of the page" in html
        assert "English (en)" in html and "French (fr)" in html
        assert "The public counter shows 3" in html
    csv_text = moderator_client.get(f"/admin/signatures/statistics/{french.pk}/csv/")
    lines = csv_text.content.decode().splitlines()
    assert "page_language,English (en),0,2," in lines
    assert "page_language,French (fr),0,1," in lines


def test_the_live_campaigns_overview_has_one_line_per_campaign(
    moderator_client, water, french, actions
):
    html = moderator_client.get("/admin/signatures/live/").content.decode()
    assert html.count(f"/admin/signatures/statistics/{water.pk}/") >= 1
    assert f"/admin/signatures/statistics/{french.pk}/" not in html


def test_erasure_and_subject_access_cover_every_translation(moderator, water, french):
    act(water, "both@example.org")
    act(french, "both@example.org")  # the same supporter: one action

    document = privacy.subject_access("both@example.org", moderator)
    privacy.erase_supporter("both@example.org", moderator)

    [held] = document["signatures"]
    assert (held["campaign"], held["page_language"]) == (water.title, "en")
    assert not Signature.objects.filter(email="both@example.org").exists()


def test_views_are_counted_by_the_language_of_the_page_in_the_screen_and_its_csv(
    client, moderator, water, french, actions, settings
):
    """Issue 28, finding 8: the breakdown by the page's language had actions but no views."""
    for page, times in ((water, 4), (french, 1)):
        for _ in range(times):
            assert client.get(page.url).status_code == 200
    # A French page kept by a CDN (or embedded) counts its view with the beacon.
    assert client.post(f"/fr/act/{french.pk}/view/").status_code == 204

    by_language = {
        row.value: (row.views, row.actions, row.conversion)
        for row in campaign_figures(water).breakdowns["page_language"]
    }
    assert by_language == {"en": (4, 2, 50.0), "fr": (2, 1, 50.0)}

    client.force_login(moderator)
    lines = client.get(f"/admin/signatures/statistics/{french.pk}/csv/").content.decode()
    assert "page_language,English (en),4,2,50.0" in lines.splitlines()
    assert "page_language,French (fr),2,1,50.0" in lines.splitlines()
    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()
    assert html.count("50.0 %") >= 3  # the total and both languages: no "—"
