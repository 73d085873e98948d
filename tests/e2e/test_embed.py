"""The embeddable form on a partner's page: another origin, real browser, real API."""

import json

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from campaigns.models import CampaignPage
from signatures.models import Signature
from signatures.services import signing
from tests.factories import CampaignPageFactory
from tests.loopback import LoopbackServer, QuietHandler
from tests.signatures.test_sources import recorded_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The script loads from one server and calls another: allow for a busy CI machine.
expect.set_options(timeout=20_000)

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head>
<body style="font-family: Georgia, serif">
<h1>Our partner's page</h1>
<script src="{script}" data-campaign="{campaign}"></script>
</body></html>"""


class PartnerSite(LoopbackServer):
    """A page on a different origin (127.0.0.1) that embeds the form."""

    def __init__(self, html: str):
        page = html.encode()

        class Handler(QuietHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

        super().__init__(Handler)


@pytest.fixture
def partner_page(live_server, site, settings):
    campaign = CampaignPageFactory(parent=site.root_page, counter_offset=41)
    html = HOST_PAGE.format(
        script=f"{live_server.url}/static/clarion/embed.js", campaign=campaign.pk
    )
    with PartnerSite(html) as partner:
        settings.CORS_ALLOWED_ORIGINS = [partner.origin]
        assert partner.origin.split(":")[1] != live_server.url.split(":")[1]  # other host
        yield campaign, partner


def test_the_embedded_form_renders_submits_and_the_counter_grows(partner_page, browser_page):
    campaign, partner = partner_page
    page = browser_page
    page.goto(partner.origin + "/")

    embed = page.locator(".clarion-embed")
    expect(embed.get_by_role("heading", name=campaign.ask)).to_be_visible()
    expect(embed.locator(".clarion-count")).to_have_text("41")
    # The host page's font, not ours.
    first_name = embed.get_by_label("First name")
    assert "Georgia" in first_name.evaluate("el => getComputedStyle(el).fontFamily")

    # Sent empty: each error is shown by its field and tied to it for screen readers.
    embed.get_by_role("button", name=campaign.button_label).click()
    error = embed.locator(f"#{first_name.get_attribute('id')}-error")
    expect(error).to_have_text("This field is required.")
    assert first_name.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in first_name.get_attribute("aria-describedby")
    expect(embed.locator(".clarion-status")).not_to_be_empty()
    assert Signature.objects.count() == 0

    first_name.fill("Ana")
    embed.get_by_label("Last name").fill("Okonjo")
    embed.get_by_role("textbox", name="Email").fill("ana@example.org")
    embed.get_by_label("Country").select_option("PT")
    embed.get_by_role("button", name=campaign.button_label).click()

    expect(embed.get_by_text(campaign.thank_you_message)).to_be_visible()
    expect(embed.locator(".clarion-count")).to_have_text("42")
    signature = Signature.objects.get()
    assert (signature.email, signature.country.code) == ("ana@example.org", "PT")


def test_an_arabic_campaign_is_embedded_right_to_left_in_arabic(partner_page, browser_page):
    campaign, partner = partner_page
    CampaignPage.objects.filter(pk=campaign.pk).update(
        locale=Locale.objects.get_or_create(language_code="ar")[0]
    )
    page = browser_page
    page.goto(partner.origin + "/")

    embed = page.locator(".clarion-embed")
    expect(embed.get_by_label("الاسم الأول")).to_be_visible()  # "First name"
    assert (embed.get_attribute("lang"), embed.get_attribute("dir")) == ("ar", "rtl")
    expect(embed.locator(".clarion-counter")).to_contain_text("عدد المشاركات")  # "Actions so far"


def act_as_ana(embed, campaign):
    embed.get_by_label("First name").fill("Ana")
    embed.get_by_label("Last name").fill("Okonjo")
    embed.get_by_role("textbox", name="Email").fill("ana@example.org")
    embed.get_by_role("button", name=campaign.button_label).click()


def test_a_page_from_an_origin_not_allowed_cannot_take_action(partner_page, browser_page, settings):
    campaign, partner = partner_page
    page = browser_page
    page.goto(partner.origin + "/")
    embed = page.locator(".clarion-embed")
    expect(embed.get_by_label("First name")).to_be_visible()

    settings.CORS_ALLOWED_ORIGINS = []  # the partner is taken off the allow-list
    act_as_ana(embed, campaign)

    expect(embed.locator(".clarion-status")).to_have_text(
        "Your action could not be sent. Please check your connection and try again."
    )
    assert Signature.objects.count() == 0


def test_a_server_error_is_not_blamed_on_the_supporters_connection(
    partner_page, browser_page, monkeypatch
):
    campaign, partner = partner_page
    page = browser_page
    page.goto(partner.origin + "/")
    embed = page.locator(".clarion-embed")

    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(signing, "record_signature", fail)  # the live server runs in this process
    act_as_ana(embed, campaign)

    expect(embed.locator(".clarion-status")).to_have_text(
        "Something went wrong on our side. Please try again in a few minutes."
    )


def test_a_campaign_that_cannot_be_loaded_is_said_so_in_the_pages_language(
    live_server, site, browser_page
):
    script = f"{live_server.url}/static/clarion/embed.js"
    html = (
        f'<!DOCTYPE html><html lang="fr"><body><script src="{script}" data-campaign="999999" '
        'data-unavailable="Cette campagne ne peut pas être chargée." async></script></body></html>'
    )
    with PartnerSite(html) as partner:
        browser_page.goto(partner.origin + "/")

        expect(browser_page.get_by_role("alert")).to_have_text(
            "Cette campagne ne peut pas être chargée."
        )


def test_an_error_about_the_whole_form_is_shown_beside_field_errors(partner_page, browser_page):
    campaign, partner = partner_page
    page = browser_page
    answer = {
        "type": "about:blank",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "Please correct the details below.",
        "errors": [
            {"loc": ["body", "email"], "msg": "Enter a valid email address.", "type": "invalid"},
            {"loc": ["body"], "msg": "One action per address, please.", "type": "invalid"},
        ],
    }
    # The answer as the API could give it: both kinds of error at once.
    page.route(
        "**/signatures/",
        lambda route: route.fulfill(
            status=422,
            content_type="application/problem+json",
            headers={"Access-Control-Allow-Origin": partner.origin},
            body=json.dumps(answer),
        ),
    )
    page.goto(partner.origin + "/")
    embed = page.locator(".clarion-embed")
    embed.get_by_label("First name").fill("Ana")
    embed.get_by_role("button", name=campaign.button_label).click()

    status = embed.locator(".clarion-status")
    expect(status).to_contain_text("Please correct the details marked below.")
    expect(status).to_contain_text("One action per address, please.")
    expect(embed.get_by_text("Enter a valid email address.")).to_be_visible()


#: A person's browser: views from headless ones (robots, monitors) are not counted.
PERSONS_BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_the_embed_carries_its_host_pages_sources_and_counts_its_view(partner_page, chromium):
    from insights import page_views

    campaign, partner = partner_page
    page = chromium.new_context(user_agent=PERSONS_BROWSER).new_page()
    page.goto(
        partner.origin + "/?utm_source=Partner-List&utm_medium=web&utm_campaign=spring",
        referer="https://www.news.example.org/story/ana-okonjo",
    )
    embed = page.locator(".clarion-embed")
    expect(embed.get_by_label("First name")).to_be_visible()

    act_as_ana(embed, campaign)

    expect(embed.get_by_text(campaign.thank_you_message)).to_be_visible()
    signature = Signature.objects.get()
    host = partner.origin.split("//")[1].split(":")[0]
    assert recorded_source(signature) == ("partner-list", "web", "spring", "news.example.org", host)
    # The form's view was counted, from the partner's page, with the same source.
    views = page_views.pending(campaign.pk)
    assert {(key[2], key[3]): n for key, n in views.items()} == {
        ("source", "partner-list / web"): 1,
        ("utm_campaign", "spring"): 1,
        ("partner_site", host): 1,
        ("language", "en"): 1,
        ("page_language", "en"): 1,  # the translation the form is of (issue 28)
    }
    page.context.close()
