"""Targets can answer (issue 33, points 2 and 3): each letter and digest carries a private
link for its target; what comes through it is a draft until a moderator publishes it; the
page (every language) and the API then show it, with who has answered."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from signatures import answers
from signatures.abuse import ActionRefused
from signatures.models import Delivery, TargetReply
from signatures.services import delivery, digest, previews, replies
from tests.factories import (
    CampaignPageFactory,
    DirectoryFactory,
    TargetFactory,
    representative,
    representative_campaign,
    translate,
)
from tests.moderation.conftest import add_signature, make_user

pytestmark = pytest.mark.django_db

SUPPORTER = {"email": "ana.okonjo@example.org", "first_name": "Ana", "last_name": "Okonjo"}
ANSWER = "We will review the detention of the four defenders this week."
LINK = re.compile(r"https?://[^\s]+/answer/([^/\s]+)/")


@pytest.fixture
def minister(db):
    return TargetFactory(name="Minister of Water", email="minister@water.example.org")


@pytest.fixture
def deputy(db):
    return TargetFactory(name="Deputy Minister", email="deputy@water.example.org")


@pytest.fixture
def water(site, minister, deputy):
    return CampaignPageFactory(parent=site.root_page, title="Free them", targets=[minister, deputy])


def letter_to(campaign, target, **supporter) -> str:
    """The letter `target` receives for one more action, as sent."""
    signature = add_signature(campaign, **(supporter or {}))
    owed = Delivery.objects.create(signature=signature, target=target)
    delivery.deliver_letter(owed.pk)
    return mail.outbox[-1].body


def link_in(body: str) -> str:
    return LINK.search(body).group(0)


def test_each_letter_ends_with_its_targets_own_link_and_how_many_wrote(water, minister, deputy):
    add_signature(water)
    body = letter_to(water, minister, **SUPPORTER)
    assert "Answer the 2 people who wrote to you:" in body
    token = LINK.search(body).group(1)
    assert signing.loads(token, salt=replies.LINK_SALT) == [water.pk, minister.pk, 0]
    other = LINK.search(letter_to(water, deputy)).group(1)
    assert signing.loads(other, salt=replies.LINK_SALT)[1] == deputy.pk


def test_a_digest_carries_the_link_and_an_editors_preview_one_that_opens_nothing(water, minister):
    signature = add_signature(water)
    owed = Delivery.objects.create(signature=signature, target=minister)
    body = digest.compose_digest(water, minister, [owed]).body
    assert "Answer the 1 person who wrote to you:" in body
    assert replies.read_link(LINK.search(body).group(1)).target == minister
    preview = previews.preview(water, "letter").message.body
    assert LINK.search(preview).group(1) == "%E2%80%A6"  # "…"
    with pytest.raises(ActionRefused):
        replies.read_link("…")


def test_a_campaign_can_ask_no_answers(site, minister, client):
    campaign = CampaignPageFactory(parent=site.root_page, targets=[minister], reply_links=False)
    assert "/answer/" not in letter_to(campaign, minister)
    token = replies.token_for(campaign, minister)
    assert client.get(reverse("signatures:answer", args=[token])).status_code == 410


def test_the_link_page_shows_how_many_wrote_but_nobody_and_takes_a_draft(
    client, water, minister, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = link_in(letter_to(water, minister, **SUPPORTER))
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"
    assert "Answer the 1 person who wrote to you" in html and "Free them" in html
    assert SUPPORTER["email"] not in html and SUPPORTER["last_name"] not in html

    document = SimpleUploadedFile("statement.pdf", b"%PDF-1.4 statement", "application/pdf")
    sent = client.post(url, {"body": ANSWER, "document": document})
    assert sent.status_code == 200 and "we have your answer" in sent.content.decode()
    reply = TargetReply.objects.get()
    assert (reply.target, reply.campaign_id, reply.live, reply.channel) == (
        minister,
        water.pk,
        False,
        "link",
    )
    assert reply.document.name.endswith(".pdf") and "statement" not in reply.document.name
    # Nothing public changes before a moderator publishes it.
    assert ANSWER not in client.get(water.url).content.decode()
    assert client.get(f"/api/v3/campaigns/{water.pk}/").json()["answers"]["answers"] == []


def test_an_answer_without_text_or_with_a_program_attached_is_a_clear_400(client, water, minister):
    url = link_in(letter_to(water, minister))
    assert client.post(url, {"body": ""}).status_code == 400
    program = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
    refused = client.post(url, {"body": ANSWER, "document": program})
    assert refused.status_code == 400
    assert "Please attach a PDF, a document or a picture" in refused.content.decode()
    assert not TargetReply.objects.exists()


def test_a_link_opens_for_its_own_target_and_campaign_only(client, water, minister, monkeypatch):
    token = LINK.search(letter_to(water, minister)).group(1)
    forged = signing.dumps([water.pk, minister.pk + 1, 0], salt="another-salt")
    for bad in (token[:-2] + "xx", forged, "not-a-link", "é:ü:ß", "a:" * 2000, token + ":x"):
        assert client.get(reverse("signatures:answer", args=[bad])).status_code == 404
    monkeypatch.setattr(replies, "LINK_MAX_AGE", -1)
    expired = client.get(reverse("signatures:answer", args=[token]))
    assert expired.status_code == 410 and "expired" in expired.content.decode()


def test_the_answer_page_is_rate_limited_per_network_and_per_link(
    client, either_cache, water, minister, deputy, settings
):
    settings.CLARION_ANSWER_RATE_LIMIT = "4/600"
    settings.CLARION_ANSWER_LINK_RATE_LIMIT = "2/3600"
    url = link_in(letter_to(water, minister))
    guessed = reverse("signatures:answer", args=["a-guessed-link"])
    # Per network, GET or POST, a guessed link counted as much as a real one.
    answered = [client.get(url).status_code, client.get(guessed).status_code]
    answered += [client.post(url, {"body": ANSWER}).status_code for _ in range(2)]
    answered.append(client.get(url).status_code)
    assert answered == [200, 404, 200, 200, 429]
    refused = client.get(url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused["Cache-Control"] == "private, no-store"
    assert "Too many actions from your connection" in refused.content.decode()
    # Per link, from any network: a third answer through it waits, and makes no draft.
    elsewhere = client.post(url, {"body": ANSWER}, REMOTE_ADDR="198.51.100.2")
    assert elsewhere.status_code == 429 and int(elsewhere["Retry-After"]) > 0
    assert "Many answers were sent through this link" in elsewhere.content.decode()
    assert TargetReply.objects.count() == 2
    # Another target's link, from that network, is not held back.
    other = link_in(letter_to(water, deputy))
    assert client.post(other, {"body": ANSWER}, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_withdrawing_a_targets_links_ends_them_and_later_letters_carry_new_ones(
    client, water, minister
):
    old = link_in(letter_to(water, minister))
    editor = make_user("eddie", "Editors")
    client.force_login(editor)
    revoke = reverse("delivery_admin:revoke_reply_links", args=[minister.pk])
    assert client.post(revoke).status_code == 403  # editors draft targets, never approve them
    client.force_login(make_user("mo", "Moderators"))
    assert client.post(revoke).status_code == 302
    client.logout()
    assert client.get(old).status_code == 410
    assert client.post(old, {"body": ANSWER}).status_code == 410
    new = link_in(letter_to(water, minister))
    assert client.get(new).status_code == 200


def publish(reply):
    """What a moderator's Publish button does."""
    reply.save_revision().publish()


def test_a_published_answer_shows_in_every_language_with_its_date_and_the_tally(
    client, water, minister
):
    french = translate(water, "fr", title="Libérez-les")
    client.post(link_in(letter_to(water, minister)), {"body": ANSWER})
    reply = TargetReply.objects.get()
    publish(reply)

    day = f'datetime="{reply.received_at.isoformat()}"'
    for page, tally, answered_on in (
        (water, "1 of 2 targets have answered", "Answered on"),
        (french, "Cibles ayant répondu : 1 sur 2", "Réponse reçue le"),
    ):
        html = client.get(page.url).content.decode()
        assert tally in html and ANSWER in html and answered_on in html and day in html
        data = client.get(f"/api/v3/campaigns/{page.pk}/").json()["answers"]
        assert (data["targets"], data["targets_answered"]) == (2, 1)
        assert data["answers"][0]["body"] == ANSWER
        assert data["answers"][0]["target"] == "The Hon. Minister of Water"

    reply.refresh_from_db()
    reply.unpublish()  # a moderator withdraws it: gone from every language at once
    assert ANSWER not in client.get(french.url).content.decode()


def cached_pages(client, water):
    """The campaign's English and French pages, each served from the page cache, and its
    API answer."""
    french = translate(water, "fr", title="Libérez-les")
    for url in (water.url, french.url):
        assert [client.get(url)["X-Clarion-Cache"] for _ in range(3)][-1] == "hit"
    return [water.url, french.url, f"/api/v3/campaigns/{water.pk}/"]


def shown(client, pages):
    return [ANSWER in client.get(url).content.decode() for url in pages]


def test_an_answer_published_or_withdrawn_shows_at_once_on_cached_pages_in_every_language(
    client, either_cache, settings, water, minister
):
    settings.CLARION_PAGE_CACHE_SECONDS = 60
    reply = TargetReply.objects.create(campaign=water, target=minister, body=ANSWER, live=False)
    pages = cached_pages(client, water)

    publish(reply)
    assert shown(client, pages) == [True] * 3
    reply.refresh_from_db()
    reply.unpublish()
    assert shown(client, pages) == [False] * 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_visit_while_an_answer_is_published_in_a_transaction_keeps_no_page_without_it(
    client, settings, site
):
    """A publish inside a transaction (a workflow, a script): a visit from another
    connection before it commits still sees no answer, and must not keep that page."""
    settings.CLARION_PAGE_CACHE_SECONDS = 60
    minister = TargetFactory(name="Minister of Water", email="minister@water.example.org")
    water = CampaignPageFactory(parent=site.root_page, title="Free them", targets=[minister])
    reply = TargetReply.objects.create(campaign=water, target=minister, body=ANSWER, live=False)
    pages = cached_pages(client, water)

    def visit_from_elsewhere():
        try:
            return shown(Client(), pages)
        finally:
            connections.close_all()

    with transaction.atomic():
        publish(reply)
        with ThreadPoolExecutor(max_workers=1) as other:
            assert other.submit(visit_from_elsewhere).result() == [False] * 3
    assert shown(client, pages) == [True] * 3


def test_staff_record_an_answer_that_came_by_post_as_a_draft(client, water, deputy):
    editor = make_user("eddie", "Editors")
    assert editor.has_perm("signatures.add_targetreply")
    assert not editor.has_perm("signatures.publish_targetreply")
    client.force_login(editor)
    response = client.post(
        reverse("wagtailsnippets_signatures_targetreply:add"),
        {
            "campaign": water.pk,
            "target": deputy.pk,
            "channel": "post",
            "received_at": "2026-12-01 10:00",
            "body": "Received by post: we are looking into it.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reply = TargetReply.objects.get()
    assert (reply.channel, reply.live) == ("post", False)
    publish(reply)
    assert "Received by post" in client.get(water.url).content.decode()


def test_a_letter_from_the_french_page_carries_a_french_answer_page(
    client, water, minister, django_capture_on_commit_callbacks
):
    french = translate(water, "fr", title="Libérez-les")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signatures:sign", args=[french.pk]), SUPPORTER)
    [letter] = [m for m in mail.outbox if minister.email in m.to[0]]
    assert "Répondez à la personne (1) qui vous a écrit :" in letter.body
    url = link_in(letter.body)
    assert "/fr/answer/" in url
    page = client.get(url).content.decode()
    assert "Répondez à la personne (1) qui vous a écrit" in page and "Libérez-les" in page
    sent = client.post(url, {"body": ANSWER}).content.decode()
    assert "Merci" in sent and TargetReply.objects.get().campaign_id == water.pk


def test_a_restricted_campaign_shows_its_answers_and_who_answered_to_no_outsider(
    client, water, minister
):
    from wagtail.models import PageViewRestriction

    link = link_in(letter_to(water, minister))
    french = translate(water, "fr", title="Libérez-les")
    PageViewRestriction.objects.create(
        page=water, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    publish(TargetReply.objects.create(campaign=water, target=minister, body=ANSWER, live=False))
    for page in (water, french):  # the restriction covers every translation
        html = client.get(page.url).content.decode()
        assert ANSWER not in html and "target" not in html and "répondu" not in html
        for api in (f"/api/v3/campaigns/{page.pk}/", f"/api/v3/campaigns/{page.pk}/counter/"):
            assert client.get(api).status_code == 404
    # Its target may still answer: the link's page is the target's, and shows no answer.
    answer_page = client.get(link).content.decode()
    assert "Answer the 1 person who wrote to you" in answer_page and ANSWER not in answer_page


def test_only_those_who_may_publish_answers_put_one_on_the_page(client, water, minister):
    reply = TargetReply.objects.create(campaign=water, target=minister, body=ANSWER, live=False)
    edit = reverse("wagtailsnippets_signatures_targetreply:edit", args=[reply.pk])
    form = {
        "campaign": water.pk,
        "target": minister.pk,
        "channel": "link",
        "received_at": "2026-12-01 10:00",
        "body": ANSWER,
        "action-publish": "action-publish",
    }
    client.force_login(make_user("sigmo", "Signature moderators"))
    assert client.get(edit).status_code in (302, 403)  # not theirs: supporters' data only
    client.post(edit, form)
    client.force_login(make_user("eddie", "Editors"))
    assert client.get(edit).status_code == 200  # an editor may read and correct it
    client.post(edit, form)
    reply.refresh_from_db()
    assert not reply.live and ANSWER not in client.get(water.url).content.decode()

    client.force_login(make_user("mo", "Moderators"))
    assert client.post(edit, form).status_code == 302
    reply.refresh_from_db()
    assert reply.live
    client.logout()
    assert ANSWER in client.get(water.url).content.decode()


def test_a_representative_campaign_shows_the_share_of_representatives_who_answered(client, site):
    directory = DirectoryFactory()
    first = representative(directory, "Ana Rep", ["1000"])
    second = representative(directory, "Bo Rep", ["2000"])
    campaign = representative_campaign(site.root_page, directory)
    for target in (first, second):
        Delivery.objects.create(signature=add_signature(campaign), target=target)
    publish(TargetReply.objects.create(campaign=campaign, target=first, body=ANSWER, live=False))
    found = answers.answers_for(campaign)
    assert (found.representatives, found.representatives_answered) == (2, 1)
    assert found.representative_share == 50
    html = client.get(campaign.url).content.decode()
    assert "50% of the representatives written to have answered (1 of 2)" in html
    data = client.get(f"/api/v3/campaigns/{campaign.pk}/").json()["answers"]
    assert data["representative_share"] == 50


def test_the_answer_page_runs_no_third_party_script(client, site, water, minister):
    from cms.base.models import OrganisationSettings

    organisation = OrganisationSettings.for_site(site)
    organisation.head_scripts = '<script src="https://tags.example/site-head.js"></script>'
    organisation.save()
    assert "tags.example" in client.get(water.url).content.decode()
    url = link_in(letter_to(water, minister))
    for response in (client.get(url), client.post(url, {"body": ANSWER})):
        assert response.status_code == 200
        assert "tags.example" not in response.content.decode()
