"""The moderation screens keep supporters' data out of URLs and logs: every form that takes
an email, a name or an IP address is POSTed, and nothing they do logs such data."""

import logging
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission

from signatures.models import Signature, WebhookDelivery, WebhookEndpoint

from .conftest import add_signature, make_user

pytestmark = pytest.mark.django_db
EMAIL = "wanjiru.kamau@example.org"
# Inputs that carry (or search by) personal data.
PERSONAL_INPUTS = {"q", "email", "ip_address", "email_domain", "first_name", "last_name"}
SCREENS = [
    "/admin/signatures/signature/",
    "/admin/signatures/invalidate/",
    "/admin/signatures/data-requests/",
    "/admin/signatures/deliveries/",
    "/admin/signatures/exports/",
]


class FormCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = {}  # id or position -> (method, input names)
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = attrs.get("id") or f"form {len(self.forms)}"
            self.forms[self.current] = ((attrs.get("method") or "get").lower(), set())
        elif tag in {"input", "select", "textarea"} and attrs.get("name"):
            owner = attrs.get("form") or self.current
            if owner in self.forms:
                self.forms[owner][1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


@pytest.mark.parametrize("url", SCREENS)
def test_every_form_taking_personal_data_is_posted(moderator_client, water, url):
    add_signature(water, email=EMAIL)
    response = moderator_client.get(url)
    assert response.status_code == 200
    collector = FormCollector()
    collector.feed(response.content.decode())
    personal = {
        form: method for form, (method, names) in collector.forms.items() if names & PERSONAL_INPUTS
    }
    assert all(method == "post" for method in personal.values()), personal


def test_the_moderation_screens_log_no_personal_data(
    moderator_client, water, caplog, django_capture_on_commit_callbacks
):
    """Searching, exporting, invalidating by IP and erasing, with every log record kept."""
    add_signature(water, email=EMAIL, first_name="Wanjiru")
    add_signature(water, ip_address="198.51.100.77")
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        location = moderator_client.post("/admin/signatures/signature/", {"q": EMAIL})["Location"]
        moderator_client.get(location)
        moderator_client.post("/admin/signatures/export/", {"query": urlsplit(location).query})
        rule = {"ip_address": "198.51.100.77", "status": Signature.Status.SPAM}
        moderator_client.post("/admin/signatures/invalidate/", rule | {"confirm": "1"})
        moderator_client.post(
            "/admin/signatures/data-requests/",
            {"email": EMAIL, "action": "erase", "confirm": "on"},
        )
    assert Signature.objects.filter(status=Signature.Status.SPAM).count() == 1
    assert not Signature.objects.filter(email=EMAIL).exists()  # erased
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    for personal in (EMAIL, "Wanjiru", "198.51.100.77"):
        assert personal not in logged


def test_the_webhook_log_shows_the_signature_number_not_the_supporter(client, site, water):
    signature = add_signature(water, first_name="Wanjiru", last_name="Kamau")
    endpoint = WebhookEndpoint.objects.create(site=site, name="CRM", url="https://crm.example/")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)
    reader = make_user("rita")
    reader.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_webhookdelivery"),
    )
    client.force_login(reader)
    response = client.get(f"/admin/snippets/signatures/webhookdelivery/inspect/{delivery.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"#{signature.pk}" in html
    assert "Wanjiru" not in html and "Kamau" not in html
