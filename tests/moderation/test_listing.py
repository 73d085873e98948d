"""The moderation list's filters, search and order, the detail view, statistics."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from signatures.admin.listing import CAMPAIGN_VAR
from signatures.models import Delivery, Signature

from .conftest import add_signature

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/signatures/signature/"
Status = Signature.Status


@pytest.fixture
def rows(water, press):
    now = timezone.now()
    made = {
        "ke_pending": add_signature(
            water, country="KE", status=Status.PENDING, first_name="Wanjiru"
        ),
        "ke_counted": add_signature(press, country="KE", email="otieno@example.org"),
        "de_spam": add_signature(water, country="DE", status=Status.SPAM),
        "old": add_signature(press, country="", status=Status.REJECTED),
    }
    Signature.objects.filter(pk=made["old"].pk).update(created_at=now - timedelta(days=30))
    return made


def listed(client, **params):
    """The rows the list shows; a search term goes through the search box (a POST)."""
    term = params.pop("q", None)
    if term is None:
        response = client.get(LIST_URL, params)
    else:
        searched = client.post(f"{LIST_URL}?{urlencode(params)}", {"q": term})
        assert searched.status_code == 302
        response = client.get(searched["Location"])
    assert response.status_code == 200
    return {row.pk for row in response.context["object_list"]}, response


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"ke_pending", "ke_counted", "de_spam", "old"}),
        ({"campaign__page_ptr__exact": "water"}, {"ke_pending", "de_spam"}),
        ({"status__exact": "spam"}, {"de_spam"}),
        ({"confirmed": "no"}, {"ke_pending"}),
        ({"confirmed": "yes"}, {"ke_counted", "de_spam", "old"}),
        ({"country": "KE"}, {"ke_pending", "ke_counted"}),
        ({"signed_until": "days_ago_20"}, {"old"}),
        ({"signed_from": "today"}, {"ke_pending", "ke_counted", "de_spam"}),
        ({"signed_from": "days_ago_31", "signed_until": "days_ago_29"}, {"old"}),
        ({"country": "KE", "status__exact": "counted"}, {"ke_counted"}),
        ({"q": "Wanjiru"}, {"ke_pending"}),
        ({"q": "otieno@"}, {"ke_counted"}),
    ],
)
def test_filters_and_search(moderator_client, rows, water, params, expected):
    today = timezone.localdate()
    resolved = {}
    for key, value in params.items():
        if value == "water":
            value = water.pk
        elif value == "today":
            value = str(today)
        elif str(value).startswith("days_ago_"):
            value = str(today - timedelta(days=int(value.rsplit("_", 1)[1])))
        resolved[key] = value
    found, _ = listed(moderator_client, **resolved)
    assert found == {rows[name].pk for name in expected}


def test_the_country_filter_offers_the_countries_in_use(moderator_client, rows):
    _, response = listed(moderator_client)
    specs = response.context["view"].filter_specs
    spec = next(s for s in specs if getattr(s, "parameter_name", "") == "country")
    assert [code for code, _name in spec.lookup_choices] == ["DE", "KE"]


def test_a_bad_date_is_ignored_not_a_500_and_said_so(moderator_client, rows):
    found, response = listed(moderator_client, signed_from="yesterday-ish")
    assert len(found) == 4
    said = [str(message) for message in response.context["messages"]]
    assert "“yesterday-ish” is no date (YYYY-MM-DD): the list is not limited by it." in said


def test_a_range_that_ends_before_it_begins_lists_nothing_and_says_why(moderator_client, rows):
    found, response = listed(moderator_client, signed_from="2026-05-02", signed_until="2026-05-01")
    assert found == set()
    said = [str(message) for message in response.context["messages"]]
    assert "The dates signed end before they begin, so no signature is listed." in said


@pytest.mark.parametrize("value", ["abc", "99999999999999999999"])
def test_a_filter_value_the_list_cannot_use_shows_it_unfiltered_and_says_so(
    moderator_client, rows, value
):
    response = moderator_client.get(LIST_URL, {"campaign__page_ptr__exact": value}, follow=True)

    assert response.status_code == 200
    assert len(response.context["object_list"]) == len(rows)
    said = [str(message) for message in response.context["messages"]]
    assert (
        "A filter in the address has a value the list cannot use, so it was shown "
        "unfiltered." in said
    )


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999", "١٢"])
def test_an_id_no_signature_could_have_is_not_found(moderator_client, pk):
    assert moderator_client.get(f"{LIST_URL}inspect/{pk}/").status_code == 404


def test_newest_first(moderator_client, rows):
    _, response = listed(moderator_client)
    dates = [row.created_at for row in response.context["object_list"]]
    assert dates == sorted(dates, reverse=True)


def test_the_list_runs_the_same_queries_for_3_or_60_rows(
    moderator_client, water, django_assert_num_queries
):
    for _ in range(3):
        add_signature(water)
    response = moderator_client.get(LIST_URL)  # warm up caches (site, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        moderator_client.get(LIST_URL)
    for _ in range(57):
        add_signature(water)
    with CaptureQueriesContext(connection) as many:
        response = moderator_client.get(LIST_URL)
    assert len(response.context["object_list"]) == 20
    assert len(many) == len(few)
    counts = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1  # modeladmin alone would count three times


def test_the_detail_view_shows_the_letters_and_consent(moderator_client, water):
    row = add_signature(
        water,
        consent=True,
        consent_text="Keep me posted.",
        ip_address="192.0.2.1",
        phone="+351 912 345 678",
        personal_note="I swim in this lake.",
        letter_subject="My own subject",
    )
    target = water.targets[0]
    Delivery.objects.create(
        signature=row,
        target=target,
        state=Delivery.State.FAILED,
        attempts=3,
        last_error="550 no such mailbox",
    )
    html = moderator_client.get(f"{LIST_URL}inspect/{row.pk}/").content.decode()
    for text in (
        str(target),
        "failed",
        ">3<",
        "550 no such mailbox",
        "Keep me posted.",
        "192.0.2.1",
        "+351912345678",  # kept in E.164
        "I swim in this lake.",
        "My own subject",
    ):
        assert text in html
    assert "Change this signature" in html


def test_the_detail_view_reads_as_sentences_not_field_names(moderator_client, water):
    row = add_signature(water, consent=True)
    html = moderator_client.get(f"{LIST_URL}inspect/{row.pk}/").content.decode()

    for label in ("First name", "Consent to hear from us", "Signed at", "Status"):
        assert f">{label}<" in html or f">{label}:<" in html, label
    assert ">first name<" not in html
    assert ">Source tag (utm_source)<" in html and ">Campaign tag (utm_campaign)<" in html
    assert ">Utm_" not in html and ">utm_" not in html  # a tag's label is not its field's name
    assert ">True<" not in html and ">Yes<" in html
    assert ">Counted<" in html


def test_the_list_reads_statuses_as_the_detail_view_does_and_marks_a_missing_country(
    moderator_client, rows
):
    _, response = listed(moderator_client)
    html = response.content.decode()

    for status in ("Pending confirmation", "Counted", "Spam", "Rejected"):
        assert f">{status}<" in html, status  # in the column
        assert re.search(rf">\s*{status}\s*</a>", html), status  # and as a filter's choice
    assert not re.search(r">\s*(pending confirmation|counted|spam|rejected)\s*<", html)
    old = re.search(rf'value="{rows["old"].pk}".*?</tr>', html, re.S).group()
    assert re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", old, re.S)[3] == "-"  # no country given


def test_the_detail_view_shows_a_missing_country_as_missing_not_blank(moderator_client, water):
    row = add_signature(water, country="")
    html = moderator_client.get(f"{LIST_URL}inspect/{row.pk}/").content.decode()

    country = re.search(r">Country:?</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert country and country.group(1).strip() == "-"


def test_each_rows_inspect_button_sits_with_the_name_not_in_the_tick_box_column(
    moderator_client, water
):
    row = add_signature(water)
    html = moderator_client.get(LIST_URL).content.decode()

    cells = re.findall(r"<td[^>]*>.*?</td>", html, flags=re.S)
    tick_box = next(cell for cell in cells if f'name="signature" value="{row.pk}"' in cell)
    assert "inspect/" not in tick_box
    named = next(cell for cell in cells if row.full_name in cell)
    assert f"inspect/{row.pk}/" in named


def test_statistics_totals_days_and_countries(moderator_client, water, press):
    for country, status in [("KE", Status.COUNTED)] * 3 + [
        ("DE", Status.SPAM),
        ("", Status.PENDING),
    ]:
        add_signature(water, country=country, status=status)
    yesterday = add_signature(water, country="DE")
    Signature.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(days=1))
    add_signature(press, country="FR")

    response = moderator_client.get(f"/admin/signatures/statistics/{water.pk}/")

    context = response.context
    assert dict(context["totals"]) == {
        "pending confirmation": 1,
        "counted": 4,
        "rejected": 0,
        "spam": 1,
    }
    assert context["total"] == 6
    # Per day and by country: counted actions only (not the spam, nor the unconfirmed).
    assert [row.actions for row in context["figures"].days] == [1, 3]
    assert [(str(name), n) for name, n in context["countries"]] == [("Kenya", 3), ("Germany", 1)]
    html = response.content.decode()
    assert "France" not in html
    # What the public sees, and why it differs.
    shown = 4 + water.counter_offset
    assert (
        f"The public counter shows {shown:,}: the counted actions plus {water.counter_offset:,}"
        in html
    )
    assert "Up to the latest 60 days." in html


def test_the_campaign_page_links_to_its_statistics_for_those_who_edit_it_and_see_signatures(
    admin_client, water
):
    html = admin_client.get(f"/admin/pages/{water.pk}/edit/").content.decode()
    assert f"/admin/signatures/statistics/{water.pk}/" in html
    assert "Signature statistics" in html


def test_the_list_filtered_to_a_campaign_links_to_its_statistics(moderator_client, rows, water):
    html = moderator_client.get(LIST_URL, {CAMPAIGN_VAR: water.pk}).content.decode()
    assert f"/admin/signatures/statistics/{water.pk}/" in html
    assert "/admin/signatures/statistics/" not in moderator_client.get(LIST_URL).content.decode()
