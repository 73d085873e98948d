"""What works: views, actions and conversion per day and by source, returning supporters,
the figures as CSV, and the live campaigns' overview."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from insights import page_views
from reporting.figures import campaign_figures, letters_by_target, live_campaigns
from signatures.models import Signature
from tests.factories import CampaignPageFactory

from .conftest import add_signature

pytestmark = pytest.mark.django_db
Status = Signature.Status


def visit(client, campaign, times=1, query="", **headers):
    for _ in range(times):
        assert client.get(f"{campaign.url}{query}", **headers).status_code == 200


def test_conversion_per_day_and_by_source_counts_views_not_flushed_yet(client, moderator, water):
    visit(client, water, 6, "?utm_source=newsletter&utm_medium=email")
    visit(client, water, 2, HTTP_REFERER="https://social.example/post/1")
    page_views.flush()  # some views in the database, some still in the counters
    visit(client, water, 2, "?utm_source=newsletter&utm_medium=email")
    for _ in range(3):
        add_signature(water, utm_source="newsletter", utm_medium="email")
    add_signature(water, referrer_domain="social.example")
    add_signature(water, referrer_domain="social.example", status=Status.SPAM)  # not counted
    yesterday = add_signature(water)
    Signature.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(days=1))

    figures = campaign_figures(water)

    assert (figures.views, figures.actions, figures.conversion) == (10, 5, 50.0)
    assert figures.pending_views == 2
    assert [(row.views, row.actions, row.conversion) for row in figures.days] == [
        (0, 1, None),  # no views to divide by: no conversion, never a division by zero
        (10, 4, 40.0),
    ]
    by_source = {
        row.value: (row.views, row.actions, row.conversion) for row in figures.breakdowns["source"]
    }
    assert by_source == {
        "newsletter / email": (8, 3, 37.5),
        "social.example": (2, 1, 50.0),
        "": (0, 1, None),
    }

    client.force_login(moderator)
    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()
    assert "newsletter / email" in html and "37.5 %" in html
    assert '<svg class="clarion-chart" role="img"' in html
    assert "2 views are from the last minute" in html


def test_figures_by_partner_site_and_language(water):
    page_views.count(water.pk, {"partner_site": "partner.example.org", "language": "fr"})
    page_views.count(water.pk, {"partner_site": "", "language": "fr"})
    add_signature(water, partner_site="partner.example.org", language="fr")

    figures = campaign_figures(water)

    partners = {row.value: row.conversion for row in figures.breakdowns["partner_site"]}
    assert partners == {"partner.example.org": 100.0, "": 0.0}
    assert [(row.value, row.views, row.actions) for row in figures.breakdowns["language"]] == [
        ("fr", 2, 1)
    ]


def test_shares_and_what_they_brought_by_network(client, moderator, water):
    share = f"?utm_source=facebook&utm_medium=share&utm_campaign={water.slug}"
    visit(client, water, 4, share)
    visit(client, water, 1, f"?utm_source=whatsapp&utm_medium=share&utm_campaign={water.slug}")
    visit(client, water, 3, "?utm_source=newsletter&utm_medium=email")
    add_signature(water, utm_source="facebook", utm_medium="share", utm_campaign=water.slug)

    figures = campaign_figures(water)

    shares = {row.value: (row.views, row.actions) for row in figures.breakdowns["shares"]}
    assert shares == {"facebook": (4, 1), "whatsapp": (1, 0)}
    client.force_login(moderator)
    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()
    assert "From shares, by network" in html


def test_a_missing_tag_reads_not_given_everywhere(client, moderator, water):
    add_signature(water)  # no utm_campaign, no browser language
    client.force_login(moderator)
    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()

    assert "<td>None</td>" not in html
    assert html.count("<td>Not given</td>") == 2  # utm_campaign and the browser's language


def test_one_day_of_figures_draws_one_bar_with_its_date_once(client, moderator, water):
    visit(client, water, 3)
    add_signature(water)
    client.force_login(moderator)
    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()
    start = html.index('<svg class="clarion-chart"')
    chart = html[start : html.index("</svg>", start)]

    views, actions = (
        re.search(rf'<rect class="{kind}" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', chart)
        for kind in ("views", "actions")
    )
    views_x, views_width = float(views.group(1)), float(views.group(2))
    actions_x, actions_width = float(actions.group(1)), float(actions.group(2))
    # One bar: the actions drawn inside the views' bar, centred, not two half blocks side by side.
    assert views_width < 720 / 4
    assert views_x < actions_x and actions_x + actions_width < views_x + views_width
    assert abs((actions_x + actions_width / 2) - (views_x + views_width / 2)) < 1
    assert chart.count(timezone.localdate().isoformat()) == 2  # its title, and its label once


def test_supporters_who_acted_on_an_earlier_campaign_are_counted_not_named(
    client, moderator, water, press
):
    earlier = add_signature(press, email="ana@example.org")
    Signature.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(days=3))
    add_signature(water, email="Ana@Example.org")  # the same supporter, by the duplicate key
    add_signature(water, email="new@example.org")
    add_signature(water, email="spammer@example.org")
    add_signature(press, email="spammer@example.org", status=Status.SPAM)

    figures = campaign_figures(water)
    assert (figures.first_time, figures.returning) == (2, 1)
    # On the earlier campaign, Ana acted first.
    assert campaign_figures(press).returning == 0

    client.force_login(moderator)
    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()
    assert "Acted on an earlier campaign" in html
    assert "ana@example.org" not in html.lower()


def test_the_figures_download_as_csv(client, moderator, water):
    visit(client, water, 4, "?utm_source=%3DHYPERLINK(1)")
    add_signature(water, utm_source="=hyperlink(1)")
    client.force_login(moderator)

    response = client.get(f"/admin/signatures/statistics/{water.pk}/csv/")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["figure", "value", "views", "actions", "conversion %"]
    assert ["total", "", "4", "1", "25.0"] in rows
    assert ["day", timezone.localdate().isoformat(), "4", "1", "25.0"] in rows
    # A visitor's tag never runs as a spreadsheet formula.
    assert ["source", "'=hyperlink(1)", "4", "1", "25.0"] in rows
    assert ["supporters", "first time", "", "1", ""] in rows


def test_the_live_campaigns_overview(client, moderator, site, water):
    water.counter_offset, water.counter_goal = 10, 20
    water.save_revision().publish()
    closed = CampaignPageFactory(
        parent=site.root_page, title="Closed", closes_at=timezone.now() - timedelta(days=1)
    )
    add_signature(water)
    add_signature(water)
    last_week = add_signature(water)
    long_ago = add_signature(water)
    Signature.objects.filter(pk=last_week.pk).update(created_at=timezone.now() - timedelta(days=3))
    Signature.objects.filter(pk=long_ago.pk).update(created_at=timezone.now() - timedelta(days=30))
    add_signature(water, status=Status.PENDING)
    visit(client, water, 6)

    rows = live_campaigns()

    assert [row.campaign.pk for row in rows] == [water.pk]  # not the closed campaign
    row = rows[0]
    assert (row.today, row.week, row.total, row.week_views) == (2, 3, 4, 6)
    assert row.week_conversion == 50.0
    assert (row.shown, row.goal, row.progress) == (14, 20, 70)

    client.force_login(moderator)
    html = client.get("/admin/signatures/live/").content.decode()
    assert 'value="14"' in html and 'max="20"' in html
    assert closed.title not in html


def test_the_letters_to_each_target_sent_waiting_and_failed(client, editor, water):
    from signatures.models import Delivery

    target = water.targets[0]
    for state in ("sent", "sent", "pending", "failed"):
        Delivery.objects.create(signature=add_signature(water), target=target, state=state)

    [line] = letters_by_target(water)
    assert (line.sent, line.waiting, line.failed) == (2, 1, 1)
    client.force_login(editor)  # an editor sees their campaign's figures
    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()
    assert "Letters to targets" in html and str(target) in html


def test_the_statistics_read_in_the_language_the_staff_member_chose(client, editor, water):
    """The screens' wording, from reporting's templates, views and hooks, is in the French
    catalogue (locale/fr)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "fr"
    profile.save()
    client.force_login(editor)

    html = client.get(f"/admin/signatures/statistics/{water.pk}/").content.decode()
    assert "Statistiques\u00a0: Water" in html  # the view's title (a no-break space before ":")
    assert "Par source" in html  # a breakdown's heading
    assert "Télécharger ces chiffres (CSV)" in html  # the template
    assert "Campagnes en ligne" in client.get("/admin/signatures/live/").content.decode()
    edit_page = client.get(f"/admin/pages/{water.pk}/edit/").content.decode()
    assert "Statistiques des signatures" in edit_page  # the campaign page's button
