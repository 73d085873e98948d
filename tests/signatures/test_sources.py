"""Where an action came from: carried from the landing address through the HTML form and
the API onto the action's row, cleaned and bounded."""

import re

import pytest
from django.urls import reverse

from insights import sources
from signatures.models import Signature
from tests.factories import SUPPORTER as VALID

pytestmark = pytest.mark.django_db


def hidden_sources(html: str) -> dict:
    return dict(
        re.findall(
            r'<input type="hidden" name="(utm_source|utm_medium|utm_campaign|referrer)" '
            r'value="([^"]*)">',
            html,
        )
    )


def recorded_source(signature) -> tuple:
    """Where an action came from, as its row records it."""
    return (
        signature.utm_source,
        signature.utm_medium,
        signature.utm_campaign,
        signature.referrer_domain,
        signature.partner_site,
    )


def test_the_landing_sources_travel_through_the_html_form(client, campaign):
    landed = client.get(
        f"{campaign.url}?utm_source=Newsletter&utm_medium=Email&utm_campaign=Spring+Appeal",
        HTTP_REFERER="https://www.mail.example.net/inbox/42?user=ana",
    )
    carried = hidden_sources(landed.content.decode())
    assert carried == {
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring appeal",
        "referrer": "mail.example.net",
    }

    sent = client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        {**VALID, **carried},
        HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.8",
        HTTP_REFERER=f"http://testserver{campaign.url}?utm_source=Newsletter",
    )

    assert sent.status_code == 302
    signature = Signature.objects.get()
    assert (*recorded_source(signature), signature.language) == (
        "newsletter",
        "email",
        "spring appeal",
        "mail.example.net",
        "",
        "pt",
    )


def test_a_form_sent_without_its_tags_takes_them_from_the_page_it_was_sent_from(client, campaign):
    # Behind a CDN, without JavaScript: the hidden inputs stayed empty.
    client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        {**VALID, "utm_source": "", "referrer": ""},
        HTTP_REFERER=f"http://testserver{campaign.url}?utm_source=Radio&utm_campaign=spring",
    )
    client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        {**VALID, "email": "bo@example.org"},
        HTTP_REFERER="https://elsewhere.example/?utm_source=forged",  # not this site's page
    )

    assert list(Signature.objects.order_by("pk").values_list("utm_source", "utm_campaign")) == [
        ("radio", "spring"),
        ("", ""),
    ]


def test_a_form_shown_again_keeps_its_sources(client, campaign):
    carried = {"utm_source": "radio", "utm_medium": "", "utm_campaign": "", "referrer": "x.org"}
    again = client.post(reverse("signatures:sign", args=[campaign.pk]), {"email": "", **carried})

    assert again.status_code == 400
    assert hidden_sources(again.content.decode()) == carried


def test_the_api_carries_sources_and_the_embedding_sites_origin(client, campaign, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.partner.example.org"]
    sent = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        {
            **VALID,
            "utm_source": "  Partner\u202eList\n",
            "utm_medium": "x" * 500,
            "utm_campaign": None,
            "referrer": "https://search.example/?q=ana+okonjo",
        },
        content_type="application/json",
        HTTP_ORIGIN="https://www.partner.example.org",
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert sent.status_code == 202, sent.content
    signature = Signature.objects.get()
    assert signature.utm_source == "partner list"  # direction override and line break gone
    assert signature.utm_medium == "x" * sources.TAG_MAX_LENGTH
    assert signature.utm_campaign == ""
    assert signature.referrer_domain == "search.example"  # never the search terms
    assert signature.partner_site == "partner.example.org"
    assert signature.language == "de"


def test_a_source_of_the_wrong_type_is_a_field_error(client, campaign):
    sent = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        {**VALID, "utm_source": 7},
        content_type="application/json",
    )

    assert sent.status_code == 422
    assert sent.json()["errors"][0]["loc"] == ["body", "utm_source"]
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "given, kept",
    [
        ("https://www.Example.org:8443/path?q=1", "example.org"),
        ("example.org", "example.org"),
        ("android-app://com.google.android.gm/", "com.google.android.gm"),
        ("javascript:alert(1)", ""),
        ("https://exa mple.org/", ""),
        ("https://[2001:db8::1]/", ""),
        ("localhost", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_only_a_referring_sites_domain_is_kept(rf, given, kept):
    assert sources.referrer_domain(given, rf.get("/")) == kept


def test_a_page_of_this_site_is_no_referring_site(rf, settings):
    settings.ALLOWED_HOSTS = ["campaigns.example.org"]
    request = rf.get("/", HTTP_HOST="campaigns.example.org")

    assert sources.referrer_domain("https://campaigns.example.org/campaigns/", request) == ""
    assert sources.referrer_domain("https://example.org/", request) == "example.org"


# Personal data in a tag (issue 29, finding 6) ---------------------------------------------


@pytest.mark.postgres
def test_a_tag_that_looks_like_personal_data_reaches_no_row_nor_count(client, campaign):
    from insights import page_views

    client.get(f"{campaign.url}?utm_source=ana.okonjo%40example.org&utm_campaign=spring-2026-12-07")
    sent = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        {
            **VALID,
            "utm_source": "Newsletter",
            "utm_medium": "mail to Ana.Okonjo@Example.org",
            "utm_campaign": "+351 912 345 678",
        },
        content_type="application/json",
    )

    assert sent.status_code == 202
    signature = Signature.objects.get()
    assert (signature.utm_source, signature.utm_medium, signature.utm_campaign) == (
        "newsletter",
        "",
        "",
    )
    counted = {(dim, value) for (_c, _d, dim, value) in page_views.pending(campaign.pk)}
    assert ("utm_campaign", "spring-2026-12-07") in counted  # a date is not a phone number
    assert not [value for _dim, value in counted if "okonjo" in value]
