"""Cross-origin use of the API: only origins on the allow-list, only under /api/."""

import json

import pytest

from tests.ops.processes import run_django

pytestmark = pytest.mark.django_db

PARTNER = "https://partner.example"


@pytest.fixture(autouse=True)
def allow_partner(settings):
    settings.CORS_ALLOWED_ORIGINS = [PARTNER]


def preflight(client, path, origin):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


def test_an_allowed_origin_may_post_json_after_asking(client, campaign):
    response = preflight(client, f"/api/v3/campaigns/{campaign.pk}/signatures/", PARTNER)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert "content-type" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Access-Control-Allow-Methods"]
    # No cookies: credentials are never allowed.
    assert "Access-Control-Allow-Credentials" not in response


def test_a_partners_page_may_not_use_the_write_api_nor_send_credentials(client, campaign):
    response = client.options(
        "/api/v3/pages/1/",
        HTTP_ORIGIN=PARTNER,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    allowed_methods = response["Access-Control-Allow-Methods"].upper().split(", ")
    allowed_headers = response["Access-Control-Allow-Headers"].lower().split(", ")
    assert "PUT" not in allowed_methods and "DELETE" not in allowed_methods
    assert "PATCH" not in allowed_methods and "POST" in allowed_methods
    assert "authorization" not in allowed_headers and "content-type" in allowed_headers


def test_another_origin_is_not_allowed(client, campaign):
    response = preflight(
        client, f"/api/v3/campaigns/{campaign.pk}/signatures/", "https://evil.example"
    )
    assert "Access-Control-Allow-Origin" not in response
    read = client.get(f"/api/v3/campaigns/{campaign.pk}/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in read


def test_reads_from_an_allowed_origin_are_shared(client, campaign):
    response = client.get(f"/api/v3/campaigns/{campaign.pk}/counter/", HTTP_ORIGIN=PARTNER)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == PARTNER


def test_a_partners_page_may_read_when_to_try_again(client, campaign, settings):
    settings.CLARION_RATE_LIMIT = "1/300"
    for email in ("ana@example.org", "bo@example.org"):
        response = client.post(
            f"/api/v3/campaigns/{campaign.pk}/signatures/",
            json.dumps({"first_name": "Ana", "last_name": "Okonjo", "email": email}),
            content_type="application/json",
            HTTP_ORIGIN=PARTNER,
        )
    assert response.status_code == 429
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert "retry-after" in response["Access-Control-Expose-Headers"].lower()


def test_pages_outside_the_api_are_never_shared(client, campaign):
    response = client.get(campaign.url, HTTP_ORIGIN=PARTNER)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_the_allow_list_comes_from_the_environment():
    result = run_django(
        "from django.conf import settings; import json\n"
        "print(json.dumps(settings.CORS_ALLOWED_ORIGINS))",
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        CORS_ALLOWED_ORIGINS="https://a.example,https://b.example:8443",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "https://a.example",
        "https://b.example:8443",
    ]
