"""The deliveries screen: failed letters visible with their reason, filtered, sent again."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from wagtail.models import PageLogEntry

from signatures.log_actions import RETRY_DELIVERIES
from signatures.models import Delivery, Signature

from .conftest import add_signature, make_user

pytestmark = pytest.mark.django_db
URL = "/admin/signatures/deliveries/"
RETRY_URL = "/admin/signatures/deliveries/retry/"
State = Delivery.State
REFUSED = "Refused by the mail server: (550, b'5.1.1 mailbox unavailable')"


def add_delivery(campaign, state=State.FAILED, last_error="", **signature_fields):
    signature = add_signature(campaign, **signature_fields)
    return Delivery.objects.create(
        signature=signature,
        target=campaign.targets[0],
        state=state,
        attempts=1,
        last_error=last_error,
    )


@pytest.fixture
def deliveries(water, press):
    return {
        "failed": add_delivery(
            water, last_error=REFUSED, email="amina@example.org", first_name="Amina"
        ),
        "sent": add_delivery(press, state=State.SENT),
        "pending": add_delivery(water, state=State.PENDING),
        "failed_press": add_delivery(press, last_error="Gave up after 9 attempts: timed out"),
    }


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return {row.pk for row in response.context["object_list"]}, response


def test_a_failed_delivery_is_shown_with_its_reason_and_no_supporter_data(
    moderator_client, deliveries, water
):
    failed = deliveries["failed"]
    _, response = listed(moderator_client)
    html = response.content.decode()
    assert "5.1.1 mailbox unavailable" in html
    assert str(failed.target) in html and "Water" in html and "failed" in html
    assert f'href="/admin/signatures/signature/inspect/{failed.signature_id}/"' in html
    assert "amina@example.org" not in html and "Amina" not in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"failed", "sent", "pending", "failed_press"}),
        ({"state": "failed"}, {"failed", "failed_press"}),
        ({"state": "sent"}, {"sent"}),
        ({"campaign": "water"}, {"failed", "pending"}),
        ({"state": "failed", "campaign": "press"}, {"failed_press"}),
    ],
)
def test_deliveries_filter_by_state_and_campaign(
    moderator_client, deliveries, water, press, params, expected
):
    if "campaign" in params:
        params["campaign"] = {"water": water.pk, "press": press.pk}[params["campaign"]]
    found, _ = listed(moderator_client, **params)
    assert found == {deliveries[name].pk for name in expected}


def test_the_state_filter_offers_failed_first(moderator_client, deliveries):
    _, response = listed(moderator_client)
    choices = [value for value, _label in response.context["filters"].form["state"].field.choices]
    assert choices[:2] == ["", "failed"]


def test_filtering_refreshes_the_results_alone(moderator_client, deliveries):
    response = moderator_client.get(URL + "results/", {"state": "sent"})
    assert response.status_code == 200
    assert {row.pk for row in response.context["object_list"]} == {deliveries["sent"].pk}


def test_a_bad_filter_value_is_not_a_500(moderator_client, deliveries):
    found, _ = listed(moderator_client, state="exploded", campaign="x")
    assert found == {delivery.pk for delivery in deliveries.values()}


def test_retry_sends_a_failed_delivery_again_and_logs_it(
    moderator, moderator_client, admin_client, deliveries, water, django_capture_on_commit_callbacks
):
    failed = deliveries["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            RETRY_URL, {"delivery": [failed.pk], "next": URL + "?state=failed"}
        )

    assert response.status_code == 302 and response["Location"] == URL + "?state=failed"
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == (State.SENT, 2, "")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [f'"{failed.target}" <{failed.target.email}>']
    entry = PageLogEntry.objects.get(action=RETRY_DELIVERIES)
    assert (entry.page.specific, entry.user, entry.data["count"]) == (water, moderator, 1)
    # In the campaign's history, for those who may see the campaign's pages.
    history = admin_client.get(f"/admin/pages/{water.pk}/history/").content.decode()
    assert "Sent 1 failed delivery again" in history


def test_only_failed_deliveries_of_counted_signatures_are_retried(
    moderator_client, deliveries, water, django_capture_on_commit_callbacks
):
    withheld = add_delivery(water, status=Signature.Status.REJECTED, last_error="Withheld")
    chosen = [withheld.pk, deliveries["sent"].pk, deliveries["pending"].pk, 999999]
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(RETRY_URL, {"delivery": chosen}, follow=True)
    html = response.content.decode()
    assert "0 deliveries will be sent again." in html
    assert "4 were left as they are: only failed letters of signatures that count" in html
    assert mail.outbox == []
    withheld.refresh_from_db()
    assert withheld.state == State.FAILED
    assert not PageLogEntry.objects.filter(action=RETRY_DELIVERIES).exists()


def test_retry_without_a_selection_says_so(moderator_client, deliveries):
    response = moderator_client.post(RETRY_URL, {}, follow=True)
    assert "Select at least one failed delivery." in response.content.decode()


def test_retry_of_an_impossible_id_is_refused_with_a_message(moderator_client, deliveries):
    response = moderator_client.post(RETRY_URL, {"delivery": [str(2**63)]}, follow=True)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_only_moderators_get_the_retry_form(client, deliveries):
    viewer = make_user("vera")
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_signature"),
    )
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert "5.1.1 mailbox unavailable" in html
    assert 'id="retry-deliveries"' not in html and 'name="delivery"' not in html
    assert client.post(RETRY_URL, {"delivery": [deliveries["failed"].pk]}).status_code == 403


def test_the_signatures_menu_leads_to_the_failed_deliveries(moderator_client, editor):
    html = moderator_client.get("/admin/").content.decode()
    assert "/admin/signatures/deliveries/?state=failed" in html
    assert "/admin/signatures/signature/" in html

    editors_browser = Client()
    editors_browser.force_login(editor)
    response = editors_browser.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    # Editors see their campaigns' figures (issue 34: counts, no supporter), never the lists.
    assert "/admin/signatures/signature/" not in html
    assert "/admin/signatures/deliveries/" not in html
    assert set(re.findall(r"/admin/signatures/[a-z-]+/", html)) == {"/admin/signatures/live/"}


@pytest.mark.parametrize("query", ["", "?state=failed"])
def test_the_deliveries_screen_names_itself_once(moderator_client, deliveries, query):
    html = moderator_client.get(URL + query).content.decode()
    body = html[html.index("<body") :]

    # Shown once (the header's breadcrumb), besides the screen readers' heading and the menu.
    shown = re.findall(r">\s*Deliveries\s*<", body)
    headings = re.findall(r"<h1[^>]*>\s*Deliveries\s*</h1>", body)
    assert len(headings) == 1
    assert len(shown) == 2, shown  # the hidden heading and the breadcrumb
