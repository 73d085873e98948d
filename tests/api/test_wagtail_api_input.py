"""Wagtail's own routes under /api/v3/ answer impossible input with a 4xx, as ours do."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["?search=%00", "?search=a%00b", "?type=cms.HomePage&%00=1", "?offset=%00"]
)
def test_a_nul_in_the_query_is_refused_clearly(client, campaign, query):
    response = client.get("/api/v3/pages/" + query)

    assert response.status_code == 422  # like any parameter the API refuses
    assert response["Content-Type"] == "application/problem+json"
    assert "not text (NUL)" in response.json()["errors"][0]["msg"]


def test_a_page_with_a_nul_in_its_address_is_a_bad_request(client, campaign):
    response = client.get(campaign.url + "?utm_source=%00")

    assert response.status_code == 400
    assert "Your request could not be read" in response.content.decode()


@pytest.mark.parametrize("listing", ["pages", "images"])
def test_an_offset_beyond_any_number_the_database_holds_is_refused(client, campaign, listing):
    response = client.get(f"/api/v3/{listing}/?offset=99999999999999999999")

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "offset"]
    assert response.json()["detail"] == "The offset is larger than any list."
    assert client.get(f"/api/v3/{listing}/?offset={2**31 - 1}").status_code == 200


def test_an_ordinary_search_still_works(client, campaign):
    assert client.get("/api/v3/pages/?search=water").status_code == 200


def test_an_action_posted_without_the_final_slash_is_redirected_keeping_its_method(
    client, campaign
):
    response = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures?x=1", "{}", content_type="application/json"
    )
    assert response.status_code == 308  # a 301 would make a browser send a GET, losing the body
    assert response["Location"] == f"/api/v3/campaigns/{campaign.pk}/signatures/?x=1"


def test_a_wrong_method_and_an_unknown_address_are_answered_as_problems(client, campaign):
    wrong = client.put(f"/api/v3/campaigns/{campaign.pk}/signatures/")
    unknown = client.get("/api/v3/nothing-here/")

    assert (wrong.status_code, unknown.status_code) == (405, 404)
    for response in (wrong, unknown):
        assert response["Content-Type"] == "application/problem+json"
    assert wrong.json()["detail"] == "This address does not take PUT requests."
    assert wrong["Allow"] == "POST"
    assert unknown.json()["detail"] == "Nothing is at this address in the API."
