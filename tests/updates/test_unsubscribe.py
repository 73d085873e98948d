"""One-click unsubscribe (RFC 8058) from a campaign's updates: a signed link that names no
one in clear, a page with a button (no JavaScript), the provider's one-click POST; it takes
effect at once, for this campaign only; a bad or expired link is a clear 4xx."""

import base64

import pytest
from django.core import mail, signing
from wagtail.models import PageViewRestriction

from signatures.models import UpdateMailing, UpdateOptOut
from signatures.services import unsubscribe, updates
from tests.factories import CampaignPageFactory
from tests.moderation.conftest import add_signature

from .conftest import UNSUBSCRIBE, mailed_to, publish_update, unsubscribe_path

pytestmark = pytest.mark.django_db


def ana_link(campaign):
    publish_update(campaign)
    message = next(m for m in mail.outbox if m.to == ["ana@example.org"])
    mail.outbox.clear()
    return "/" + unsubscribe_path(message)


def test_the_link_names_nobody_in_clear_and_differs_each_time(campaign, supporters):
    ana = supporters["ana"]
    first, second = unsubscribe.token_for(ana.pk), unsubscribe.token_for(ana.pk)
    assert first != second
    for token in (first, second):
        sealed = signing.loads(token, salt=unsubscribe.SALT)
        assert int(sealed[16:], 16) != ana.pk  # the id is sealed, not merely encoded
        payload = base64.urlsafe_b64decode(token.split(":")[0] + "==")
        assert b"ana" not in payload and b"example" not in payload
        assert unsubscribe.signature_for(token) == ana


def test_the_page_asks_then_one_press_unsubscribes_at_once(client, campaign, supporters):
    path = ana_link(campaign)

    page = client.get(path)
    assert page.status_code == 200
    assert '<form method="post">' in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    assert not UpdateOptOut.objects.exists()  # opening the link changes nothing

    done = client.post(path)
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()

    mailing = UpdateMailing.objects.get(update=publish_update(campaign, subject="Next"))
    assert mailed_to() == ["bo@example.org"]
    assert updates.progress(mailing)["unsubscribed"] == 1


def test_the_providers_one_click_post_works_without_cookies_or_csrf(campaign, supporters):
    from django.test import Client

    path = ana_link(campaign)
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert UpdateOptOut.objects.filter(signature=supporters["ana"]).exists()


def test_unsubscribing_stops_this_campaign_only(client, campaign, supporters, site):
    other = CampaignPageFactory(parent=site.root_page, title="Another campaign")
    add_signature(other, email="ana@example.org", first_name="Ana", consent=True)
    client.post(ana_link(campaign))

    publish_update(other)
    assert mailed_to() == ["ana@example.org"]


def test_a_french_supporter_unsubscribes_in_french(client, campaign):
    from tests.factories import translate

    translate(campaign, "fr", title="Libérez-les")
    add_signature(campaign, email="zoe@example.org", consent=True, page_language="fr")
    publish_update(campaign)
    path = "/" + unsubscribe_path(mail.outbox[0])
    assert path.startswith("/fr/")
    assert "Se désabonner" in client.get(path).content.decode()


def test_on_a_password_protected_campaign_the_link_needs_no_password(client, campaign, supporters):
    PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    path = ana_link(campaign)  # its supporters still hear back
    assert client.post(path).status_code == 200
    assert UpdateOptOut.objects.filter(signature=supporters["ana"]).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_or_expired_link_is_a_clear_4xx(client, campaign, supporters, monkeypatch, method):
    path = ana_link(campaign)
    token = UNSUBSCRIBE.search("http://x" + path).group(1)
    for broken in (token[:-3] + "abc", "nonsense", token.replace(":", "", 1)):
        response = getattr(client, method)(path.replace(token, broken))
        assert response.status_code == 404
        assert "copy the whole link" in response.content.decode()

    monkeypatch.setattr(unsubscribe, "MAX_AGE", -1)
    response = getattr(client, method)(path)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not UpdateOptOut.objects.exists()


def test_a_supporter_whose_row_is_gone_gets_a_clear_answer(client, campaign, supporters):
    path = ana_link(campaign)
    supporters["ana"].delete()
    assert client.post(path).status_code == 410
