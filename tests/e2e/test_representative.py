"""A supporter writes to their own representative: the page names them as the postal code is
typed, the thank-you page names them again, and the letter arrives at their address."""

import pytest
from django.core.management import call_command

from tests.e2e.accessibility import wcag_violations
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def representative_campaign(demo_campaign):
    """The demo's second campaign (load_demo, run by demo_campaign), to the supporter's MP."""
    from campaigns.models import CampaignPage

    call_command("load_demo")  # idempotent
    return CampaignPage.objects.get(slug="write-to-your-representative")


def test_a_supporter_sees_their_representative_sends_and_the_letter_arrives(
    live_server, chromium, representative_campaign, smtp_server
):
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + representative_campaign.url)

    status = page.get_by_role("status").filter(has_text="representative")
    page.get_by_label("Postal code").fill("x9x 9x9")
    page.get_by_text("We could not find a representative for this postal code.").wait_for()
    page.get_by_label("Postal code").fill("k1a 0a6")
    page.get_by_text("Your representative: Margaret Lowell, Parliament Hill (demo)").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    # Right under the postal code that found them, before anything else in the form.
    postal_code = page.get_by_label("Postal code").bounding_box()
    found = status.bounding_box()
    assert 0 <= found["y"] - (postal_code["y"] + postal_code["height"]) < 24
    assert found["y"] < page.get_by_role("button", name="Send my letter").bounding_box()["y"]

    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_role("textbox", name="Email").fill("ana@example.org")
    page.get_by_role("button", name="Send my letter").click()
    page.get_by_role("heading", name="Thank you for taking action").wait_for()
    assert "Your letter goes to your representative:" in page.content()
    assert page.locator(".thanks__recipients").inner_text().count("Margaret Lowell") == 1

    [letter] = smtp_server.wait_for(1, timeout=30)
    assert letter["To"].addresses[0].addr_spec == "margaret.lowell@demo-parliament.example.org"
    body = letter.get_content()
    assert body.startswith("Dear Margaret Lowell,")  # by name, as a person writes
    assert body.count("Ana Okonjo") == 1  # signed once
    context.close()


def test_without_javascript_the_thank_you_page_names_the_representative(
    live_server, chromium, representative_campaign, smtp_server
):
    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + representative_campaign.url)
    page.get_by_label("Postal code").fill("M5V 2T6")
    page.get_by_label("First name").fill("Bo")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_role("textbox", name="Email").fill("bo@example.org")
    page.get_by_role("button", name="Send my letter").click()
    page.get_by_role("heading", name="Thank you for taking action").wait_for()
    assert "Sofia Marchetti" in page.locator(".thanks__recipients").inner_text()
    [letter] = smtp_server.wait_for(1, timeout=30)
    assert letter["To"].addresses[0].addr_spec == "sofia.marchetti@demo-parliament.example.org"
    context.close()


def test_the_representative_campaign_and_its_thank_you_are_accessible(
    live_server, chromium, representative_campaign, smtp_server
):
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + representative_campaign.url)
    page.get_by_label("Postal code").fill("K2P 1L4")
    page.get_by_text("Your representative: Daniel Okafor, Ottawa Centre (demo)").wait_for()
    assert wcag_violations(page) == []

    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_role("textbox", name="Email").fill("ana@example.org")
    page.get_by_role("button", name="Send my letter").click()
    page.get_by_role("heading", name="Thank you for taking action").wait_for()
    assert wcag_violations(page) == []
    context.close()


def test_a_supporter_on_a_code_straddling_districts_chooses_and_writes_to_that_one_only(
    live_server, chromium, representative_campaign, smtp_server
):
    from tests.factories import representative

    directory = representative_campaign.directory
    for name, district in [("Ada Vanier", "Vanier (demo)"), ("Ben Orleans", "Orléans (demo)")]:
        email = f"{name.split()[0].lower()}@demo-parliament.example.org"
        representative(
            directory, name, ["K1C 2B5"], district=district, email=email, salutation="Ms"
        )
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + representative_campaign.url)

    page.get_by_label("Postal code").fill("K1C 2B5")
    page.get_by_role("status").filter(has_text="shared by several districts").wait_for()
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_role("textbox", name="Email").fill("ana@example.org")
    page.get_by_role("button", name="Send my letter").click()

    # The page comes back asking which district, the details kept.
    choice = page.get_by_role("group", name="Your district")
    choice.wait_for()
    assert page.get_by_role("textbox", name="Email").input_value() == "ana@example.org"
    assert wcag_violations(page) == []
    choice.get_by_label("Vanier (demo): Ms Ada Vanier").check()
    page.get_by_role("button", name="Send my letter").click()
    page.get_by_role("heading", name="Thank you for taking action").wait_for()
    recipients = page.locator(".thanks__recipients").inner_text()
    assert "Ada Vanier" in recipients and "Ben Orleans" not in recipients

    [letter] = smtp_server.wait_for(1, timeout=30)
    assert letter["To"].addresses[0].addr_spec == "ada@demo-parliament.example.org"
    # The demo's letter greets by name (issue 34), whatever the salutation.
    assert letter.get_content().startswith("Dear Ada Vanier,")
    assert len(smtp_server.wait_for(2, timeout=3)) == 1  # and to nobody else
    context.close()
