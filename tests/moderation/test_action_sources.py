"""Where each action came from, shown to moderators: its detail page, the CSV export, the
CRM's webhook payload and subject access."""

import pytest

from signatures.models import WebhookDelivery, WebhookEndpoint
from signatures.services import privacy, webhooks

from .conftest import add_signature
from .test_export import URL, read_csv, streamed

pytestmark = pytest.mark.django_db

SOURCE = {
    "utm_source": "newsletter",
    "utm_medium": "email",
    "utm_campaign": "=spring appeal",
    "referrer_domain": "news.example.org",
    "partner_site": "partner.example.org",
    "language": "fr",
    "page_language": "fr",  # the campaign's French translation
}
LIST_URL = "/admin/signatures/signature/"


@pytest.fixture
def sourced(water):
    return add_signature(water, email="ana@example.org", **SOURCE)


def test_a_moderator_sees_where_an_action_came_from(moderator_client, sourced):
    html = moderator_client.get(f"{LIST_URL}inspect/{sourced.pk}/").content.decode()
    for label in (
        "utm_source",
        "Referring site",
        "Partner site",
        "Browser language",
        "Page language",
    ):
        assert label.lower() in html.lower()
    for value in SOURCE.values():
        assert value in html


def test_the_export_has_a_column_for_each_source(moderator_client, sourced):
    header, row = read_csv(streamed(moderator_client.get(URL)))
    exported = dict(zip(header, row, strict=True))
    assert exported["utm_source"] == "newsletter"
    assert exported["utm_campaign"] == "'=spring appeal"  # never run as a formula
    assert exported["referring site"] == "news.example.org"
    assert exported["partner site"] == "partner.example.org"
    assert exported["browser language"] == "fr"
    assert exported["page language"] == "fr"


def test_the_webhook_and_subject_access_carry_the_sources(site, sourced, moderator):
    endpoint = WebhookEndpoint.objects.create(site=site, name="CRM", url="https://crm.example")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, signature=sourced, event=webhooks.EVENT_COUNTED
    )

    assert webhooks.payload(delivery)["source"] == SOURCE
    [given] = privacy.subject_access("ana@example.org", moderator)["signatures"]
    assert {name: given[name] for name in SOURCE} == SOURCE
