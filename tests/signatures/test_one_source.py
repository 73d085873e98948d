"""The supporter's details and the audit log's action names are each named in one place,
and every screen, file and message that shows them follows it."""

import pytest
from wagtail.log_actions import registry

from campaigns.directory_import import log_action_names
from signatures import log_actions, supporter_fields
from signatures.admin.listing import SignatureAdmin
from signatures.forms import SignatureForm
from signatures.models import Signature
from signatures.services import export
from tests.factories import CampaignPageFactory


def test_every_supporter_detail_is_a_field_of_the_signature():
    names = {field.name for field in Signature._meta.get_fields()}
    named = (*supporter_fields.ALL, *supporter_fields.SOURCE)
    assert set(named) <= names
    assert len(set(named)) == len(named)


@pytest.mark.django_db
def test_the_form_asks_what_the_supporter_gives(site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        country_field="optional",
        postal_code_field="optional",
        phone_field="optional",
        letter_editable=True,
        personal_note_limit=500,
        consent_text="Keep me posted",
    )
    asked = list(SignatureForm(campaign=campaign).fields)
    given = [*supporter_fields.CONTACT, *supporter_fields.WRITTEN, "consent"]
    assert sorted(asked) == sorted(given)
    assert asked[:3] == ["letter_subject", "letter_body", "personal_note"]


def test_the_admin_detail_view_and_the_export_show_every_detail():
    shown = (*supporter_fields.ALL, *supporter_fields.SOURCE)  # and where the action came from
    assert set(shown) <= set(SignatureAdmin.inspect_view_fields)
    labels = [str(label()) for label, _expression in export.COLUMNS]
    for name in shown:
        field = Signature._meta.get_field(name)
        assert str(export.HEADERS.get(name, field.verbose_name)) in labels
    # id, campaign, status, date, and who the letters went to
    assert len(export.COLUMNS) == 5 + len(shown)


def test_every_audit_log_action_is_registered_with_its_wording():
    names = [
        value
        for module in (log_actions, log_action_names)
        for key, value in vars(module).items()
        if key.isupper()
    ]
    # Issue 29: a suppression lifted; 30: an import, a leaving (the directory import's own,
    # in campaigns); 33: reply links, a milestone.
    assert len(names) == 15
    for name in names:
        assert registry.action_exists(name), name
        assert registry.get_action_label(name) != name


@pytest.mark.django_db
def test_subject_access_and_the_webhook_carry_the_details(site, django_user_model):
    from signatures.emails import email_key
    from signatures.models import WebhookDelivery, WebhookEndpoint
    from signatures.services import privacy, webhooks

    campaign = CampaignPageFactory(parent=site.root_page)
    signature = Signature.objects.create(
        campaign=campaign,
        first_name="Ana",
        last_name="Okonjo",
        email="ana@example.org",
        email_key=email_key("ana@example.org"),
    )
    moderator = django_user_model.objects.create(username="moderator")

    [given] = privacy.subject_access("ana@example.org", moderator)["signatures"]
    assert {*supporter_fields.ALL, *supporter_fields.SOURCE} <= set(given)

    endpoint = WebhookEndpoint.objects.create(site=site, name="CRM", url="https://crm.example")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, signature=signature, event=webhooks.EVENT_COUNTED
    )
    sent = webhooks.payload(delivery)["supporter"]
    assert list(sent) == [*supporter_fields.CONTACT, "consent"]
    assert set(sent["consent"]) == {"given", "text", "at"}
    assert list(webhooks.payload(delivery)["source"]) == list(supporter_fields.SOURCE)
