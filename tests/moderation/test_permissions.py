"""Who sees supporters' data: every signature route, collected from the URL patterns
themselves so a new one cannot be forgotten, answers an editor with 403."""

import pytest
from django.urls import URLPattern, URLResolver, reverse

from signatures.admin import urls as admin_urls
from signatures.models import ExportJob
from signatures.wagtail_hooks import signature_admin

from .conftest import add_signature, make_user

pytestmark = pytest.mark.django_db


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            groups = tuple(pattern.pattern.regex.groupindex)
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), groups


ROUTES = sorted(
    set(_names(signature_admin.get_admin_urls_for_registration()))
    | set(_names(admin_urls.every_urlpattern(), admin_urls.app_name)),
    key=lambda route: route[0],
)
ROUTE_IDS = [name for name, _groups in ROUTES]


@pytest.fixture
def objects(water, moderator):
    signature = add_signature(water, email="private@example.org")
    job = ExportJob.objects.create(owner=moderator, total=1, expires_at="2100-01-01T00:00Z")
    return {"instance_pk": signature.pk, "pk": job.pk, "campaign_id": water.pk}


def url_for(route, objects):
    name, groups = route
    return reverse(name, kwargs={group: objects[group] for group in groups})


def test_the_routes_under_test_include_every_screen():
    assert {
        "signatures_admin:bulk",
        "signatures_admin:invalidate",
        "signatures_admin:export",
        "signatures_admin:export_download",
        "signatures_admin:statistics",
        "signatures_admin:statistics_csv",
        "signatures_admin:live_campaigns",
        "signatures_admin:data_requests",
        "signatures_admin:deliveries",
        "signatures_admin:deliveries_results",
        "signatures_admin:deliveries_retry",
        "signatures_signature_modeladmin_index",
        "signatures_signature_modeladmin_inspect",
    } <= set(ROUTE_IDS)


#: A campaign's figures (counts, no supporter): editors see their campaigns' too.
FIGURES = {
    "signatures_admin:statistics",
    "signatures_admin:statistics_csv",
    "signatures_admin:live_campaigns",
}
SUPPORTER_ROUTES = [route for route in ROUTES if route[0] not in FIGURES]


@pytest.mark.parametrize("route", SUPPORTER_ROUTES, ids=[name for name, _ in SUPPORTER_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_editor_gets_403_on_every_signature_route(editor_client, objects, route, method):
    url = url_for(route, objects)
    response = getattr(editor_client, method)(url, {"email": "private@example.org"})
    assert response.status_code == 403, url
    assert b"private@example.org" not in response.content


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_page_moderator_gets_403_on_every_signature_route(client, objects, route):
    # Wagtail's "Moderators" approve and publish pages: that shows them no supporter.
    client.force_login(make_user("pam", "Moderators"))
    response = client.get(url_for(route, objects))
    assert response.status_code == 403
    assert b"private@example.org" not in response.content


def test_a_signature_moderator_cannot_edit_or_publish_campaigns(moderator_client, water):
    response = moderator_client.get(f"/admin/pages/{water.pk}/edit/")
    assert response.status_code != 200
    assert b"Publish" not in response.content


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_anonymous_visitors_are_sent_to_log_in(client, objects, route):
    response = client.get(url_for(route, objects))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "signatures_signature_modeladmin_index",
        "signatures_signature_modeladmin_inspect",
        "signatures_admin:invalidate",
        "signatures_admin:export",
        "signatures_admin:exports",
        "signatures_admin:export_job",
        "signatures_admin:statistics",
        "signatures_admin:statistics_csv",
        "signatures_admin:live_campaigns",
        "signatures_admin:data_requests",
        "signatures_admin:deliveries",
        "signatures_admin:deliveries_results",
    ],
)
def test_a_moderator_may_open_every_screen(moderator_client, objects, name):
    route = next(route for route in ROUTES if route[0] == name)
    assert moderator_client.get(url_for(route, objects)).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["signatures_signature_modeladmin_edit", "signatures_signature_modeladmin_delete"],
)
def test_nobody_edits_or_deletes_a_signature_in_the_admin(moderator_client, objects, name):
    route = next(route for route in ROUTES if route[0] == name)
    assert moderator_client.get(url_for(route, objects)).status_code == 403


def test_editors_can_still_edit_campaigns_and_reach_their_figures_from_them(editor_client, water):
    response = editor_client.get(f"/admin/pages/{water.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Signature statistics" in html
    assert f"/admin/signatures/statistics/{water.pk}/" in html
    assert editor_client.get("/admin/").status_code == 200


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_an_editor_sees_a_campaigns_figures_and_no_supporter_in_them(editor_client, objects, name):
    route = next(route for route in ROUTES if route[0] == name)
    response = editor_client.get(url_for(route, objects))
    assert response.status_code == 200
    assert b"private@example.org" not in response.content


def test_the_page_listing_offers_the_statistics_to_whoever_may_see_them(
    editor_client, client, water
):
    listing = f"/admin/pages/{water.get_parent().pk}/"
    assert (
        f"/admin/signatures/statistics/{water.pk}/" in editor_client.get(listing).content.decode()
    )
    page_moderator = make_user("pam", "Moderators")  # approves pages, sees no figures
    client.force_login(page_moderator)
    response = client.get(listing)
    assert f"/admin/signatures/statistics/{water.pk}/" not in response.content.decode()
    edit = client.get(f"/admin/pages/{water.pk}/edit/")  # nor does the campaign's own page
    assert edit.status_code == 200
    assert f"/admin/signatures/statistics/{water.pk}/" not in edit.content.decode()
