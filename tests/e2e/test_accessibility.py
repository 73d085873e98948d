"""WCAG 2.2 AA, checked by axe-core in Chromium on every page a supporter meets and on
Clarion's own admin screens: each must have no violation of the A and AA rules."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import CampaignPage
from signatures.models import Signature
from signatures.services.confirmation import token_for
from signatures.services.signing import record_signature
from tests.e2e.accessibility import wcag_violations
from tests.e2e.conftest import DESKTOP, PHONE, sign_as_a_supporter
from tests.e2e.test_embed import HOST_PAGE, PartnerSite
from tests.factories import SUPPORTER

# PostgreSQL: the admin sends several requests at once, which SQLite's test database refuses.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),
]


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo(live_server, demo_campaign):
    return live_server.url + demo_campaign.url


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_campaign_page(request, demo, viewport):
    page = request.getfixturevalue(viewport)
    page.goto(demo)
    page.locator("details.letter summary").click()  # the letter's fields, opened

    assert wcag_violations(page) == []


def test_the_campaign_page_showing_what_to_correct(phone, demo, settings):
    settings.CLARION_MIN_FILL_SECONDS = 0
    phone.goto(demo)
    phone.get_by_role("textbox", name="Email").fill("ana@")
    phone.get_by_role("button", name="Send my message").click()
    expect(phone.locator(".form-errors")).to_be_visible()

    assert wcag_violations(phone) == []


def test_the_thank_you_page(phone, demo):
    phone.goto(demo)
    sign_as_a_supporter(phone)

    assert wcag_violations(phone) == []


def test_the_thank_you_page_of_an_action_to_confirm(phone, demo, demo_campaign):
    CampaignPage.objects.filter(pk=demo_campaign.pk).update(confirmation_required=True)
    phone.goto(demo)
    sign_as_a_supporter(phone, heading="One more step: confirm your action")

    assert wcag_violations(phone) == []


@pytest.mark.parametrize("state", ["to-confirm", "confirmed", "expired"])
def test_the_confirmation_page(phone, live_server, demo_campaign, state):
    CampaignPage.objects.filter(pk=demo_campaign.pk).update(confirmation_required=True)
    record_signature(
        CampaignPage.objects.get(pk=demo_campaign.pk),
        SUPPORTER,
    )
    token = token_for(Signature.objects.get()) + ("x" if state == "expired" else "")
    phone.goto(f"{live_server.url}/act/confirm/{token}/")
    if state == "confirmed":
        phone.get_by_role("button", name="Confirm my action").click()
        expect(
            phone.get_by_role("heading", name="Thank you: your action is confirmed")
        ).to_be_visible()

    assert wcag_violations(phone) == []


def test_a_closed_campaign(phone, demo, demo_campaign):
    CampaignPage.objects.filter(pk=demo_campaign.pk).update(closes_at=timezone.now())
    phone.goto(demo)
    expect(phone.get_by_text("This campaign is closed")).to_be_visible()

    assert wcag_violations(phone) == []


def test_the_embedded_form_on_a_partners_page(desktop, live_server, demo_campaign, settings):
    html = HOST_PAGE.format(
        script=f"{live_server.url}/static/clarion/embed.js", campaign=demo_campaign.pk
    )
    with PartnerSite(html) as partner:
        settings.CORS_ALLOWED_ORIGINS = [partner.origin]
        desktop.goto(partner.origin + "/")
        embed = desktop.locator(".clarion-embed")
        expect(embed.get_by_label("First name")).to_be_visible()
        assert wcag_violations(desktop) == []

        embed.get_by_role("button", name=demo_campaign.button_label).click()  # sent empty
        expect(embed.locator(".clarion-status")).not_to_be_empty()
        assert wcag_violations(desktop) == []


def test_the_check_finds_what_is_missing(desktop, live_server):
    """The check itself: a picture without a description and a field without a label fail."""
    html = '<!DOCTYPE html><html lang="en"><title>T</title><main><img src="/x.png"><input></main>'
    with PartnerSite(html) as partner:
        desktop.goto(partner.origin + "/")
        found = {line.split(":")[0] for line in wcag_violations(desktop)}
    assert {"image-alt", "label"} <= found


ADMIN_PASSWORD = "a long administrator password"


@pytest.fixture
def admin_page(desktop, live_server, demo_campaign):
    get_user_model().objects.create_superuser("ada", "ada@staff.example", ADMIN_PASSWORD)
    for first, last in (("Ana", "Okonjo"), ("Bruno", "Sousa")):
        record_signature(
            demo_campaign,
            {"first_name": first, "last_name": last, "email": f"{first}@example.org"},
        )
    desktop.set_default_timeout(60_000)
    desktop.goto(live_server.url + "/admin/login/")
    desktop.get_by_label("Username").fill("ada")
    desktop.get_by_label("Password").fill(ADMIN_PASSWORD)
    desktop.get_by_role("button", name="Sign in").click()
    desktop.wait_for_url(live_server.url + "/admin/")
    return desktop


@pytest.mark.parametrize(
    "screen",
    [
        "/admin/signatures/signature/",
        "/admin/signatures/statistics/{campaign}/",
        "/admin/signatures/data-requests/",
        "/admin/signatures/deliveries/",
    ],
    ids=["signatures", "statistics", "data-requests", "deliveries"],
)
def test_clarions_admin_screens(admin_page, live_server, demo_campaign, screen):
    response = admin_page.goto(live_server.url + screen.format(campaign=demo_campaign.pk))
    assert response.status == 200
    admin_page.wait_for_load_state("networkidle")

    assert wcag_violations(admin_page) == []
