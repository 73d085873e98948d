"""The webhook screens are for those with a permission on webhooks only (issue 15, finding 9).

Endpoints' names and URLs, and the log's signature ids and states, are no business of
editors or moderators: every webhook route, collected from the URL patterns themselves so
a new one cannot be forgotten, answers them 403.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from signatures.models import WebhookDelivery, WebhookEndpoint
from tests.factories import CampaignPageFactory
from tests.moderation.conftest import add_signature, make_user

pytestmark = pytest.mark.django_db


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and "webhook" in namespace:
            yield f"{namespace}:{pattern.name}", tuple(pattern.pattern.regex.groupindex)


ROUTES = sorted(set(_names(get_resolver().url_patterns)))
ROUTE_IDS = [name for name, _groups in ROUTES]


@pytest.fixture
def log(site):
    campaign = CampaignPageFactory(parent=site.root_page)
    endpoint = WebhookEndpoint.objects.create(
        site=site, name="Hidden CRM", url="https://crm.example/hook"
    )
    signature = add_signature(campaign)
    return WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)


def url_for(route, log):
    name, groups = route
    pk = log.endpoint_id if "webhookendpoint" in name else log.pk
    return reverse(name, kwargs={group: pk for group in groups})


def test_the_routes_under_test_include_every_screen():
    for model in ("webhookendpoint", "webhookdelivery"):
        assert {
            f"wagtailsnippets_signatures_{model}:list",
            f"wagtailsnippets_signatures_{model}:edit",
            f"wagtailsnippetchoosers_signatures_{model}:choose",
            f"wagtailsnippetchoosers_signatures_{model}:choose_results",
            f"wagtailsnippetchoosers_signatures_{model}:chosen",
        } <= set(ROUTE_IDS)


@pytest.mark.parametrize("group", ["Editors", "Moderators", "Signature moderators"])
def test_without_a_webhook_permission_every_webhook_screen_is_403(client, log, group):
    client.force_login(make_user("eddie", group))
    answers = {}
    for route in ROUTES:
        response = client.get(url_for(route, log))
        html = response.content.decode()
        leaks = "Hidden CRM" in html or "crm.example" in html
        answers[route[0]] = (response.status_code, leaks)
    assert answers == dict.fromkeys(ROUTE_IDS, (403, False))


def test_a_user_allowed_to_read_the_log_may_choose_from_it_but_not_from_endpoints(client, log):
    reader = make_user("rita")
    reader.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_webhookdelivery"),
    )
    client.force_login(reader)
    chooser = "/admin/snippets/choose/signatures/webhook{}/"
    assert client.get(chooser.format("delivery")).status_code == 200
    assert client.get(chooser.format("endpoint")).status_code == 403
    assert client.get("/admin/snippets/signatures/webhookdelivery/").status_code == 200
