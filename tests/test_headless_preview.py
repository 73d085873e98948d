"""Previewing a draft campaign in an external front end, when HEADLESS_PREVIEW_URL is set."""

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from wagtail_headless_preview.models import PagePreview

from cms.base.headless import headless_preview_enabled
from tests.ops.processes import run_django

pytestmark = pytest.mark.django_db

FRONT_END = "https://preview.front.example/preview"


@pytest.fixture
def draft(campaign):
    campaign.title = "Draft title, not published yet"
    campaign.lead = "A draft lead"
    return campaign


def serve_preview(rf, page):
    request = rf.get("/admin/pages/preview/")
    request.user = AnonymousUser()
    return page.serve_preview(request, "")


def test_with_a_front_end_the_preview_shows_it_and_the_api_serves_the_draft(
    rf, client, draft, settings
):
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": FRONT_END}}
    assert headless_preview_enabled()
    response = serve_preview(rf, draft)

    shown = html.unescape(re.search(r'<iframe src="([^"]+)"', response.content.decode())[1])
    assert shown.startswith(f"{FRONT_END}/?")
    query = {key: value for key, [value] in parse_qs(urlsplit(shown).query).items()}
    assert query == {
        "content_type": "campaigns.campaignpage",
        "token": PagePreview.objects.get().token,
    }

    api = client.get("/api/v3/campaigns/preview/", query)
    assert api.status_code == 200
    assert api["Cache-Control"] == "private, no-store"
    data = api.json()
    assert (data["id"], data["title"], data["lead"]) == (
        draft.pk,
        "Draft title, not published yet",
        "A draft lead",
    )
    assert data["action"]["form"]["fields"]  # the whole campaign, as the live route gives it
    # The live campaign is unchanged, and a wrong token finds nothing.
    assert client.get(f"/api/v3/campaigns/{draft.pk}/").json()["title"] != data["title"]
    wrong = client.get("/api/v3/campaigns/preview/", query | {"token": "forged"})
    assert wrong.status_code == 404


def test_without_a_front_end_wagtails_own_preview_renders_the_page(rf, draft, settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {}
    assert not headless_preview_enabled()
    response = serve_preview(rf, draft)
    response.render()
    assert response.status_code == 200
    assert "Draft title, not published yet" in response.content.decode()
    assert 'name="email"' in response.content.decode()  # the campaign's own template
    assert not PagePreview.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"), [("https://next.example/api/preview", True), ("", False)]
)
def test_the_front_end_comes_from_the_environment(value, expected):
    result = run_django(
        "import json; from django.conf import settings\n"
        "from cms.base.headless import headless_preview_enabled\n"
        "print(json.dumps([getattr(settings, 'WAGTAIL_HEADLESS_PREVIEW', None),"
        " headless_preview_enabled()]))",
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        HEADLESS_PREVIEW_URL=value,
    )
    assert result.returncode == 0, result.stderr
    setting, enabled = json.loads(result.stdout.strip().splitlines()[-1])
    assert enabled is expected
    assert setting == ({"CLIENT_URLS": {"default": value}} if expected else None)
