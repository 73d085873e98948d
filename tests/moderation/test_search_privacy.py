"""A search for a supporter (their email, their name) never travels in a URL.

The search box POSTs the term; the list, its links and its exports carry only a random key
that stands for it in the moderator's own session.
"""

import csv
import io
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from signatures.models import ExportJob, Signature

from .conftest import add_signature, make_user

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/signatures/signature/"
EXPORT_URL = "/admin/signatures/export/"
EMAIL = "wanjiru.kamau@example.org"
Status = Signature.Status


class URLCollector(HTMLParser):
    """Every URL a page holds: links, form targets, sources, and `next` fields."""

    URL_ATTRIBUTES = {"href", "action", "src", "formaction"}

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [value for name, value in attrs.items() if name in self.URL_ATTRIBUTES]
        if attrs.get("name") == "next":
            self.urls.append(attrs.get("value", ""))


def urls_in(response) -> list[str]:
    collector = URLCollector()
    collector.feed(response.content.decode())
    return [url for url in collector.urls if url]


def carries(url: str, term: str) -> bool:
    return any(form in url for form in {term, quote(term), quote_plus(term), quote(term, "")})


def search(client, term, query=""):
    response = client.post(f"{LIST_URL}{'?' if query else ''}{query}", {"q": term})
    assert response.status_code == 302
    return response


def key_in(url: str) -> str:
    return parse_qs(urlsplit(url).query)["search"][0]


def exported_ids(response) -> list[str]:
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]


@pytest.fixture
def rows(water, press):
    return {
        "found": add_signature(water, email=EMAIL, country="KE", first_name="Wanjiru"),
        "same_name_press": add_signature(press, first_name="Wanjiru", country="KE"),
        "other": add_signature(water, country="DE"),
    }


def test_a_search_by_email_finds_the_row_and_no_url_carries_the_email(moderator_client, rows):
    searched = search(moderator_client, EMAIL)
    location = searched["Location"]
    assert not carries(location, EMAIL) and "@" not in location
    assert location.startswith(LIST_URL + "?search=")

    response = moderator_client.get(location)

    assert [row.pk for row in response.context["object_list"]] == [rows["found"].pk]
    urls = urls_in(response)
    leaking = [url for url in urls if carries(url, EMAIL)]
    assert leaking == []
    key = key_in(location)
    export_links = [url for url in urls if url.startswith(EXPORT_URL)]
    assert export_links == [f"{EXPORT_URL}?search={key}"]
    # The term is shown back in the search box (the page body), for the moderator to edit.
    assert f'value="{EMAIL}"' in response.content.decode()


def test_the_key_is_random_and_not_derived_from_the_term(moderator_client, rows):
    first = key_in(search(moderator_client, EMAIL)["Location"])
    second = key_in(search(moderator_client, EMAIL)["Location"])
    assert first != second and len(first) >= 16


def test_pages_orderings_and_filters_keep_the_key_not_the_term(moderator_client, water, press):
    for _ in range(25):
        add_signature(water, last_name="Otieno")
    add_signature(press, last_name="Otieno")
    location = search(moderator_client, "Otieno", "country=")["Location"]
    key = key_in(location)
    response = moderator_client.get(location)
    assert response.context["result_count"] == 26

    urls = [url for url in urls_in(response) if url.startswith("?")]
    assert not [url for url in urls if carries(url, "Otieno")]
    page_two = next(url for url in urls if "p=2" in url)
    by_campaign = next(url for url in urls if f"campaign__page_ptr__exact={water.pk}" in url)
    ordered = next(url for url in urls if "o=" in url)
    for url in (page_two, by_campaign, ordered):
        assert key_in(url) == key, url

    assert len(moderator_client.get(LIST_URL + page_two).context["object_list"]) == 6
    assert moderator_client.get(LIST_URL + by_campaign).context["result_count"] == 25


def test_a_search_keeps_the_filters_already_chosen(moderator_client, rows, water):
    location = search(moderator_client, "Wanjiru", f"campaign__page_ptr__exact={water.pk}")[
        "Location"
    ]
    assert parse_qs(urlsplit(location).query)["campaign__page_ptr__exact"] == [str(water.pk)]
    found = moderator_client.get(location).context["object_list"]
    assert [row.pk for row in found] == [rows["found"].pk]


def test_an_empty_search_clears_it(moderator_client, rows):
    location = search(moderator_client, EMAIL)["Location"]
    cleared = moderator_client.post(location, {"q": "  "})
    assert cleared["Location"] == LIST_URL
    assert moderator_client.get(LIST_URL).context["result_count"] == 3


def test_the_export_link_exports_the_searched_rows(moderator_client, rows):
    location = search(moderator_client, "Wanjiru", "country=KE")["Location"]
    export_link = next(
        url for url in urls_in(moderator_client.get(location)) if url.startswith(EXPORT_URL)
    )
    assert not carries(export_link, "Wanjiru")
    found = exported_ids(moderator_client.get(export_link))
    assert sorted(found) == sorted(str(rows[name].pk) for name in ("found", "same_name_press"))

    by_email = search(moderator_client, EMAIL)["Location"]
    query = urlsplit(by_email).query
    assert exported_ids(moderator_client.get(f"{EXPORT_URL}?{query}")) == [str(rows["found"].pk)]


def test_a_background_export_of_a_search_carries_the_key_and_exports_the_rows(
    moderator, moderator_client, rows, settings, django_capture_on_commit_callbacks
):
    settings.CLARION_EXPORT_SYNC_LIMIT = 1
    query = urlsplit(search(moderator_client, "Wanjiru")["Location"]).query
    confirm = moderator_client.get(f"{EXPORT_URL}?{query}")
    assert "2 signatures match" in confirm.content.decode()
    assert "Wanjiru" not in confirm.content.decode()  # the form posts the key back

    with django_capture_on_commit_callbacks(execute=True):
        started = moderator_client.post(EXPORT_URL, {"query": query})

    assert not carries(started["Location"], "Wanjiru")
    job = ExportJob.objects.get(owner=moderator, state=ExportJob.State.DONE)
    download = moderator_client.get(f"/admin/signatures/exports/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    found = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert sorted(found) == sorted(str(rows[name].pk) for name in ("found", "same_name_press"))


def test_another_users_key_does_not_search_or_export(moderator_client, rows):
    key = key_in(search(moderator_client, EMAIL)["Location"])
    client = Client()  # another moderator, in another browser
    client.force_login(make_user("otto", "Signature moderators"))

    response = client.get(LIST_URL, {"search": key})
    assert response["Location"] == LIST_URL
    followed = client.get(response["Location"])
    assert followed.context["result_count"] == 3
    assert f'value="{EMAIL}"' not in followed.content.decode()  # not in the search box
    messages = [m.message for m in get_messages(followed.wsgi_request)]
    assert any("That search has expired" in message for message in messages)

    refused = client.get(EXPORT_URL, {"search": key})
    assert refused.status_code == 302 and refused["Location"] == LIST_URL
    refused = client.post(EXPORT_URL, {"query": f"search={key}"})
    assert refused.status_code == 302 and not ExportJob.objects.exists()


def test_a_key_lost_with_the_session_is_no_search_with_a_message(moderator_client, rows):
    key = key_in(search(moderator_client, EMAIL)["Location"])
    moderator_client.logout()
    moderator_client.force_login(make_user("mona2", "Signature moderators"))
    response = moderator_client.get(LIST_URL, {"search": key}, follow=True)
    assert response.context["result_count"] == 3
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert any("That search has expired" in message for message in messages)


def test_a_term_in_the_url_is_not_searched_by(moderator_client, rows):
    response = moderator_client.get(LIST_URL, {"q": EMAIL, "country": "KE"})
    assert response.status_code == 302
    assert response["Location"] == LIST_URL + "?country=KE"
    followed = moderator_client.get(response["Location"])
    assert followed.context["result_count"] == 2  # both Kenyan rows: no search applied
    messages = [m.message for m in get_messages(followed.wsgi_request)]
    assert any("Use the search box" in message for message in messages)


def test_a_term_in_the_export_url_is_refused_rather_than_exporting_everything(
    moderator_client, rows
):
    response = moderator_client.get(EXPORT_URL, {"q": EMAIL})
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("query", ["email=" + EMAIL, "email__startswith=wanjiru", "bogus=1"])
def test_lookups_the_list_does_not_declare_are_dropped_not_applied(moderator_client, rows, query):
    response = moderator_client.get(f"{LIST_URL}?{query}&country=KE")
    assert response.status_code == 302 and response["Location"] == LIST_URL + "?country=KE"
    assert moderator_client.get(response["Location"]).context["result_count"] == 2
