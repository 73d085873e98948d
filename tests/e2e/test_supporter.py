import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supporter_signs_the_demo_campaign_and_sees_the_counter_grow(
    live_server, browser_page, demo_campaign
):
    campaign = demo_campaign
    page = browser_page
    page.goto(live_server.url + campaign.url)
    assert page.locator(".counter strong").inner_text() == "742"

    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Country").select_option("PT")
    page.get_by_role("button", name="Send my message").click()

    page.wait_for_url("**/thank-you/")
    assert page.get_by_role("heading", name="Thank you for taking action").is_visible()
    assert page.locator(".counter strong").inner_text() == "743"
