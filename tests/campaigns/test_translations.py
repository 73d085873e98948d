"""One campaign in several languages, one count (issue 18): every translation's actions are
recorded against the source page, so the counter, the duplicate check, the offset and goal
are one; each translation speaks its own language."""

import pytest
from django.core import mail
from django.urls import reverse

from signatures.models import Signature
from signatures.services import signing
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory, translate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FRENCH = {
    "title": "Libérez les quatre du lac",
    "slug": "liberez-les-quatre",
    "lead": "Quatre défenseurs de l'eau sont détenus sans inculpation.",
    "ask": "Exhortez le ministre à les libérer",
    "message_subject": "Libérez-les maintenant",
    "message_body": "Monsieur le Ministre,\n\nLibérez-les, je vous prie.\n\nCordialement,",
    "button_label": "Envoyer mon message",
    "thank_you_message": "Merci ! Votre message est en route.",
}


@pytest.fixture
def english(site):
    return CampaignPageFactory(
        parent=site.root_page, title="Free the Lakeside Four", counter_offset=10, counter_goal=50
    )


@pytest.fixture
def french(english):
    return translate(english, "fr", **FRENCH)


def sign(client, page, email="ana@example.org", **headers):
    return client.post(
        reverse("signatures:sign", args=[page.pk]), DETAILS | {"email": email}, **headers
    )


def counter_of(client, page) -> int:
    return client.get(f"/api/v3/campaigns/{page.pk}/counter/").json()["count"]


def test_an_action_in_english_and_one_in_french_raise_the_counter_on_both_by_two(
    client, english, french
):
    before = (counter_of(client, english), counter_of(client, french))

    assert sign(client, english, "ana@example.org").status_code == 302
    assert sign(client, french, "jean@example.org").status_code == 302

    assert before == (10, 10)  # the source's offset, shown by both
    assert (counter_of(client, english), counter_of(client, french)) == (12, 12)
    for page in (english, french):
        html = client.get(page.url).content.decode()
        assert "<strong>12</strong>" in html
    assert sorted(Signature.objects.values_list("campaign_id", "page_language")) == [
        (english.pk, "en"),
        (english.pk, "fr"),
    ]


def test_the_same_address_in_english_then_french_counts_once_with_a_first_actions_answer(
    client, english, french
):
    first = sign(client, english, "Ana@Example.org")
    again = sign(client, french, "ana+fr@example.org")  # the same address, as the check sees it
    new = sign(client, french, "someone.new@example.org")

    assert first.status_code == again.status_code == new.status_code == 302
    # The same answer as a first action on the French page: its own thank-you page.
    assert again["Location"] == new["Location"] == french.url + "thank-you/"
    assert Signature.objects.filter(email_key="ana@example.org").count() == 1
    assert counter_of(client, french) == counter_of(client, english) == 12


def test_the_offset_and_goal_are_the_sources_whatever_the_translation_says(client, english, french):
    # A translation edited on its own (or not yet synced) does not count differently.
    french.counter_offset, french.counter_goal = 999, 5000
    french.save_revision().publish()

    data = client.get(f"/api/v3/campaigns/{french.pk}/counter/").json()

    assert (data["count"], data["goal"]) == (10, 50)


def test_a_french_action_gets_french_emails_and_its_target_the_french_letter(
    english, french, django_capture_on_commit_callbacks
):
    english.send_receipt = True
    english.save_revision().publish()
    french.send_receipt = True
    french.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        signing.record_signature(french, DETAILS)

    letter, receipt = sorted(mail.outbox, key=lambda message: message.to[0] != "minister")
    subjects = {message.subject for message in mail.outbox}
    assert "Libérez-les maintenant" in subjects  # the letter, as the French page words it
    receipt = next(m for m in mail.outbox if m.to == [DETAILS["email"]])
    assert "Libérez les quatre du lac" in receipt.subject + receipt.body
    assert "Merci" in receipt.body or "merci" in receipt.body.lower()


def test_a_pending_repeat_in_another_language_is_confirmed_in_the_latest_one(
    client, english, french, django_capture_on_commit_callbacks
):
    for page in (english, french):
        page.confirmation_required = True
        page.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        sign(client, english)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client, french)

    signature = Signature.objects.get()
    assert (signature.campaign_id, signature.page_language) == (english.pk, "fr")
    first_link, fresh_link = mail.outbox
    assert first_link.subject.startswith("Please confirm your action")
    assert fresh_link.subject == "Veuillez confirmer votre action : Libérez les quatre du lac"


def test_signing_a_translation_costs_no_more_queries_than_signing_the_source(
    english, french, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from signatures.caching.live_campaigns import live_campaign

    settings.CLARION_CAMPAIGN_CACHE_SECONDS = 60
    # Steady state: what a process reads once (the surge switch, cms.base.surge) is read here.
    signing.record_signature(live_campaign(english.pk).page, DETAILS | {"email": "w@example.org"})
    counts = []
    for n, page in enumerate((english, french)):
        live = live_campaign(page.pk)  # as the action routes find it, kept for a moment
        with CaptureQueriesContext(connection) as queries:
            signing.record_signature(live.page, DETAILS | {"email": f"s{n}@example.org"})
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_french_page_is_french_throughout_with_hreflang_links_both_ways(
    client, english, french
):
    html = client.get(french.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    english_html = client.get(english.url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert french.url.startswith("/fr/") and english.url.startswith("/en/")
    assert '<html lang="fr" dir="ltr">' in html
    for french_text in ("Libérez les quatre du lac", "Exhortez le ministre", "Prénom"):
        assert french_text in html
    assert 'value="Envoyer mon message"' in html or ">Envoyer mon message<" in html
    for english_text in ("First name", "Send my message", "Free the Lakeside Four"):
        assert english_text not in html
    assert f'action="/fr/act/{french.pk}/"' in html
    en_url, fr_url = (f"http://testserver{english.url}", f"http://testserver{french.url}")
    assert f'<link rel="alternate" hreflang="en" href="{en_url}">' in html
    assert f'<link rel="alternate" hreflang="fr" href="{fr_url}">' in html
    assert f'<link rel="alternate" hreflang="fr" href="{fr_url}">' in english_html
    assert f'<link rel="alternate" hreflang="en" href="{en_url}">' in english_html
    # The switcher: plain links, each language named in itself.
    assert f'<a href="{english.url}" hreflang="en" lang="en">English</a>' in html
    assert f'<a href="{french.url}" hreflang="fr" lang="fr">français</a>' in english_html


def test_a_campaign_without_a_translation_shows_no_switcher(client, english):
    html = client.get(english.url).content.decode()
    assert 'class="languages"' not in html
    assert 'hreflang="' not in html


def test_a_campaign_is_not_offered_in_a_language_it_has_no_translation_in(client, english, french):
    spanish_address = english.url.replace("/en/", "/es/", 1)

    assert client.get(spanish_address).status_code == 404
    assert client.get(english.url).status_code == client.get(french.url).status_code == 200


@pytest.mark.parametrize(("browser", "expected"), [("en", "english"), ("fr-CA,fr", "french")])
def test_an_address_from_before_languages_leads_to_the_page_in_the_visitors_language(
    client, english, french, browser, expected
):
    old_address = english.url.removeprefix("/en") + "?utm_source=newsletter"
    page = {"english": english, "french": french}[expected]

    response = client.get(old_address, HTTP_ACCEPT_LANGUAGE=browser)

    assert response.status_code == 302
    assert response["Location"] == page.url + "?utm_source=newsletter"
    thank_you = client.get(english.url.removeprefix("/en") + "thank-you/")
    assert thank_you["Location"] == english.url + "thank-you/"


def test_a_visitor_whose_browser_prefers_english_reaches_the_english_page_from_the_root(
    client, english, french
):
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,fr;q=0.5")
    assert home.status_code == 302 and home["Location"] == "/en/"
    page = client.get(home["Location"] + "campaigns/" + english.slug + "/")
    assert page.status_code == 200 and "Free the Lakeside Four" in page.content.decode()
    assert client.get("/no-such-page/").status_code == 404


def test_forms_and_links_from_before_languages_still_work(client, english, french):
    response = client.post(f"/act/{french.pk}/", DETAILS)

    assert response.status_code == 302
    assert response["Location"] == french.url + "thank-you/"
    assert Signature.objects.get().page_language == "fr"


def test_the_api_gives_the_total_for_either_id_and_lists_the_translations(client, english, french):
    sign(client, english, "ana@example.org")
    sign(client, french, "jean@example.org")

    en = client.get(f"/api/v3/campaigns/{english.pk}/").json()
    fr = client.get(f"/api/v3/campaigns/{french.pk}/").json()

    assert en["counter"]["count"] == fr["counter"]["count"] == 12
    assert (en["locale"], fr["locale"], fr["meta"]["language"]) == ("en", "fr", "fr")
    assert fr["title"] == "Libérez les quatre du lac"
    assert fr["action"]["form"]["button_label"] == "Envoyer mon message"
    assert en["translations"] == [
        {
            "id": french.pk,
            "locale": "fr",
            "title": "Libérez les quatre du lac",
            "html_url": f"http://testserver{french.url}",
            "detail_url": f"http://testserver/api/v3/campaigns/{french.pk}/",
        }
    ]
    assert [t["id"] for t in fr["translations"]] == [english.pk]
    # Nothing about who acted: the payload carries no supporter's address.
    assert "ana@example.org" not in str(en) + str(fr)


def test_the_api_list_filters_campaigns_by_locale(client, english, french):
    every = client.get("/api/v3/campaigns/").json()
    in_french = client.get("/api/v3/campaigns/?locale=fr").json()
    in_spanish = client.get("/api/v3/campaigns/?locale=es").json()

    assert sorted(item["id"] for item in every["items"]) == sorted([english.pk, french.pk])
    assert [item["id"] for item in in_french["items"]] == [french.pk]
    assert in_french["items"][0]["translations"][0]["id"] == english.pk
    assert in_spanish["items"] == []
    assert client.get("/api/v3/campaigns/?locale=<script>").status_code == 422


def test_an_action_through_the_api_on_a_translation_counts_once_for_the_campaign(
    client, english, french
):
    import json

    for page in (english, french, french):
        response = client.post(
            f"/api/v3/campaigns/{page.pk}/signatures/",
            json.dumps(DETAILS),
            content_type="application/json",
        )
        assert response.status_code == 202
    assert response.json()["message"] == "Merci ! Votre message est en route."
    assert Signature.objects.get().page_language == "en"  # counted once, as first taken
    assert counter_of(client, french) == 11
