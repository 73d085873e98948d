"""A supporter who uses only the keyboard, large text or no animation, in Chromium."""

import pytest
from playwright.sync_api import expect

from signatures.models import Signature
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),
]

#: Whether the focused element shows a focus ring of at least 2 px (WCAG 2.4.7) and is
#: neither off screen nor hidden under anything (2.4.11): what lies at its centre is itself.
FOCUS_SEEN = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const box = el.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const onScreen = y >= 0 && y <= innerHeight && x >= 0 && x <= innerWidth;
  const top = onScreen && document.elementFromPoint(x, y);
  const uncovered = !!top && (el === top || el.contains(top) || top.contains(el) ||
                              (el.labels && [...el.labels].some(l => l.contains(top))));
  const under = top ? (top.id || top.className || top.tagName) : "off screen";
  return {name: el.name || el.id || el.getAttribute("href") || el.textContent.trim().slice(0, 40),
          ring, uncovered, under};
}"""


@pytest.fixture
def demo(live_server, demo_campaign, settings):
    settings.CLARION_MIN_FILL_SECONDS = 0
    return live_server.url + demo_campaign.url


def tab_to(page, name, limit=80):
    """Press Tab until the element named `name` (its name or id) has the focus; on the way,
    every element that takes the focus must show it, uncovered."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SEEN)
        assert focus["ring"] and focus["uncovered"], focus
        if focus["name"] == name:
            return
    raise AssertionError(f"{name} never took the focus")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_supporter_acts_with_the_keyboard_alone_and_hears_what_to_correct(
    chromium, demo, viewport
):
    context = chromium.new_context(viewport=viewport, reduced_motion="reduce")
    page = context.new_page()
    page.goto(demo)

    tab_to(page, "first_name")
    page.keyboard.type("Ana")
    tab_to(page, "last_name")
    page.keyboard.type("Okonjo")
    tab_to(page, "email")
    page.keyboard.type("ana@")  # not an address
    tab_to(page, "Send my message")
    page.keyboard.press("Enter")

    # The summary takes the focus, so a screen reader reads it out at once...
    summary = page.locator(".form-errors")
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") == "alert"
    # ...and each field's own message is tied to the field it is about.
    email = page.get_by_role("textbox", name="Email")
    error = page.locator("#id_email_error")
    expect(error).to_contain_text("valid email address")
    assert "id_email_error" in email.get_attribute("aria-describedby").split()
    assert email.get_attribute("aria-invalid") == "true"

    # The summary's link leads to the field; the supporter corrects it and sends again.
    tab_to(page, "#id_email")
    page.keyboard.press("Enter")
    expect(email).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("ana@example.org")
    tab_to(page, "Send my message")
    page.keyboard.press("Enter")

    page.wait_for_url("**/thank-you/")
    assert Signature.objects.get().email == "ana@example.org"
    context.close()


def test_every_link_and_field_of_the_page_shows_its_focus_uncovered_on_a_phone(chromium, demo):
    context = chromium.new_context(viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    page.goto(demo)
    page.locator("details.letter summary").click()  # the letter's fields too
    page.locator("body").click(position={"x": 1, "y": 1})

    seen = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate(
            "document.activeElement.dataset.visited || document.activeElement === document.body"
        ):
            break  # round the page once
        page.evaluate("document.activeElement.dataset.visited = 'yes'")
        focus = page.evaluate(FOCUS_SEEN)
        seen.add(focus["name"])
        assert focus["ring"] and focus["uncovered"], focus
    assert {"first_name", "email", "Send my message", "share-url"} <= seen


def test_after_the_story_a_phone_keeps_a_way_back_to_the_form(chromium, demo):
    context = chromium.new_context(
        viewport=PHONE, java_script_enabled=False, reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(demo)
    back = page.get_by_role("link", name="Take action now")

    # Half way down the story, the way back is on screen...
    story = page.locator(".story").bounding_box()
    page.mouse.wheel(0, story["y"] + story["height"] / 2 - PHONE["height"] / 2)
    expect(back).to_be_in_viewport()
    # ...and at the very end it rests below everything, hiding nothing.
    page.locator(".site-footer").scroll_into_view_if_needed()
    share = page.locator(".share").bounding_box()
    link = back.bounding_box()
    assert link["y"] >= share["y"] + share["height"]

    back.click()  # a plain link: no script needed
    expect(page.get_by_label("First name")).to_be_in_viewport()
    context.close()


def test_on_a_desktop_the_form_stays_in_view_and_needs_no_way_back(chromium, demo):
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(demo)
    page.keyboard.press("End")

    expect(page.get_by_role("link", name="Take action now")).to_be_hidden()
    expect(page.locator(".action")).to_be_in_viewport()
    context.close()


def test_motion_follows_the_supporters_preference(chromium, demo):
    scroll_behaviour = "getComputedStyle(document.documentElement).scrollBehavior"
    for preference, behaviour in (("reduce", "auto"), ("no-preference", "smooth")):
        context = chromium.new_context(viewport=PHONE, reduced_motion=preference)
        page = context.new_page()
        page.goto(demo)
        assert page.evaluate(scroll_behaviour) == behaviour, preference
        # No transition or animation anywhere when motion is reduced.
        if preference == "reduce":
            assert page.evaluate(
                """[...document.querySelectorAll('*')].every(el => {
                     const s = getComputedStyle(el);
                     return s.animationName === 'none' &&
                       s.transitionDuration.split(',').every(d => parseFloat(d) === 0);
                   })"""
            )
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_text_enlarged_to_200_percent_loses_nothing(chromium, demo, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(demo)
    label = page.locator('label[for="id_first_name"]')
    label_size = label.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    # What a browser's text-size setting does: the root size doubles, rem and em follow.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.locator("details.letter summary").click()

    assert label.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") == pytest.approx(
        2 * label_size
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # No text cut off: no element hides overflowing text of its own.
    clipped = page.evaluate(
        """[...document.querySelectorAll('main *')].filter(el => {
             const s = getComputedStyle(el);
             const hides = ['hidden', 'clip'].includes(s.overflowX) ||
                           ['hidden', 'clip'].includes(s.overflowY);
             return hides && el.innerText && el.innerText.trim() &&
                    (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
           }).map(el => el.className || el.tagName)"""
    )
    assert clipped == []
    for field in ("#id_first_name", "#id_email", "#id_letter_body", "#id_consent"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], field
    context.close()
