"""The statistics page and the live campaigns overview in headless Chromium, without
JavaScript: the chart is drawn by the server.

Takes the screenshots the README shows (docs/screenshots/statistics.png and
live-campaigns.png). A test run keeps them in a temporary folder; to regenerate the README's:
`CLARION_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_statistics.py`.
"""

import random
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from insights.models import PageViewDay
from signatures.emails import email_key
from signatures.models import Signature
from signatures.services.signing import record_signature
from tests.factories import CampaignPageFactory

from .conftest import DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a long moderator password"
PERSONS_BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
# (source: utm_source, utm_medium, referrer), its share of views, and of those who act.
SOURCES = [
    (("newsletter", "email", ""), 0.30, 0.22),
    (("", "", "facebook.com"), 0.25, 0.06),
    (("", "", ""), 0.21, 0.09),
    (("", "", "news.example.org"), 0.15, 0.04),
    # The thank-you page's share links (campaigns.sharing), as friends follow them.
    (("facebook", "share", ""), 0.06, 0.14),
    (("whatsapp", "share", ""), 0.03, 0.18),
]
LANGUAGES = [("en", 0.7), ("fr", 0.2), ("es", 0.1)]


@pytest.fixture
def moderator(db):
    user = get_user_model().objects.create_user("mona", "mona@staff.example", PASSWORD)
    group, _ = Group.objects.get_or_create(name="Signature moderators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="signatures", codename="view_signature"),
    )
    user.groups.add(group)
    return user


def two_weeks_of(campaign, daily_views, seed, earlier=()):
    """Views and counted actions over the 13 days before today, as the counters would have
    left them; returns the supporters' addresses. Some of `earlier` act again."""
    rng = random.Random(seed)
    today = timezone.localdate()
    earlier = list(earlier)
    views, actions = [], []  # actions: (signature, days ago)
    for back in range(13, 0, -1):
        day = today - timedelta(days=back)
        total = int(daily_views * (0.6 + 0.8 * rng.random()) * (1.5 if back in (9, 3) else 1))
        for index, ((utm_source, utm_medium, referrer), share, acting) in enumerate(SOURCES):
            label = f"{utm_source} / {utm_medium}" if utm_source else referrer
            seen = int(total * share)
            views.append(
                PageViewDay(campaign=campaign, day=day, dimension="source", value=label, views=seen)
            )
            for n in range(int(seen * acting)):
                address = f"{campaign.slug}.{back}.{index}.{n}@example.org"
                if earlier and n % 4 == 0:
                    address = earlier.pop()
                language = rng.choices([code for code, _ in LANGUAGES], [w for _, w in LANGUAGES])[
                    0
                ]
                signature = Signature(
                    campaign=campaign,
                    first_name="Sam",
                    last_name="Supporter",
                    email=address,
                    email_key=email_key(address),
                    utm_source=utm_source,
                    utm_medium=utm_medium,
                    referrer_domain=referrer,
                    utm_campaign="spring-appeal" if utm_source else "",
                    language=language,
                    partner_site="partner.example.org" if n % 7 == 0 else "",
                )
                actions.append((signature, back))
        for dimension, values in (
            ("language", LANGUAGES),
            ("partner_site", [("", 0.9), ("partner.example.org", 0.1)]),
            ("utm_campaign", [("spring-appeal", 0.35), ("", 0.65)]),
        ):
            for value, share in values:
                views.append(
                    PageViewDay(
                        campaign=campaign,
                        day=day,
                        dimension=dimension,
                        value=value,
                        views=int(total * share),
                    )
                )
    PageViewDay.objects.bulk_create(views)
    Signature.objects.bulk_create([signature for signature, _back in actions])
    for back in range(13, 0, -1):  # created now: moved to the day they belong to
        Signature.objects.filter(pk__in=[s.pk for s, days in actions if days == back]).update(
            created_at=timezone.now() - timedelta(days=back)
        )
    return [signature.email for signature, _back in actions]


def test_the_statistics_page_and_the_overview_work_without_javascript(
    live_server, chromium, moderator, demo_campaign, screenshots
):
    other = CampaignPageFactory(
        parent=demo_campaign.get_parent(), title="Free the journalists", counter_goal=2500
    )
    earlier = two_weeks_of(other, 180, seed=2)
    two_weeks_of(demo_campaign, 260, seed=1, earlier=earlier[:60])

    # Today's visits, counted by the server as they come (not flushed yet).
    visitor = chromium.new_context(user_agent=PERSONS_BROWSER).new_page()
    for query, referer in (
        ("?utm_source=newsletter&utm_medium=email", None),
        ("", "https://facebook.com/"),
    ):
        for _ in range(3):
            visitor.goto(live_server.url + demo_campaign.url + query, referer=referer)
    visitor.context.close()
    for n in range(3):
        record_signature(
            demo_campaign,
            {"first_name": "Ana", "last_name": "Okonjo", "email": f"today{n}@example.org"},
            source={"utm_source": "newsletter", "utm_medium": "email"},
        )

    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("mona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/admin/signatures/statistics/{demo_campaign.pk}/")
    chart = page.get_by_role("img", name="Views and actions per day")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 600
    by_source = page.get_by_role("table", name="By source")
    assert by_source.get_by_role("cell", name="newsletter / email").is_visible()
    shares = page.get_by_role("table", name="From shares, by network")
    assert shares.locator("tbody td:first-child").all_inner_texts() == ["facebook", "whatsapp"]
    assert "6 views are from the last minute" in page.content()
    assert page.get_by_role("table", name="First-time and returning supporters").is_visible()
    # What staff see, with JavaScript, at a desktop's width.
    staff = chromium.new_context(viewport={"width": 1366, "height": 2300})
    staff.add_cookies(context.cookies())
    shown = staff.new_page()
    shown.goto(f"{live_server.url}/admin/signatures/statistics/{demo_campaign.pk}/")
    shown.screenshot(path=screenshots / "statistics.png")
    shown.goto(f"{live_server.url}/admin/signatures/live/")
    shown.set_viewport_size({"width": 1366, "height": 560})
    shown.screenshot(path=screenshots / "live-campaigns.png")
    staff.close()

    page.goto(f"{live_server.url}/admin/signatures/live/")
    rows = page.locator("tbody tr")
    assert rows.first.locator("td").first.inner_text() == "3"  # actions today
    # One line per campaign, its French translation included: this one, the other, and
    # the demo's campaign to representatives.
    assert rows.count() == 3
    assert rows.first.get_by_role("link").inner_text() == demo_campaign.title  # busiest first
    assert page.locator("progress").count() == 3  # each has a goal
    context.close()
